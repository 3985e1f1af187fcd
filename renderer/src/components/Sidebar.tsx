import { useStore } from '../state/store';
import type { Mode } from '../state/ui-slice';
import { Icon } from './Icon';
import { ThemeSwitch } from './ThemeSwitch';

const MODES: { mode: Mode; label: string; hint: string }[] = [
  { mode: 'creator', label: 'Creator', hint: 'Render your scenes' },
  { mode: 'operator', label: 'Operator', hint: 'Lend your GPU' },
  { mode: 'wallet', label: 'Wallet', hint: 'Tokens and payments' },
  { mode: 'network', label: 'Network', hint: 'Peers and jobs' },
];

/** The mode switcher on the left. */
export function Sidebar() {
  const mode = useStore((s) => s.mode);
  const setMode = useStore((s) => s.setMode);
  return (
    <nav className="sidebar" aria-label="Modes">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">Rayfarm</span>
      </div>
      <ul>
        {MODES.map((m) => (
          <li key={m.mode}>
            <button
              type="button"
              className={m.mode === mode ? 'nav-item active' : 'nav-item'}
              aria-current={m.mode === mode ? 'page' : undefined}
              data-testid={`nav-${m.mode}`}
              onClick={() => setMode(m.mode)}
            >
              <Icon name={m.mode} />
              <span className="nav-text">
                <span className="nav-label">{m.label}</span>
                <span className="nav-hint">{m.hint}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
      <div className="sidebar-foot">
        <ThemeSwitch />
      </div>
    </nav>
  );
}
