import { useEffect, useRef, useState } from 'react';
import type { SceneRecord } from '../../../../shared/api';
import { api } from '../../api/client';
import { exposureWarning, useExposure } from '../../hooks/use-exposure';
import { useImage } from '../../hooks/use-image';
import { useStore } from '../../state/store';
import type { Environment } from '../../../../shared/job-spec';

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

function num(n: number): string {
  return n.toLocaleString('en-US');
}

/** Passes of the sharper preview: a quick one, then a cleaner one. */
const PASSES = [4, 32];

/**
 * The preview at the size it is shown, in device pixels, refined in passes: the small stored
 * preview shows at once, then each pass replaces it. A failed pass keeps the last picture.
 */
function useSharpPreview(sceneId: string, box: React.RefObject<HTMLDivElement | null>, environment: Environment): { url: string; width: number; spp: number; environment: string } | null {
  const [sharp, setSharp] = useState<{ url: string; width: number; spp: number; environment: string } | null>(null);
  const envKey = JSON.stringify(environment);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = Math.min(1920, Math.max(16, Math.round(el.clientWidth * (window.devicePixelRatio || 1))));
    const height = Math.min(1080, Math.max(16, Math.round((width * 9) / 16)));
    let live = true;
    void (async () => {
      const env = JSON.parse(envKey) as Environment;
      for (const spp of PASSES) {
        // One preview renders at a time: when the world light changes mid-pass, wait for the
        // running one to end, then render with the new choice (a newer choice stops this loop).
        for (;;) {
          try {
            const r = await api.call('creator.preview', { sceneId, width, height, spp, environment: env });
            if (!live) return;
            setSharp({ url: r.dataUrl, width: r.width, spp: r.spp, environment: typeof env === 'string' ? env : 'hdri' in env ? 'hdri' : 'color' });
            break;
          } catch (e) {
            if (!live || (e as { code?: string }).code !== 'PREVIEW_BUSY') return;
            await new Promise((ok) => setTimeout(ok, 250));
          }
        }
      }
    })();
    return () => {
      live = false;
    };
  }, [sceneId, box, envKey]);
  useEffect(() => setSharp(null), [sceneId]);
  return sharp;
}

/** How each world light reads in the summary. */
export const ENVIRONMENT_LABEL: Record<'studio' | 'none' | 'color' | 'hdri', string> = {
  studio: 'Studio environment',
  none: 'None',
  color: 'Uniform colour',
  hdri: 'Environment map',
};

/** What the scene holds, with its preview rendered by the engine. */
export function SceneSummaryCard({ scene }: { scene: SceneRecord }) {
  const s = scene.summary;
  const preview = useImage(s.previewHash);
  const box = useRef<HTMLDivElement>(null);
  const previewEnvironment = useStore((st) => st.previewEnvironment);
  const sharp = useSharpPreview(scene.sceneId, box, previewEnvironment);
  const exposure = useExposure(s.previewHash);
  const warning = exposureWarning(exposure);
  const size = s.bounds.max.map((v, i) => v - s.bounds.min[i]!);
  const anim = s.animations.length ? `${s.animations.length} (${Math.min(...s.animations.map((a) => a.start)).toFixed(2)}–${Math.max(...s.animations.map((a) => a.end)).toFixed(2)} s)` : 'none';
  return (
    <section className="card scene-card" data-testid="scene-summary">
      <div className="scene-head">
        <div className="preview-col">
          <div className="preview" ref={box} data-testid="scene-preview" data-exposure={exposure?.verdict} data-preview-width={sharp?.width} data-preview-spp={sharp?.spp} data-preview-environment={sharp?.environment}>
            {sharp || preview ? (
              <img src={sharp?.url ?? preview!} alt={`Preview of ${s.name}`} />
            ) : (
              <span className="muted small">{s.previewHash ? 'Loading preview…' : 'No preview'}</span>
            )}
          </div>
          {warning && (
            <p className="notice notice-warn" role="alert" data-testid="exposure-warning">
              {warning}
            </p>
          )}
        </div>
        <div className="scene-facts">
          <h3 data-testid="scene-name">{s.name}</h3>
          <p className="mono small muted" title="Scene id (sha256 of the packaged scene)">
            {scene.sceneId.slice(0, 16)}…
          </p>
          <dl className="facts compact">
            <dt>Triangles</dt>
            <dd data-testid="scene-triangles">{num(s.triangles)}</dd>
            <dt>Meshes</dt>
            <dd>{num(s.meshes)}</dd>
            <dt title="Materials the rendered meshes use; materials the file declares but never uses are left out of the package.">Materials used</dt>
            <dd>{num(s.materials)}</dd>
            <dt>Textures</dt>
            <dd>{s.textures.length ? s.textures.map((t) => `${t.width}×${t.height}`).join(', ') : 'none'}</dd>
            <dt>Lights</dt>
            <dd>{s.lights.length ? `${s.lights.length}` : s.environment ? 'none' : s.usesDefaultEnvironment ? 'none — lit by the studio environment' : 'emissive materials'}</dd>
            {s.environment && (
              <>
                <dt title="What lights the scene besides its own lights when a job leaves the environment on Automatic; the job form can change it.">World light</dt>
                <dd data-testid="scene-environment" data-kind={s.environment.kind}>
                  {ENVIRONMENT_LABEL[s.environment.kind]} — {s.environment.reason}
                </dd>
              </>
            )}
            <dt>Cameras</dt>
            <dd>{s.cameras.length ? s.cameras.map((c) => c.name || c.type).join(', ') : 'none — an automatic camera frames the scene'}</dd>
            <dt>Animations</dt>
            <dd>{anim}</dd>
            <dt>Size</dt>
            <dd>
              <span title="glTF files are meant to be in metres, but many are exported in other units; these are the file's own numbers.">{size.map((v) => v.toFixed(2)).join(' × ')} (file units)</span> · package {bytes(s.bytes)}
            </dd>
          </dl>
        </div>
      </div>
    </section>
  );
}
