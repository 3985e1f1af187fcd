// Builds what `npm ci` must leave ready: the native engine and the compiled contracts.
// Each step is its own script so it can be re-run alone (npm run build:native, ...).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const steps = [
  ['native/binding.gyp', 'npm', ['run', 'build:native']],
  ['scripts/compile-contracts.mjs', 'npm', ['run', 'build:contracts']],
  ['scripts/make-scenes.mjs', 'npm', ['run', 'build:scenes']],
  ['renderer/index.html', 'npm', ['run', 'build:renderer']],
];

for (const [marker, cmd, args] of steps) {
  if (!existsSync(marker)) continue;
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error(`rayfarm: postinstall step "${args.join(' ')}" failed (exit ${r.status}).`);
    process.exit(r.status ?? 1);
  }
}
