import { z } from 'zod';
import { call } from './define';

/** Largest image the UI fetches through the API (previews and thumbnails, not full frames). */
export const MAX_API_IMAGE_BYTES = 8 * 1024 * 1024;

export const mediaCalls = {
  'media.image': call(
    z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a sha256 in lower-case hex' }) }).strict(),
    z.object({ dataUrl: z.string(), bytes: z.number().int() }),
    'A stored PNG (a scene preview, a frame thumbnail) as a data: URL, over either transport.',
  ),
};
