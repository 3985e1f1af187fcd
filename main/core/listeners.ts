/** A set of event listeners whose `on` returns its own remover: the services' one way to say something happened. */
export class Listeners<T> {
  private readonly fns = new Set<(value: T) => void>();

  /** Adds `fn`; the returned function removes it. */
  on(fn: (value: T) => void): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }

  /** Calls every listener with `value`, in the order they were added. */
  emit(value: T): void {
    for (const fn of this.fns) fn(value);
  }
}
