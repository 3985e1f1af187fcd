// Draws the tray icons (one per operator state) into resources/icons/ with pngjs:
// tray-<state>.png (16 px) and tray-<state>@2x.png (32 px). The PNGs are committed; run
// `node scripts/make-tray-icons.mjs` again after changing the drawing.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'icons');
const BRAND = [255, 106, 61];
const STATES = {
  idle: [59, 130, 246],
  rendering: [31, 197, 95],
  paused: [230, 160, 0],
  error: [224, 60, 60],
};

/** Coverage of a pixel by a shape, by 4x4 supersampling (smooth edges at 16 px). */
function coverage(x, y, inside) {
  let n = 0;
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (inside(x + (i + 0.5) / 4, y + (j + 0.5) / 4)) n++;
  return n / 16;
}

function blend(png, x, y, rgb, a) {
  if (a <= 0) return;
  const k = (y * png.width + x) * 4;
  const da = png.data[k + 3] / 255;
  const oa = a + da * (1 - a);
  for (let c = 0; c < 3; c++) png.data[k + c] = Math.round((rgb[c] * a + png.data[k + c] * da * (1 - a)) / (oa || 1));
  png.data[k + 3] = Math.round(oa * 255);
}

function draw(size, status, state) {
  const png = new PNG({ width: size, height: size });
  const s = size / 16;
  // The brand mark: a ring (a lens seen from the front) with a ray through it.
  const cx = 7.5 * s, cy = 7.5 * s;
  const ring = (x, y) => {
    const d = Math.hypot(x - cx, y - cy);
    return d <= 6.6 * s && d >= 4.2 * s;
  };
  const core = (x, y) => Math.hypot(x - cx, y - cy) <= 2.2 * s;
  // The state badge in the lower right, with a transparent gap around it.
  const bx = 12 * s, by = 12 * s, br = 3.6 * s;
  const badge = (x, y) => Math.hypot(x - bx, y - by) <= br;
  const gap = (x, y) => Math.hypot(x - bx, y - by) <= br + 1.2 * s;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const g = coverage(x, y, gap);
      blend(png, x, y, BRAND, coverage(x, y, ring) * (1 - g));
      blend(png, x, y, BRAND, coverage(x, y, core) * (1 - g));
      blend(png, x, y, status, coverage(x, y, badge));
    }
  }
  if (state === 'paused') {
    // Two white bars in the badge.
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        blend(png, x, y, [255, 255, 255], coverage(x, y, (px, py) => Math.abs(py - by) <= 1.6 * s && (Math.abs(px - (bx - 1.1 * s)) <= 0.55 * s || Math.abs(px - (bx + 1.1 * s)) <= 0.55 * s)));
  }
  return PNG.sync.write(png);
}

mkdirSync(OUT, { recursive: true });
for (const [state, rgb] of Object.entries(STATES)) {
  writeFileSync(join(OUT, `tray-${state}.png`), draw(16, rgb, state));
  writeFileSync(join(OUT, `tray-${state}@2x.png`), draw(32, rgb, state));
}
console.log(`tray icons written to ${OUT}`);
