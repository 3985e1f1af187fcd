import { MAX_FRAME_INDEX, MAX_RESOLUTION, MAX_SPP, MAX_TILES_PER_AXIS } from '../../../shared/job-spec';
import type { FieldMap } from './field-errors';

/** A field of the render settings form. */
export type JobField = 'camera' | 'preset' | 'width' | 'height' | 'spp' | 'start' | 'end' | 'step' | 'tilesX' | 'tilesY' | 'output' | 'tier' | 'environment';

/** The render settings form's fields as creator.estimate names them (its spec), in words. */
export const JOB_FIELDS: FieldMap<JobField> = {
  paths: {
    'spec.camera': 'camera',
    'spec.width': 'width',
    'spec.height': 'height',
    'spec.spp': 'spp',
    'spec.frames': 'start',
    'spec.frames.start': 'start',
    'spec.frames.end': 'end',
    'spec.frames.step': 'step',
    'spec.tiles': 'tilesX',
    'spec.tiles.x': 'tilesX',
    'spec.tiles.y': 'tilesY',
    'spec.output': 'output',
    'spec.tier': 'tier',
    'spec.environment': 'environment',
  },
  rules: {
    camera: 'Pick one of the cameras listed, or Automatic.',
    preset: `Pick a resolution, or Custom with a width and height from 16 to ${MAX_RESOLUTION} pixels.`,
    width: `The width must be a whole number of pixels from 16 to ${MAX_RESOLUTION}.`,
    height: `The height must be a whole number of pixels from 16 to ${MAX_RESOLUTION}.`,
    spp: `Samples per pixel must be a whole number from 1 to ${MAX_SPP}.`,
    start: `The first frame must be a whole number from 0 to ${MAX_FRAME_INDEX}.`,
    end: `The last frame must be a whole number from 0 to ${MAX_FRAME_INDEX}, not before the first.`,
    step: 'Every n-th frame must be a whole number of at least 1.',
    tilesX: `Tiles across must be a whole number from 1 to ${MAX_TILES_PER_AXIS}.`,
    tilesY: `Tiles down must be a whole number from 1 to ${MAX_TILES_PER_AXIS}.`,
    output: 'Pick one of the output formats listed.',
    tier: 'Pick Economy, Priority or Trusted.',
    environment: 'Pick a world light from the list: Automatic, Studio, None, a uniform colour, or one of the scene\'s environment maps.',
  },
};
