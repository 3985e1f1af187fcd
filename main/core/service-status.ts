import type { ServiceStatus } from '../../shared/api';

type Listener = (all: ServiceStatus[]) => void;

/** Tracks whether each service is up, so the UI and CLI can say what is running. */
export class ServiceStatusBoard {
  private readonly entries = new Map<string, ServiceStatus>();
  private readonly listeners = new Set<Listener>();

  set(name: string, state: ServiceStatus['state'], detail: string): void {
    this.entries.set(name, { name, state, detail });
    const all = this.list();
    for (const l of this.listeners) l(all);
  }

  list(): ServiceStatus[] {
    return [...this.entries.values()];
  }

  onChange(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
