import { useEffect, useState } from 'react';
import { api } from '../api/client';

const cache = new Map<string, string>();

/** A stored PNG (preview, thumbnail) as a data URL, or null while it loads or when absent. */
export function useImage(hash: string | null | undefined): string | null {
  const [url, setUrl] = useState<string | null>(hash ? (cache.get(hash) ?? null) : null);
  useEffect(() => {
    if (!hash) return setUrl(null);
    const hit = cache.get(hash);
    if (hit) return setUrl(hit);
    let live = true;
    api
      .call('media.image', { hash })
      .then((r) => {
        cache.set(hash, r.dataUrl);
        if (live) setUrl(r.dataUrl);
      })
      .catch(() => live && setUrl(null));
    return () => {
      live = false;
    };
  }, [hash]);
  return url;
}
