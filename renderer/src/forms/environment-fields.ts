import type { FieldMap } from './field-errors';

/** The World light's "Add an environment map…" is one field: whatever the API refused of the file shows under it. */
export const ENVIRONMENT_MAP_FIELDS: FieldMap<'environmentMap'> = {
  paths: { sceneId: 'environmentMap', uploadId: 'environmentMap', path: 'environmentMap' },
  codes: {
    SCENE_BAD_UPLOAD: { field: 'environmentMap', rule: true },
    SCENE_UNKNOWN: 'environmentMap',
    SCENE_IS_BLEND: 'environmentMap',
    SCENE_IMPORT_CRASHED: 'environmentMap',
    UPLOAD_TOO_LARGE: 'environmentMap',
  },
  rules: { environmentMap: 'The environment map did not reach Rayfarm as it should. Choose the .hdr or .exr file again.' },
};
