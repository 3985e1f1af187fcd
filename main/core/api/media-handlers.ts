import type { mediaCalls } from '../../../shared/api';
import { MAX_API_IMAGE_BYTES } from '../../../shared/api';
import { RayfarmError } from '../errors';
import type { BlobStore } from '../store';
import type { HandlerMap } from './api-server';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Handlers for media.*: stored images only, never arbitrary blobs or files. */
export function mediaHandlers(blobs: BlobStore): HandlerMap<keyof typeof mediaCalls> {
  return {
    'media.image': ({ hash }) => {
      const size = blobs.size(hash);
      if (size === undefined) throw new RayfarmError('MEDIA_NOT_FOUND', 'That image is not stored on this computer.');
      if (size > MAX_API_IMAGE_BYTES) throw new RayfarmError('MEDIA_TOO_LARGE', 'That image is too large to show here; download it instead.');
      const bytes = blobs.get(hash);
      if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) throw new RayfarmError('MEDIA_NOT_IMAGE', 'That stored file is not a PNG image.');
      return { dataUrl: `data:image/png;base64,${bytes.toString('base64')}`, bytes: size };
    },
  };
}
