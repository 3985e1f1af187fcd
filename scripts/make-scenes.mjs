// Generates the sample scenes into resources/scenes/ (run by postinstall and `npm run build:scenes`).
// The generators are TypeScript (scripts/scenes/), loaded through tsx.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
register();
const { makeScenes } = await import('./scenes/index.ts');
const files = await makeScenes(process.argv[2] ?? join(root, 'resources', 'scenes'));
for (const f of files) console.log(`  ${f.file.padEnd(14)} ${(f.bytes / 1024).toFixed(0).padStart(6)} KiB`);
console.log(`rayfarm: sample scenes written in ${((Date.now() - started) / 1000).toFixed(1)} s`);
