import type { ReactNode } from 'react';

/** The frame of a mode: a title, a one-line purpose and the content. */
export function Page({ id, title, lead, children }: { id: string; title: string; lead: string; children: ReactNode }) {
  return (
    <main className="page" data-testid={`view-${id}`} aria-labelledby={`${id}-title`}>
      <header className="page-head">
        <h1 id={`${id}-title`}>{title}</h1>
        <p className="lead">{lead}</p>
      </header>
      <div className="page-body">{children}</div>
    </main>
  );
}

/** A titled panel. */
export function Card({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="card" data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
