import type { FieldMap } from './field-errors';

/** The drop zone is the import's one field: whatever the API refused of a scene's source shows there. */
export const SCENE_SOURCE_FIELDS: FieldMap<'files'> = {
  paths: { uploadId: 'files', path: 'files' },
  codes: { SCENE_BAD_UPLOAD: { field: 'files', rule: true }, SCENE_NOT_FOUND: 'files', SCENE_TOO_LARGE: 'files', SCENE_UNREADABLE: 'files' },
  rules: { files: "The scene's files did not reach Rayfarm as they should. Drop the scene's files (or its folder) again." },
};
