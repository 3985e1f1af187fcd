import { z } from 'zod';
import { EnvironmentSchema, JobSpecSchema, TierSchema } from '../job-spec';
import { call, NoInput } from './define';

/** What a problem found in a scene is about, so the UI can show it next to that thing. */
export const SceneProblemSubjectSchema = z.object({
  kind: z.enum(['texture', 'material', 'mesh', 'file', 'extension', 'accessor', 'camera', 'scene']),
  name: z.string(),
});

/** One thing wrong with a scene: errors block rendering, warnings do not. */
export const SceneProblemSchema = z.object({
  severity: z.enum(['error', 'warning']),
  /** Stable identifier, e.g. SCENE_MISSING_FILE. */
  code: z.string(),
  /** A sentence a person understands. */
  message: z.string(),
  subject: SceneProblemSubjectSchema.optional(),
});
export type SceneProblem = z.infer<typeof SceneProblemSchema>;

const vec3 = z.tuple([z.number(), z.number(), z.number()]);

/** What Blender found in a .blend (main/core/scene/blend-check.ts): the summary card and the job form's defaults. */
export const BlendSceneInfoSchema = z.object({
  kind: z.literal('blender'),
  /** The Blender major.minor the file was saved with. */
  blenderVersion: z.string(),
  /** The Blender that checked it here (and verifies its results). */
  checkedWith: z.string(),
  /** The job's engine id, `blender-cycles/<major.minor>` of the Blender that checked it (absent when it was refused). */
  engineId: z.string().optional(),
  /** Render engine, in words (Cycles, Eevee…). */
  engine: z.string(),
  scene: z.string(),
  frameStart: z.number().int(),
  frameEnd: z.number().int(),
  frameStep: z.number().int(),
  fps: z.number(),
  /** Output size: the file's resolution times its percentage. */
  width: z.number().int(),
  height: z.number().int(),
  resolutionPercentage: z.number().int(),
  samples: z.number().int(),
  seed: z.number().int(),
  cameras: z.array(z.string()),
  camera: z.string().nullable(),
  outputFormat: z.string(),
  externalFiles: z.array(z.object({ kind: z.string(), name: z.string(), path: z.string(), present: z.boolean(), packed: z.boolean(), usedBy: z.array(z.string()) })),
  /** Whether the creator's Blender can denoise (built with OpenImageDenoise). */
  denoiser: z.boolean().optional(),
});
export type BlendSceneInfo = z.infer<typeof BlendSceneInfoSchema>;

/** What a packaged scene holds. */
export const SceneSummarySchema = z.object({
  name: z.string(),
  /** Triangles drawn: a mesh used by three nodes counts three times. */
  triangles: z.number().int(),
  meshes: z.number().int(),
  materials: z.number().int(),
  textures: z.array(z.object({ name: z.string(), width: z.number().int(), height: z.number().int(), mimeType: z.string(), bytes: z.number().int() })),
  lights: z.array(z.object({ name: z.string(), type: z.string() })),
  cameras: z.array(z.object({ name: z.string(), type: z.string(), yfov: z.number().optional() })),
  animations: z.array(z.object({ name: z.string(), start: z.number(), end: z.number(), channels: z.number().int() })),
  bounds: z.object({ min: vec3, max: vec3 }),
  /** Size of the packaged GLB in bytes. */
  bytes: z.number().int(),
  /** True when `auto` lights the scene with the studio environment. */
  usesDefaultEnvironment: z.boolean(),
  /** What `auto` chose to light the scene with besides its own lights, and why (absent in summaries stored before it existed). */
  environment: z.object({ kind: z.enum(['studio', 'none', 'color', 'hdri']), reason: z.string(), hdri: z.string().optional() }).optional(),
  /** The environment maps (.hdr) packed with the scene, by the sha256 a job names them with. */
  environmentMaps: z.array(z.object({ name: z.string(), sha256: z.string(), width: z.number().int(), height: z.number().int() })).optional(),
  /** sha256 of the preview PNG in the blob store, when the engine could render one. */
  previewHash: z.string().nullable(),
  warnings: z.array(SceneProblemSchema),
  /** Present for a .blend (its glTF fields are then empty): what Blender found in it. */
  blender: BlendSceneInfoSchema.optional(),
});
export type SceneSummary = z.infer<typeof SceneSummarySchema>;

/** A scene in the library. */
export const SceneRecordSchema = z.object({
  /** sha256 of the packaged GLB. */
  sceneId: z.string(),
  name: z.string(),
  importedAt: z.number(),
  summary: SceneSummarySchema,
});
export type SceneRecord = z.infer<typeof SceneRecordSchema>;

/** The outcome of an import: the stored scene, or why it cannot be rendered. */
export const ImportResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), scene: SceneRecordSchema, problems: z.array(SceneProblemSchema), alreadyImported: z.boolean() }),
  /** `blender`: what Blender found in a refused .blend, shown beside its problems. */
  z.object({ ok: z.literal(false), problems: z.array(SceneProblemSchema), blender: BlendSceneInfoSchema.optional() }),
]);
export type ImportResult = z.infer<typeof ImportResultSchema>;

/** Where a scene to import is: a path (desktop) or a browser upload staged by the web server. */
export const SceneSourceSchema = z.union([
  z.object({ path: z.string().min(1).max(4096) }).strict(),
  z.object({ uploadId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, { error: 'the upload id is malformed' }) }).strict(),
]);

/** Largest environment map file a scene takes (an 8192 × 2048 float EXR is about 200 MiB). */
export const MAX_ENVIRONMENT_BYTES = 256 * 1024 ** 2;

/** The outcome of adding an environment map to a scene: the new scene (a new package) and the map, or why not. */
export const AttachEnvironmentResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), scene: SceneRecordSchema, map: z.object({ name: z.string(), sha256: z.string(), width: z.number().int(), height: z.number().int() }) }),
  z.object({ ok: z.literal(false), problems: z.array(SceneProblemSchema) }),
]);
export type AttachEnvironmentResult = z.infer<typeof AttachEnvironmentResultSchema>;

const amount = z.string().regex(/^\d+$/);

/** A job's estimate: its work, its price at the chosen tier and what it takes on the network. */
export const EstimateSchema = z.object({
  benchHours: z.number(),
  tasks: z.number().int(),
  frames: z.number().int(),
  /** Seconds this machine would need alone. */
  localSeconds: z.number(),
  localScore: z.number(),
  /** Seconds one task takes on a device of the reference score (scene load included). */
  secondsPerTaskAtReference: z.number(),
  tier: TierSchema,
  /** Smallest units of the token (18 decimals), as decimal strings. */
  price: amount,
  fee: amount,
  feeBps: z.number().int(),
  operators: amount,
  rate: amount,
  /** Wall time on `nodes` devices of `nodeScore`. */
  wallTime: z.object({ nodes: z.number().int(), nodeScore: z.number(), seconds: z.number() }),
  /** The probe renders measured on this machine. */
  probes: z.array(z.object({ frame: z.number().int(), pixels: z.number().int(), spp: z.number().int(), seconds: z.number(), loadSeconds: z.number() })),
  /** True when the probes were rendered for this answer; false when this machine had measured the same scene and settings before. */
  measured: z.boolean(),
});
export type Estimate = z.infer<typeof EstimateSchema>;

/** Validation outcome of a job spec, each problem naming its field. */
export const SpecValidationSchema = z.object({
  ok: z.boolean(),
  problems: z.array(z.object({ field: z.string(), message: z.string() })),
});

export const sceneCalls = {
  'creator.importScene': call(SceneSourceSchema, ImportResultSchema, 'Reads a glTF/GLB scene or a .blend, reports its problems, and stores it as one self-contained package (GLB, or the .blend with its files packed).'),
  'creator.attachEnvironment': call(
    z.union([
      z.object({ sceneId: z.string().regex(/^[0-9a-f]{64}$/), path: z.string().min(1).max(4096) }).strict(),
      z.object({ sceneId: z.string().regex(/^[0-9a-f]{64}$/), uploadId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, { error: 'the upload id is malformed' }) }).strict(),
    ]),
    AttachEnvironmentResultSchema,
    'Adds an environment map (.hdr or .exr, a path or a browser upload) to a stored glTF scene: a new scene package that carries it, offered by the job form’s World light.',
  ),
  'creator.listScenes': call(NoInput, z.array(SceneRecordSchema), 'The scenes imported so far, newest first.'),
  'creator.getScene': call(z.object({ sceneId: z.string().regex(/^[0-9a-f]{64}$/) }).strict(), SceneRecordSchema, 'One imported scene and its summary.'),
  'creator.estimate': call(
    z.object({ spec: JobSpecSchema, nodes: z.number().int().min(1).max(100_000).default(10), nodeScore: z.number().positive().optional() }).strict(),
    EstimateSchema,
    "Renders probes of the job's scene on this machine and prices the job at its tier.",
  ),
  'creator.preview': call(
    z
      .object({
        sceneId: z.string().regex(/^[0-9a-f]{64}$/),
        width: z.number().int().min(16).max(1920),
        height: z.number().int().min(16).max(1080),
        spp: z.number().int().min(1).max(64),
        /** The world light to preview (the job spec's `environment`); auto when absent. */
        environment: EnvironmentSchema.optional(),
      })
      .strict(),
    z.object({ dataUrl: z.string(), width: z.number().int(), height: z.number().int(), spp: z.number().int() }),
    'Renders the preview of a stored scene at the size the UI shows it (device pixels), for a sharper, progressively refined picture; nothing is stored.',
  ),
  'creator.validateSpec': call(z.object({ spec: z.unknown() }).strict(), SpecValidationSchema, 'Checks a job spec; each problem names its field.'),
};

export const sceneEvents = {
  'creator.sceneImported': SceneRecordSchema,
};
