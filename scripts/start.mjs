// `npm start`: builds the desktop app and launches it in Electron. Where no Electron binary
// can be had (CI, these dev boxes: ELECTRON_SKIP_BINARY_DOWNLOAD), it says so in one line
// and points to the headless form.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const dir = dirname(require.resolve('electron/package.json'));
    const rel = existsSync(join(dir, 'path.txt')) ? readFileSync(join(dir, 'path.txt'), 'utf8').trim() : null;
    const bin = rel ? join(dir, 'dist', rel) : null;
    if (bin && existsSync(bin)) return bin;
    if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return null;
    // Electron 45 downloads its binary on first use; try once, quietly.
    const r = spawnSync(process.execPath, [join(dir, 'install.js')], { stdio: 'ignore', timeout: 120_000 });
    if (r.status !== 0) return null;
    const rel2 = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
    return existsSync(join(dir, 'dist', rel2)) ? join(dir, 'dist', rel2) : null;
  } catch {
    return null;
  }
}

const bin = electronBinary();
if (!bin) {
  console.error('rayfarm: no Electron binary is available on this machine — run `npm run headless` to use Rayfarm in your browser instead.');
  process.exit(1);
}
const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync(bin, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 0);
