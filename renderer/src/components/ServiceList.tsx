import { useStore } from '../state/store';

/** The live state of the named services (from app.services). */
export function ServiceList({ names }: { names: string[] }) {
  const services = useStore((s) => s.services);
  const shown = names.map((n) => services.find((s) => s.name === n) ?? { name: n, state: 'unavailable' as const, detail: 'Not started in this build.' });
  return (
    <ul className="service-list">
      {shown.map((s) => (
        <li key={s.name} data-testid={`service-${s.name}`}>
          <span className={`pill pill-${s.state}`}>{s.state}</span>
          <span className="service-name">{s.name}</span>
          <span className="service-detail">{s.detail}</span>
        </li>
      ))}
    </ul>
  );
}
