import { useRef, useState } from 'react';
import type { SceneRecord } from '../../../../shared/api';
import { MAX_ENVIRONMENT_BYTES } from '../../../../shared/api/scenes';
import { validateJobSpec } from '../../../../shared/job-spec';
import type { JobSpec } from '../../../../shared/job-spec';
import { FieldError } from '../../forms/FieldError';
import { mapApiError } from '../../forms/field-errors';
import { ENVIRONMENT_MAP_FIELDS } from '../../forms/environment-fields';
import { useStore } from '../../state/store';
import { ENVIRONMENT_LABEL } from './SceneSummaryCard';
import { toSpecInput } from './job-form-state';
import type { FormState } from './job-form-state';

const ADD = 'add-map';

/**
 * The job form's World light: the automatic choice, the studio, none, a colour, each map the
 * scene carries, and "Add an environment map…", which packs a .hdr/.exr chosen here into a
 * new scene package and opens it with that map chosen (its preview and estimate follow).
 */
export function WorldLightField({ scene, f, set, problem }: { scene: SceneRecord; f: FormState; set: (patch: Partial<FormState>) => void; problem: string | undefined }) {
  const attach = useStore((s) => s.attachEnvironment);
  const input = useRef<HTMLInputElement>(null);
  const [adding, setAdding] = useState<string | null>(null);
  const [refused, setRefused] = useState<string | null>(null);

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_ENVIRONMENT_BYTES) {
      // Said before a byte is sent; the core checks the size again, by the file it receives.
      setRefused(`${file.name} is ${Math.round(file.size / 1024 ** 2)} MiB; an environment map may be at most ${MAX_ENVIRONMENT_BYTES / 1024 ** 2} MiB.`);
      if (input.current) input.current.value = '';
      return;
    }
    setAdding(file.name);
    setRefused(null);
    // The new scene's form keeps these settings, with the new map as its world light.
    const seedFor = (sceneId: string, sha256: string): JobSpec | null => {
      const v = validateJobSpec(toSpecInput(sceneId, { ...f, environment: `hdri:${sha256}` }));
      return v.ok ? v.spec : null;
    };
    try {
      setRefused(await attach(scene.sceneId, file, seedFor));
    } catch (err) {
      const m = mapApiError(err, ENVIRONMENT_MAP_FIELDS);
      setRefused(m.fields.environmentMap ?? m.general);
    } finally {
      setAdding(null);
      if (input.current) input.current.value = '';
    }
  };

  return (
    <div className="field">
      <label htmlFor="job-environment">World light</label>
      <select
        id="job-environment"
        value={f.environment}
        disabled={adding !== null}
        onChange={(e) => {
          if (e.target.value === ADD) input.current?.click();
          else set({ environment: e.target.value });
        }}
      >
        <option value="auto">Automatic{scene.summary.environment ? ` (${ENVIRONMENT_LABEL[scene.summary.environment.kind].toLowerCase()})` : ''}</option>
        <option value="default">Studio environment</option>
        <option value="none">None (the scene's own lights only)</option>
        <option value="color">Uniform colour</option>
        {(scene.summary.environmentMaps ?? []).map((m) => (
          <option key={m.sha256} value={`hdri:${m.sha256}`}>
            Environment map {m.name} ({m.width}×{m.height})
          </option>
        ))}
        <option value={ADD}>Add an environment map…</option>
      </select>
      <input
        ref={input}
        type="file"
        accept=".hdr,.exr,image/vnd.radiance,image/x-exr"
        hidden
        aria-label="Environment map file"
        data-testid="environment-map-input"
        onChange={(e) => void onFile(e.target.files?.[0])}
      />
      {adding && (
        <span className="muted small" role="status" data-testid="environment-map-adding">
          Adding {adding} to the scene…
        </span>
      )}
      {f.environment === 'color' && <input type="color" id="job-environment-color" aria-label="World colour" value={f.envColor} onChange={(e) => set({ envColor: e.target.value })} />}
      <FieldError text={refused ?? problem} testId="job-environment-error" />
    </div>
  );
}
