import type { BlendSceneInfo, SceneRecord } from '../../../../shared/api';
import { useImage } from '../../hooks/use-image';

function bytes(n: number): string {
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

function fileState(f: BlendSceneInfo['externalFiles'][number]): string {
  return f.packed ? 'packed in the .blend' : f.present ? 'present' : 'missing';
}

/** What Blender found in a .blend: the facts the job form starts from. Also shown beside a refused file's problems. */
export function BlendFacts({ info }: { info: BlendSceneInfo }) {
  return (
    <dl className="facts compact" data-testid="blend-facts">
      <dt>Kind</dt>
      <dd data-testid="scene-kind">Blender scene (.blend)</dd>
      <dt>Blender</dt>
      <dd data-testid="blend-version">
        saved with {info.blenderVersion}; checked with {info.checkedWith}
        {info.engineId ? ` (operators render it with ${info.engineId})` : ''}
      </dd>
      <dt>Render engine</dt>
      <dd data-testid="blend-engine">{info.engine}</dd>
      <dt>Frames</dt>
      <dd data-testid="blend-frames">
        {info.frameStart}–{info.frameEnd}
        {info.frameStep > 1 ? `, every ${info.frameStep}` : ''} at {Number(info.fps.toFixed(3))} fps
      </dd>
      <dt>Resolution</dt>
      <dd data-testid="blend-resolution">
        {info.width} × {info.height} px ({info.resolutionPercentage} % of the file&apos;s resolution)
      </dd>
      <dt>Samples</dt>
      <dd data-testid="blend-samples">{info.samples}</dd>
      <dt>Cameras</dt>
      <dd data-testid="blend-cameras">{info.cameras.length ? `${info.cameras.join(', ')}${info.camera ? ` (active: ${info.camera})` : ''}` : 'none'}</dd>
      <dt>Output in the file</dt>
      <dd>{info.outputFormat}</dd>
      <dt>External files</dt>
      <dd data-testid="blend-files">
        {info.externalFiles.length === 0 ? (
          'none: everything is inside the .blend'
        ) : (
          <ul className="plain">
            {info.externalFiles.map((f, i) => (
              <li key={i} data-testid="blend-file" data-state={f.packed ? 'packed' : f.present ? 'present' : 'missing'}>
                <code>{f.path.split(/[\\/]/).pop()}</code> ({f.kind}
                {f.usedBy.length ? `, used by ${f.usedBy.join(', ')}` : ''}) — {fileState(f)}
              </li>
            ))}
          </ul>
        )}
      </dd>
      <dt>Denoising</dt>
      <dd data-testid="blend-denoiser">{info.denoiser ? 'available after verification (OpenImageDenoise)' : 'not available: this Blender was built without OpenImageDenoise'}</dd>
    </dl>
  );
}

/** A stored .blend: Blender's preview of its first frame and what Blender found in it. */
export function BlendSummaryCard({ scene }: { scene: SceneRecord }) {
  const s = scene.summary;
  const preview = useImage(s.previewHash);
  const info = s.blender!;
  return (
    <section className="card scene-card" data-testid="scene-summary" data-kind="blender">
      <div className="scene-head">
        <div className="preview-col">
          <div className="preview" data-testid="scene-preview">
            {preview ? <img src={preview} alt={`Preview of ${s.name}, rendered by Blender`} /> : <span className="muted small">{s.previewHash ? 'Loading preview…' : 'No preview'}</span>}
          </div>
          <p className="muted small">Preview: frame {info.frameStart}, rendered by your Blender with few samples.</p>
        </div>
        <div className="scene-facts">
          <h3 data-testid="scene-name">{s.name}</h3>
          <p className="mono small muted" title="Scene id (sha256 of the packed .blend)">
            {scene.sceneId.slice(0, 16)}… · package {bytes(s.bytes)}
          </p>
          <BlendFacts info={info} />
        </div>
      </div>
    </section>
  );
}
