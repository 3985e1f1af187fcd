import { useEffect, useState } from 'react';
import { BRIGHT_MEAN, DARK_MEAN } from '../../../shared/exposure';
import { useImage } from './use-image';

/** How a preview is lit, from the mean luminance of its pixels (0–255, sRGB as displayed). */
export interface Exposure {
  mean: number;
  verdict: 'dark' | 'bright' | 'ok';
}

/**
 * Below DARK_MEAN a frame reads as black to a person; above BRIGHT_MEAN it reads as white
 * (shared/exposure.ts, which the `auto` environment rule also uses). The frames paid for use
 * the same engine and lighting as the preview, so they will look the same.
 */
export { BRIGHT_MEAN, DARK_MEAN };

const cache = new Map<string, Exposure>();

/** The mean luminance of an image given as a data URL (Rec. 709 weights on the 8-bit values). */
export async function measureExposure(url: string): Promise<Exposure> {
  const img = new Image();
  img.src = url;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(img, 0, 0);
  const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) sum += 0.2126 * data[i]! + 0.7152 * data[i + 1]! + 0.0722 * data[i + 2]!;
  const mean = sum / Math.max(1, data.length / 4);
  return { mean, verdict: mean < DARK_MEAN ? 'dark' : mean > BRIGHT_MEAN ? 'bright' : 'ok' };
}

/** The exposure of a stored preview, or null while it loads (or when there is none). */
export function useExposure(previewHash: string | null | undefined): Exposure | null {
  const url = useImage(previewHash);
  const [exposure, setExposure] = useState<Exposure | null>(previewHash ? (cache.get(previewHash) ?? null) : null);
  useEffect(() => {
    if (!previewHash || !url) return setExposure(null);
    const hit = cache.get(previewHash);
    if (hit) return setExposure(hit);
    let live = true;
    measureExposure(url)
      .then((e) => {
        cache.set(previewHash, e);
        if (live) setExposure(e);
      })
      .catch(() => live && setExposure(null));
    return () => {
      live = false;
    };
  }, [previewHash, url]);
  return exposure;
}

/** The sentence that warns before paying, or null when the preview looks fine. */
export function exposureWarning(e: Exposure | null): string | null {
  if (!e || e.verdict === 'ok') return null;
  const level = `average brightness ${Math.round(e.mean)} of 255`;
  return e.verdict === 'dark'
    ? `The preview is nearly black (${level}). The frames you pay for will look the same: the scene has almost no light the renderer can see. Add lights or brighter emissive materials to the scene before paying.`
    : `The preview is almost white (${level}). The frames you pay for will look the same: the scene is lit far too brightly. Lower its light or emissive strengths before paying.`;
}
