import { useEffect, useMemo, useState } from 'react';
import type { Estimate, SceneRecord } from '../../../../shared/api';
import { validateJobSpec } from '../../../../shared/job-spec';
import type { JobSpec, OutputFormat, Tier } from '../../../../shared/job-spec';
import { wallTimeSeconds } from '../../../../shared/pricing';
import { api } from '../../api/client';
import { FieldError } from '../../forms/FieldError';
import { useFieldErrors } from '../../forms/field-errors';
import { JOB_FIELDS } from '../../forms/job-fields';
import type { JobField } from '../../forms/job-fields';
import { useStore } from '../../state/store';
import { benchHoursText, duration, exactTokens, tokens } from './format';
import { WorldLightField } from './WorldLightField';
import { defaultsFor, environmentOf, fromSpec, PRESETS, toSpecInput } from './job-form-state';
import type { FormState } from './job-form-state';

const TIERS: { id: Tier; label: string; hint: string }[] = [
  { id: 'economy', label: 'Economy', hint: 'any operator · fee 0.5 %' },
  { id: 'priority', label: 'Priority', hint: 'good operators first · fee 2 %' },
  { id: 'trusted', label: 'Trusted', hint: 'top-reputation operators only · fee 5 %' },
];

const FORMATS: { id: OutputFormat; label: string }[] = [
  { id: 'png8', label: 'PNG, 8-bit' },
  { id: 'png16', label: 'PNG, 16-bit' },
  { id: 'exr-half', label: 'OpenEXR, half float' },
  { id: 'exr-float', label: 'OpenEXR, full float' },
];

/** Estimates already measured in this window, by spec, operators seen and benchmark score. */
const estimates = new Map<string, Estimate>();

/**
 * The operators that could take a job now: this machine when it renders for the network,
 * and each connected peer that says it renders. Peers merely remembered do not count.
 */
export function useOperatorsSeen(): number {
  return useStore((s) => {
    const n = s.network;
    if (!n) return 1;
    const peers = n.peers.filter((p) => p.connected && (p.role === 'operator' || p.role === 'creator+operator')).length;
    return Math.max(1, (n.operator ? 1 : 0) + peers);
  });
}

/**
 * Expected wall time as a range: from every operator seen working at once to this computer
 * alone (others may be busy or leave), each task paying the scene load the probe measured.
 */
export function timeRange(e: Estimate): { low: number; high: number } {
  const overhead = Math.max(0, ...e.probes.map((p) => p.loadSeconds));
  const at = (nodes: number) => wallTimeSeconds({ bh: e.benchHours, tasks: e.tasks, nodes, score: e.wallTime.nodeScore, perTaskOverheadS: overhead });
  return { low: at(e.wallTime.nodes), high: at(1) };
}

/** The job form: every field validated inline; the estimate follows each change. */
export function JobForm({
  scene,
  seed,
  refusal,
  onSubmit,
  submitting,
}: {
  scene: SceneRecord;
  seed?: JobSpec | null;
  /** A refusal of these settings from elsewhere (pricing the draft), shown under its fields. */
  refusal?: unknown;
  onSubmit?: (spec: JobSpec, estimate: Estimate) => void;
  submitting?: boolean;
}) {
  const operatorsSeen = useOperatorsSeen();
  const connected = useStore((s) => s.connection === 'connected');
  const blend = scene.summary.blender;
  const [f, setF] = useState<FormState>(() => (seed && seed.sceneId === scene.sceneId ? fromSpec(seed) : defaultsFor(scene)));
  const setPreviewEnvironment = useStore((s) => s.setPreviewEnvironment);
  const envKey = JSON.stringify(environmentOf(f));
  // The scene's preview follows the world light chosen here; a new scene starts on auto.
  useEffect(() => {
    setPreviewEnvironment(JSON.parse(envKey) as JobSpec['environment']);
  }, [envKey, setPreviewEnvironment]);
  useEffect(() => () => setPreviewEnvironment('auto'), [setPreviewEnvironment]);
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const [estimating, setEstimating] = useState(false);
  /** The settings the shown estimate is for: another price is never offered beside "Review and pay". */
  const [estimateFor, setEstimateFor] = useState<string | null>(null);
  // What the API refused (past the form's own checks): each under its field, the rest in the estimate box.
  const apiErrors = useFieldErrors(JOB_FIELDS);
  const { report, clear } = apiErrors;
  useEffect(() => {
    if (refusal) report(refusal);
  }, [refusal, report]);

  const validation = useMemo(() => validateJobSpec(toSpecInput(scene.sceneId, f)), [scene.sceneId, f]);
  const problems = validation.ok ? [] : validation.problems;
  const localProblem = (...fields: string[]) => problems.find((p) => fields.some((fl) => p.field === fl || p.field.startsWith(`${fl}.`)))?.message;
  // The form's own check of what is typed now comes first; else what the API said of that field.
  const problemFor = (field: JobField, ...fields: string[]) => apiErrors.of(field, localProblem(...fields)) ?? undefined;
  const specKey = validation.ok ? JSON.stringify(validation.spec) : null;

  const score = useStore((s) => s.opStatus?.latestScore ?? null);
  // The same scene and settings on the same machine price the same: reopening a scene
  // does not measure it again (a new benchmark score or operator count does).
  const cacheKey = `${specKey}|${operatorsSeen}|${score}`;
  const fresh = estimateFor === cacheKey;
  useEffect(() => {
    if (!validation.ok) return;
    const spec = validation.spec;
    const hit = estimates.get(cacheKey);
    if (hit) {
      setEstimate(hit);
      setEstimateFor(cacheKey);
      clear();
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      setEstimating(true);
      api
        .call('creator.estimate', { spec, nodes: operatorsSeen })
        .then((e) => {
          estimates.set(cacheKey, e);
          if (!live) return;
          setEstimate(e);
          setEstimateFor(cacheKey);
          clear();
        })
        .catch((err: unknown) => {
          if (!live) return;
          setEstimate(null);
          report(err);
        })
        .finally(() => live && setEstimating(false));
    }, 350);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // specKey captures every field of the valid spec, so it alone decides when to re-estimate.
  }, [specKey, operatorsSeen, score]);
  const range = estimate ? timeRange(estimate) : null;
  const hasFieldError = (Object.keys(JOB_FIELDS.rules) as JobField[]).some((k) => apiErrors.of(k));

  const set = (patch: Partial<FormState>) => {
    setF((old) => ({ ...old, ...patch }));
    for (const k of Object.keys(patch) as JobField[]) clear(k);
  };
  const isStill = f.start === f.end;
  const field = (id: Exclude<keyof FormState, 'blender'>, label: string, error: string | undefined, props: Record<string, unknown> = {}) => (
    <div className="field">
      <label htmlFor={`job-${id}`}>{label}</label>
      <input id={`job-${id}`} inputMode="numeric" value={f[id]} onChange={(e) => set({ [id]: e.target.value })} aria-invalid={!!error} {...props} />
      <FieldError text={error} testId={`job-${id}-error`} />
    </div>
  );

  return (
    <section className="card job-form" data-testid="job-form">
      <h2>Render settings</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (validation.ok && estimate && onSubmit) onSubmit(validation.spec, estimate);
        }}
      >
        <div className="grid-2">
          {blend ? (
            <div className="field">
              <span className="label">Camera</span>
              <p className="muted small" data-testid="job-blend-camera">
                The scene&apos;s active camera{blend.camera ? ` (${blend.camera})` : ''}, as Blender renders it
              </p>
            </div>
          ) : (
            <div className="field">
              <label htmlFor="job-camera">Camera</label>
              <select id="job-camera" value={f.camera} onChange={(e) => set({ camera: e.target.value })}>
                <option value="auto">{scene.summary.cameras.length ? `Scene camera (${scene.summary.cameras[0]!.name || 'first'})` : 'Automatic framing'}</option>
                {scene.summary.cameras.map((c, i) => (
                  <option key={i} value={String(i)}>
                    {c.name || `Camera ${i + 1}`}
                  </option>
                ))}
              </select>
              <FieldError text={apiErrors.of('camera')} testId="job-camera-error" />
            </div>
          )}
          <div className="field">
            <label htmlFor="job-preset">Resolution</label>
            <select id="job-preset" value={f.preset} onChange={(e) => set({ preset: e.target.value as FormState['preset'] })}>
              {PRESETS.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.label}
                </option>
              ))}
            </select>
            {/* A preset hides the width and height fields: a refusal of either shows here. */}
            <FieldError text={apiErrors.of('preset') ?? (f.preset === 'custom' ? null : (apiErrors.of('width') ?? apiErrors.of('height')))} testId="job-preset-error" />
          </div>
          {f.preset === 'custom' && field('width', 'Width (px)', problemFor('width', 'width'))}
          {f.preset === 'custom' && field('height', 'Height (px)', problemFor('height', 'height'))}
          {field('spp', 'Samples per pixel', problemFor('spp', 'spp'))}
          <div className="field">
            <label htmlFor="job-output">Output</label>
            <select id="job-output" value={f.output} onChange={(e) => set({ output: e.target.value as OutputFormat })}>
              {FORMATS.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.label}
                </option>
              ))}
            </select>
            <FieldError text={apiErrors.of('output')} testId="job-output-error" />
          </div>
          {!blend && <WorldLightField scene={scene} f={f} set={set} problem={problemFor('environment', 'environment')} />}
          {field('start', 'First frame', problemFor('start', 'frames.start', 'frames'))}
          {field('end', 'Last frame', problemFor('end', 'frames.end'))}
          {!isStill && field('step', 'Every n-th frame', problemFor('step', 'frames.step'))}
          {isStill && field('tilesX', 'Tiles across', problemFor('tilesX', 'tiles.x', 'tiles'))}
          {isStill && field('tilesY', 'Tiles down', problemFor('tilesY', 'tiles.y'))}
          {blend && (
            <div className="field">
              <label htmlFor="job-denoise">
                <input type="checkbox" id="job-denoise" checked={false} disabled aria-describedby="job-denoise-why" /> Denoise frames after verification
              </label>
              {/* Off by default; refused in words until it can run. */}
              <p className="muted small" id="job-denoise-why" data-testid="job-denoise-why">
                {blend.denoiser
                  ? 'Not in the app yet: rayfarm submit FILE.blend --denoise denoises a network job\'s verified frames into OUT/denoised/.'
                  : 'Not available: this Blender was built without OpenImageDenoise.'}
              </p>
            </div>
          )}
        </div>
        <fieldset className="tiers">
          <legend>Tier</legend>
          {TIERS.map((t) => (
            <label key={t.id} className={`tier${f.tier === t.id ? ' active' : ''}`}>
              <input type="radio" name="tier" value={t.id} checked={f.tier === t.id} onChange={() => set({ tier: t.id })} />
              <span className="tier-name">{t.label}</span>
              <span className="muted small">{t.hint}</span>
            </label>
          ))}
          <FieldError text={apiErrors.of('tier')} testId="job-tier-error" />
        </fieldset>
        {localProblem('') && <p className="field-error">{localProblem('')}</p>}

        <div
          className={`estimate${estimating || !fresh ? ' stale' : ''}`}
          data-testid="estimate"
          data-measured={estimate ? String(estimate.measured) : undefined}
          title={estimate && !estimate.measured ? 'Priced from an earlier measurement of this scene on this computer (kept until its benchmark score changes).' : undefined}
          aria-live="polite"
        >
          {estimate && validation.ok ? (
            <>
              <div>
                <span className="muted small">
                  Work in <abbr title="A bench-hour (BH) is one hour of a computer that scores 100 on Rayfarm's benchmark; the price is bench-hours × the tier's rate.">bench-hours</abbr>
                </span>
                <strong data-testid="estimate-bh" title={`${estimate.benchHours.toPrecision(3)} bench-hours`}>
                  {benchHoursText(estimate.benchHours)} BH
                </strong>
              </div>
              <div>
                <span className="muted small">Operators</span>
                <strong title={exactTokens(estimate.operators)}>{tokens(estimate.operators)}</strong>
              </div>
              <div>
                <span className="muted small">Network fee ({(estimate.feeBps / 100).toFixed(1)} %)</span>
                <strong data-testid="estimate-fee" title={exactTokens(estimate.fee)}>
                  {tokens(estimate.fee)}
                </strong>
              </div>
              <div className="total">
                <span className="muted small">Total</span>
                <strong data-testid="estimate-total" title={exactTokens(estimate.price)}>
                  {tokens(estimate.price)}
                </strong>
              </div>
              <div>
                <span className="muted small" data-testid="estimate-operators">
                  Expected time · {estimate.wallTime.nodes === 1 ? '1 operator seen (this computer)' : `${estimate.wallTime.nodes} operators seen`}
                </span>
                <strong
                  data-testid="estimate-time"
                  title={
                    estimate.wallTime.nodes === 1
                      ? 'Only this computer renders for the network now; more operators would make it faster.'
                      : `The shorter time if all ${estimate.wallTime.nodes} operators take tasks at once; the longer one if this computer renders alone.`
                  }
                >
                  {range && duration(range.low) !== duration(range.high) ? `${duration(range.low)} – ${duration(range.high)}` : duration(range?.high ?? estimate.wallTime.seconds)}
                </strong>
              </div>
              <div>
                <span className="muted small">Tasks</span>
                <strong>
                  {estimate.tasks} ({estimate.frames} frame{estimate.frames === 1 ? '' : 's'})
                </strong>
              </div>
            </>
          ) : (
            <span className={apiErrors.general ? 'field-error' : 'muted'} data-testid={apiErrors.general ? 'estimate-error' : undefined}>
              {apiErrors.general ?? (!validation.ok || hasFieldError ? 'Fix the fields above to see the price.' : 'Measuring the scene on this computer…')}
            </span>
          )}
        </div>
        {onSubmit && (
          <button type="submit" className="btn btn-primary" disabled={!connected || !validation.ok || !estimate || !fresh || estimating || submitting || hasFieldError} data-testid="job-submit">
            {submitting ? 'Submitting…' : 'Review and pay'}
          </button>
        )}
      </form>
    </section>
  );
}
