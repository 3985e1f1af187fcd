/**
 * RAYFARM_environment: a scene's own environment map (an equirect Radiance .hdr) as a glTF
 * root extension, `{"image": <index into images>, "intensity": 1}`. The image travels inside
 * the package like any texture (so it is content-addressed with the scene, and read through
 * the same folder confinement when a .gltf refers to it by URI), and the flattener lights
 * the scene with it when the job's environment is `auto` or names its sha256.
 */
import { Extension, ExtensionProperty, PropertyType } from '@gltf-transform/core';
import type { IProperty, Nullable, ReaderContext, Texture, WriterContext } from '@gltf-transform/core';
import { isHdr } from './hdr';

/** The extension's name in glTF files. */
export const RAYFARM_ENVIRONMENT = 'RAYFARM_environment';
/** The MIME type of a Radiance .hdr image. */
export const HDR_MIME = 'image/vnd.radiance';

interface IEnvironmentMap extends IProperty {
  image: Texture;
  intensity: number;
}

/** The root's environment map and its intensity (a multiplier of the map's radiance). */
export class EnvironmentMap extends ExtensionProperty<IEnvironmentMap> {
  static override EXTENSION_NAME = RAYFARM_ENVIRONMENT;
  declare extensionName: typeof RAYFARM_ENVIRONMENT;
  declare propertyType: 'EnvironmentMap';
  declare parentTypes: [PropertyType.ROOT];

  protected init(): void {
    this.extensionName = RAYFARM_ENVIRONMENT;
    this.propertyType = 'EnvironmentMap';
    this.parentTypes = [PropertyType.ROOT];
  }

  protected override getDefaults(): Nullable<IEnvironmentMap> {
    return Object.assign(super.getDefaults() as IProperty, { image: null, intensity: 1 });
  }

  /** The .hdr image. */
  getImage(): Texture | null {
    return this.getRef('image');
  }
  /** Sets the .hdr image. */
  setImage(t: Texture | null): this {
    return this.setRef('image', t);
  }
  /** Radiance multiplier. */
  getIntensity(): number {
    return this.get('intensity');
  }
  /** Sets the radiance multiplier. */
  setIntensity(v: number): this {
    return this.set('intensity', v);
  }
}

/** Reads and writes RAYFARM_environment. */
export class RayfarmEnvironment extends Extension {
  static override EXTENSION_NAME = RAYFARM_ENVIRONMENT;
  override readonly extensionName = RAYFARM_ENVIRONMENT;

  /** A new environment map property (attach it with root.setExtension). */
  createEnvironmentMap(): EnvironmentMap {
    return new EnvironmentMap(this.document.getGraph());
  }

  read(context: ReaderContext): this {
    const def = context.jsonDoc.json.extensions?.[RAYFARM_ENVIRONMENT] as { image?: unknown; intensity?: unknown } | undefined;
    if (!def || typeof def !== 'object') return this;
    const image = typeof def.image === 'number' && Number.isInteger(def.image) ? context.textures[def.image] : undefined;
    if (!image) return this;
    // A .gltf may name the file without a MIME type; the packaged GLB then says it plainly.
    const bytes = image.getImage();
    if (bytes && isHdr(bytes)) image.setMimeType(HDR_MIME);
    const env = this.createEnvironmentMap().setImage(image);
    // Anything but a number becomes NaN, which the flattener refuses in words.
    if (def.intensity !== undefined) env.setIntensity(typeof def.intensity === 'number' ? def.intensity : Number.NaN);
    this.document.getRoot().setExtension(RAYFARM_ENVIRONMENT, env);
    return this;
  }

  write(context: WriterContext): this {
    const env = this.document.getRoot().getExtension<EnvironmentMap>(RAYFARM_ENVIRONMENT);
    const image = env?.getImage();
    if (!env || !image) return this;
    const index = context.imageIndexMap.get(image);
    if (index === undefined) return this;
    const json = context.jsonDoc.json;
    json.extensions = json.extensions ?? {};
    json.extensions[RAYFARM_ENVIRONMENT] = { image: index, intensity: env.getIntensity() };
    return this;
  }
}
