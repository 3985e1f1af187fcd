/**
 * The engine's input and output types: what the glTF flattener produces and the native
 * path tracer consumes. Everything is in world space, linear colour, metres, radians.
 * Kept free of Node imports so tests and workers can share it.
 */

/** Row-major? No: glTF order. A 4x4 matrix in column-major order, 16 numbers. */
export type Mat4 = readonly number[];
export type Vec3 = readonly [number, number, number];
export type Vec4 = readonly [number, number, number, number];

/** glTF sampler wrap modes. */
export type WrapMode = 'repeat' | 'clamp' | 'mirror';

/** An RGBA8 texture, rows top to bottom as in the image file. */
export interface TextureDesc {
  width: number;
  height: number;
  /** width * height * 4 bytes. */
  data: Uint8Array;
  wrapS: WrapMode;
  wrapT: WrapMode;
  /** true for colour data (base colour, emissive): decoded from sRGB to linear when sampled. */
  srgb: boolean;
  /**
   * KHR_texture_transform as a 2×3 matrix on (u, v, 1), row-major: u' = m0 u + m1 v + m2,
   * v' = m3 u + m4 v + m5. Absent: identity.
   */
  transform?: readonly [number, number, number, number, number, number];
}

/** glTF metallic-roughness material. Texture fields are indices into `textures`, or -1. */
export interface MaterialDesc {
  name: string;
  baseColor: Vec4;
  baseColorTexture: number;
  metallic: number;
  roughness: number;
  /** glTF: B channel metallic, G channel roughness. */
  metallicRoughnessTexture: number;
  /** Already multiplied by KHR_materials_emissive_strength. */
  emissive: Vec3;
  emissiveTexture: number;
  normalTexture: number;
  normalScale: number;
  /** KHR_materials_specular: strength of the dielectric specular layer (1 = glTF's default, 0 = pure Lambert). */
  specular: number;
  /** Its texture (A channel), or -1. */
  specularTexture: number;
  /** KHR_materials_specular: tint of the dielectric reflectance at normal incidence (linear). */
  specularColor: Vec3;
  /** Its texture (RGB, sRGB-encoded), or -1. */
  specularColorTexture: number;
  alphaMode: 'opaque' | 'mask' | 'blend';
  alphaCutoff: number;
  doubleSided: boolean;
  /** KHR_materials_transmission: share of the dielectric base that transmits (0..1; absent 0). */
  transmission?: number;
  /** Its texture (R channel), or -1. */
  transmissionTexture?: number;
  /** KHR_materials_ior: index of refraction, 1..10 (absent: 1.5). Sets the dielectric's F0 too. */
  ior?: number;
  /** KHR_materials_volume: > 0 makes the mesh a closed volume (refracting, absorbing); 0 thin-walled. */
  thickness?: number;
  /** KHR_materials_volume: the colour white light becomes after attenuationDistance metres (linear, 0..1). */
  attenuationColor?: Vec3;
  /** KHR_materials_volume: metres; 0 = no absorption (glTF's +Infinity). */
  attenuationDistance?: number;
  /** KHR_materials_clearcoat: coat layer strength 0..1, its texture (R), roughness 0..1 and its texture (G). */
  clearcoat?: number;
  clearcoatTexture?: number;
  clearcoatRoughness?: number;
  clearcoatRoughnessTexture?: number;
  /** KHR_materials_sheen: linear colour 0..1 (black = none), its texture (RGB, sRGB), roughness 0..1 and its texture (A). */
  sheenColor?: Vec3;
  sheenColorTexture?: number;
  sheenRoughness?: number;
  sheenRoughnessTexture?: number;
}

/** KHR_lights_punctual light, already placed in world space. */
export interface LightDesc {
  type: 'point' | 'spot' | 'directional';
  position: Vec3;
  /** Direction the light points to (spot, directional), normalised. */
  direction: Vec3;
  /** Linear colour times intensity (candela for point/spot, lux for directional). */
  color: Vec3;
  intensity: number;
  /** 0 = infinite. */
  range: number;
  innerConeAngle: number;
  outerConeAngle: number;
}

export type BackgroundDesc =
  | { type: 'color'; color: Vec3 }
  | { type: 'equirect'; texture: number; intensity: number }
  /** An HDR environment map (equirect, same mapping): linear RGB floats, rows top to bottom. */
  | { type: 'hdri'; width: number; height: number; data: Float32Array; intensity: number };

/** A perspective camera. The camera looks down its local -Z with +Y up, as in glTF. */
export interface CameraDesc {
  /** Camera-to-world transform, column-major, 16 numbers. */
  cameraToWorld: Mat4;
  /** Vertical field of view in radians. */
  yfov: number;
  name?: string;
}

/** A flattened, render-ready scene (one instant of an animation). */
export interface SceneBuffers {
  /** xyz per vertex, world space. */
  positions: Float32Array;
  /** xyz per vertex; empty means use the geometric normal. */
  normals: Float32Array;
  /** uv per vertex; empty when no primitive has uvs. */
  uvs: Float32Array;
  /** xyzw per vertex; empty when absent. */
  tangents: Float32Array;
  /** Three vertex indices per triangle. */
  indices: Uint32Array;
  /** One material index per triangle. */
  materialIndex: Uint32Array;
  materials: MaterialDesc[];
  textures: TextureDesc[];
  lights: LightDesc[];
  background: BackgroundDesc;
}

/** A pixel rectangle of the full frame; x, y from the top-left corner. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where a render runs. */
export type Backend = 'cpu' | 'cuda';

/** One device the engine can render on. */
export interface DeviceInfo {
  backend: Backend;
  name: string;
  /** Bytes of device memory; 0 when unknown (CPU). */
  memory: number;
  threads: number;
}
