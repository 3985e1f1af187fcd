/**
 * The render settings form's state and its round trip to a job spec: numbers kept as typed
 * (so a half-typed field shows its problem), resolution presets, and the world light choice.
 */
import type { SceneRecord } from '../../../../shared/api';
import type { JobSpec, JobSpecInput, OutputFormat, Tier } from '../../../../shared/job-spec';
import { linearToSrgb, srgbToLinear } from '../../../../shared/srgb';

/** Resolution presets offered in the form. */
export const PRESETS = [
  { id: '360p', label: 'Preview 640 × 360', w: 640, h: 360 },
  { id: '720p', label: 'HD 1280 × 720', w: 1280, h: 720 },
  { id: '1080p', label: 'Full HD 1920 × 1080', w: 1920, h: 1080 },
  { id: '4k', label: '4K 3840 × 2160', w: 3840, h: 2160 },
  { id: 'square', label: 'Square 1024 × 1024', w: 1024, h: 1024 },
  { id: 'custom', label: 'Custom…', w: 0, h: 0 },
] as const;

/** The form's raw state; numbers are kept as typed so a half-typed field shows its problem. */
export interface FormState {
  camera: string;
  preset: (typeof PRESETS)[number]['id'];
  width: string;
  height: string;
  spp: string;
  start: string;
  end: string;
  step: string;
  tilesX: string;
  tilesY: string;
  output: OutputFormat;
  tier: Tier;
  /** 'auto' | 'default' | 'none' | 'color' | 'hdri:<sha256>'. */
  environment: string;
  /** #rrggbb (sRGB) for a uniform colour. */
  envColor: string;
  /** A .blend's job: its engine id, and the file's seed and fps (kept so frames equal Blender's own render). */
  blender?: { engine: string; seed: number; fps: number };
}

/** The form's first state for a scene: a glTF's usual preview settings, or a .blend's own frames, size and samples. */
export function defaultsFor(scene: SceneRecord): FormState {
  const b = scene.summary.blender;
  const base = { camera: 'auto', tilesX: '1', tilesY: '1', output: 'png8' as const, tier: 'economy' as const, environment: 'auto', envColor: '#ffffff' };
  if (b) {
    return {
      ...base,
      preset: PRESETS.find((p) => p.w === b.width && p.h === b.height)?.id ?? 'custom',
      width: String(b.width),
      height: String(b.height),
      spp: String(Math.max(1, b.samples)),
      start: String(Math.max(0, b.frameStart)),
      end: String(Math.max(0, b.frameEnd)),
      step: String(Math.max(1, b.frameStep)),
      ...(b.engineId ? { blender: { engine: b.engineId, seed: b.seed, fps: Math.min(1000, Math.max(0.001, b.fps)) } } : {}),
    };
  }
  const anim = scene.summary.animations;
  const lastFrame = anim.length ? Math.max(0, Math.round(Math.max(...anim.map((a) => a.end)) * 24)) : 0;
  return { ...base, preset: '360p', width: '640', height: '360', spp: '64', start: '0', end: String(Math.min(lastFrame, 3)), step: '1' };
}

/** The spec's environment from the form's choice (colour picked in sRGB, sent linear). */
export function environmentOf(f: FormState): JobSpecInput['environment'] {
  if (f.environment.startsWith('hdri:')) return { hdri: f.environment.slice(5) };
  if (f.environment === 'color') {
    const hex = /^#([0-9a-f]{6})$/i.exec(f.envColor)?.[1] ?? '000000';
    const lin = (i: number) => srgbToLinear(parseInt(hex.slice(i, i + 2), 16) / 255);
    return { color: [lin(0), lin(2), lin(4)] };
  }
  return f.environment as 'auto' | 'default' | 'none';
}

/** The form's environment fields from a spec's. */
function environmentFields(e: JobSpec['environment']): Pick<FormState, 'environment' | 'envColor'> {
  if (typeof e === 'string') return { environment: e, envColor: '#ffffff' };
  if ('hdri' in e) return { environment: `hdri:${e.hdri}`, envColor: '#ffffff' };
  const hex = e.color.map((c) => Math.round(255 * linearToSrgb(c)).toString(16).padStart(2, '0')).join('');
  return { environment: 'color', envColor: `#${hex}` };
}

/** The spec input the form's fields describe (NaN where a number is not yet typed). */
export function toSpecInput(sceneId: string, f: FormState): JobSpecInput {
  const preset = PRESETS.find((p) => p.id === f.preset)!;
  const n = (s: string) => (s.trim() === '' ? NaN : Number(s));
  return {
    sceneId,
    camera: f.camera === 'auto' ? 'auto' : Number(f.camera),
    width: f.preset === 'custom' ? n(f.width) : preset.w,
    height: f.preset === 'custom' ? n(f.height) : preset.h,
    spp: n(f.spp),
    frames: { start: n(f.start), end: n(f.end), step: n(f.step) },
    tiles: { x: n(f.tilesX), y: n(f.tilesY) },
    output: f.output,
    tier: f.tier,
    // A .blend is lit by its own world: the world light is the glTF engine's.
    ...(f.blender ? { engine: f.blender.engine, seed: f.blender.seed, fps: f.blender.fps } : { environment: environmentOf(f) }),
  };
}

/** The form's fields filled from a spec (a draft being edited). */
export function fromSpec(s: JobSpec): FormState {
  const preset = PRESETS.find((p) => p.w === s.width && p.h === s.height)?.id ?? 'custom';
  return {
    camera: s.camera === 'auto' ? 'auto' : String(s.camera),
    preset,
    width: String(s.width),
    height: String(s.height),
    spp: String(s.spp),
    start: String(s.frames.start),
    end: String(s.frames.end),
    step: String(s.frames.step),
    tilesX: String(s.tiles.x),
    tilesY: String(s.tiles.y),
    output: s.output,
    tier: s.tier,
    ...environmentFields(s.environment),
    ...(s.engine ? { blender: { engine: s.engine, seed: s.seed, fps: s.fps } } : {}),
  };
}
