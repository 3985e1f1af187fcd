import type { SceneProblem } from '../../../../shared/api';
import { Words } from '../Words';

const KIND_LABEL: Record<string, string> = {
  texture: 'Texture',
  material: 'Material',
  mesh: 'Mesh',
  file: 'File',
  extension: 'Extension',
  accessor: 'Data',
  camera: 'Camera',
  scene: 'Scene',
};

/** Each problem in plain words, next to the thing it names. */
export function ProblemList({ problems }: { problems: SceneProblem[] }) {
  if (problems.length === 0) return null;
  const sorted = [...problems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return (
    <ul className="problems" data-testid="scene-problems">
      {sorted.map((p, i) => (
        <li key={i} className={`problem problem-${p.severity}`} data-testid={`problem-${p.code}`}>
          <span className={`pill ${p.severity === 'error' ? 'pill-error' : 'pill-warn'}`}>{p.severity === 'error' ? 'Error' : 'Warning'}</span>
          {p.subject && (
            <span className="problem-subject" data-testid="problem-subject">
              {KIND_LABEL[p.subject.kind] ?? p.subject.kind} <code>{p.subject.name}</code>
            </span>
          )}
          <span className="problem-message">
            <Words text={p.message} />
          </span>
        </li>
      ))}
    </ul>
  );
}
