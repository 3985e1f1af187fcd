import { Fragment } from 'react';

/**
 * A message from the core, where a name is set in `backticks` (a file, a material): the
 * name is shown in code type and the backticks themselves never reach the person.
 */
export function Words({ text }: { text: string }) {
  const parts = text.split('`');
  // An odd count of backticks is not markup: drop them rather than show them.
  if (parts.length % 2 === 0) return <>{text.replaceAll('`', '')}</>;
  return (
    <>
      {parts.map((p, i) => (i % 2 === 1 ? <code key={i}>{p}</code> : <Fragment key={i}>{p}</Fragment>))}
    </>
  );
}
