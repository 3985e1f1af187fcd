import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: ROOT });

async function ruleIds(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, file) });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('the layering rules of STYLE.md', () => {
  it.each([
    ['main/core/x.ts', "import { app } from 'electron';\nexport const a = app;\n"],
    ['main/core/store/x.ts', "import { a } from '../../web/server';\nexport const b = a;\n"],
    ['main/core/x.ts', "import { a } from '../../renderer/src/App';\nexport const b = a;\n"],
    ['shared/x.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n"],
    ['shared/x.ts', "import { a } from '../main/core/app';\nexport const b = a;\n"],
    ['renderer/src/x.ts', "import { join } from 'node:path';\nexport const a = join;\n"],
    ['renderer/src/x.ts', "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;\n"],
    ['renderer/src/x.ts', "import { createApp } from '../../main/core/app';\nexport const a = createApp;\n"],
    ['main/web/x.ts', "import { BrowserWindow } from 'electron';\nexport const a = BrowserWindow;\n"],
  ])('rejects an upward import in %s', async (file, code) => {
    expect(await ruleIds(file, code)).toContain('no-restricted-imports');
  });

  it.each([
    ['main/core/x.ts', "import { z } from 'zod';\nimport { join } from 'node:path';\nimport { apiCalls } from '../../shared/api';\nexport const a = [z, join, apiCalls];\n"],
    ['renderer/src/x.ts', "import { apiCalls } from '../../shared/api';\nexport const a = apiCalls;\n"],
    ['main/electron/x.ts', "import { app } from 'electron';\nimport { createApp } from '../core/app';\nexport const a = [app, createApp];\n"],
  ])('allows a downward import in %s', async (file, code) => {
    expect(await ruleIds(file, code)).not.toContain('no-restricted-imports');
  });
});
