#!/usr/bin/env node
// Runs the TypeScript CLI directly from the sources through tsx's loader, so `npx rayfarm`
// and the package's bin need no separate build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli/index.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
