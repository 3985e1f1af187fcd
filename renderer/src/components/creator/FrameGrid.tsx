import type { JobOutputInfo, OutputTask } from '../../../../shared/api';
import { useImage } from '../../hooks/use-image';

const STATE_LABEL: Record<OutputTask['state'], string> = { pending: 'waiting', leased: 'rendering', done: 'verified', failed: 'failed' };

function frameState(tasks: OutputTask[]): OutputTask['state'] {
  if (tasks.some((t) => t.state === 'failed')) return 'failed';
  if (tasks.every((t) => t.state === 'done')) return 'done';
  if (tasks.some((t) => t.state === 'leased' || t.state === 'done')) return 'leased';
  return 'pending';
}

function FrameCell({ frame, tasks, thumbHash, out, onOpen }: { frame: number; tasks: OutputTask[]; thumbHash: string | null; out: JobOutputInfo; onOpen: () => void }) {
  const thumb = useImage(thumbHash);
  const state = frameState(tasks);
  const tiled = out.tilesX * out.tilesY > 1;
  return (
    <button type="button" className={`frame-cell state-${state}`} onClick={onOpen} disabled={!thumbHash} data-testid="frame-cell" data-state={state} title={`Frame ${frame}: ${STATE_LABEL[state]}`}>
      <span className="frame-img" style={{ aspectRatio: `${out.width} / ${out.height}` }}>
        {thumb && <img src={thumb} alt={`Frame ${frame}`} />}
        {tiled && !thumb && (
          <span className="tiles" style={{ gridTemplateColumns: `repeat(${out.tilesX}, 1fr)` }}>
            {tasks
              .slice()
              .sort((a, b) => a.tileY - b.tileY || a.tileX - b.tileX)
              .map((t) => (
                <span key={t.index} className={`tile state-${t.state}`} title={`Tile ${t.tileX + 1},${t.tileY + 1}: ${STATE_LABEL[t.state]}`} />
              ))}
          </span>
        )}
      </span>
      <span className="frame-label">
        <span>Frame {frame}</span>
        <span className={`pill state-pill-${state}`}>{STATE_LABEL[state]}</span>
      </span>
    </button>
  );
}

/** The job's frames (or a still's tiles) with status colours and live thumbnails. */
export function FrameGrid({ out, onOpen }: { out: JobOutputInfo; onOpen: (frame: number) => void }) {
  return (
    <div className="frame-grid" data-testid="frame-grid">
      {out.frames.map((f) => (
        <FrameCell key={f.frame} frame={f.frame} tasks={out.tasks.filter((t) => t.frame === f.frame)} thumbHash={f.thumbHash} out={out} onOpen={() => onOpen(f.frame)} />
      ))}
    </div>
  );
}
