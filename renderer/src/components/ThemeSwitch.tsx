import type { Theme } from '../../../shared/api';
import { useStore } from '../state/store';
import { Icon } from './Icon';

const OPTIONS: { theme: Theme; label: string; icon: 'auto' | 'sun' | 'moon' }[] = [
  { theme: 'system', label: 'Follow the system theme', icon: 'auto' },
  { theme: 'light', label: 'Light theme', icon: 'sun' },
  { theme: 'dark', label: 'Dark theme', icon: 'moon' },
];

/** Light / dark / follow-the-OS, saved in the data folder. */
export function ThemeSwitch() {
  const theme = useStore((s) => s.theme);
  const setTheme = useStore((s) => s.setTheme);
  return (
    <div className="theme-switch" role="radiogroup" aria-label="Theme">
      {OPTIONS.map((o) => (
        <button
          key={o.theme}
          type="button"
          role="radio"
          aria-checked={theme === o.theme}
          title={o.label}
          className={theme === o.theme ? 'active' : ''}
          onClick={() => void setTheme(o.theme)}
        >
          <Icon name={o.icon} />
        </button>
      ))}
    </div>
  );
}
