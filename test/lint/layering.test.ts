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
    // Inside main/core: the network is a transport, the roles stand side by side, node/ composes.
    ['main/core/net/x.ts', "import { Dispatcher } from '../creator/dispatch/dispatcher';\nexport const a = Dispatcher;\n"],
    ['main/core/net/work/x.ts', "import { Worker } from '../../operator/work/worker';\nexport const a = Worker;\n"],
    ['main/core/net/x.ts', "import { startRayfarmNode } from '../node/start-node';\nexport const a = startRayfarmNode;\n"],
    ['main/core/net/x.ts', "import { networkHandlers } from '../api/network-handlers';\nexport const a = networkHandlers;\n"],
    ['main/core/creator/pay/x.ts', "import { Worker } from '../../operator/work/worker';\nexport const a = Worker;\n"],
    ['main/core/operator/x.ts', "import { SETTINGS } from '../creator/pay/estimator';\nexport const a = SETTINGS;\n"],
    ['main/core/render/x.ts', "import { SceneLibrary } from '../scene/scene-library';\nexport const a = SceneLibrary;\n"],
    ['main/core/store/x.ts', "import { loadScene } from '../engine';\nexport const a = loadScene;\n"],
    ['main/core/node/x.ts', "import { createApp } from '../app';\nexport const a = createApp;\n"],
    ['main/core/blender/x.ts', "import { SceneLibrary } from '../scene/scene-library';\nexport const a = SceneLibrary;\n"],
    ['main/core/net/x.ts', "import { findBlender } from '../blender';\nexport const a = findBlender;\n"],
  ])('rejects an upward import in %s', async (file, code) => {
    expect(await ruleIds(file, code)).toContain('no-restricted-imports');
  });

  it.each([
    ['main/core/x.ts', "import { z } from 'zod';\nimport { join } from 'node:path';\nimport { apiCalls } from '../../shared/api';\nexport const a = [z, join, apiCalls];\n"],
    ['renderer/src/x.ts', "import { apiCalls } from '../../shared/api';\nexport const a = apiCalls;\n"],
    ['main/electron/x.ts', "import { app } from 'electron';\nimport { createApp } from '../core/app';\nexport const a = [app, createApp];\n"],
    ['main/core/node/x.ts', "import { Dispatcher } from '../creator/dispatch/dispatcher';\nimport { Worker } from '../operator/work/worker';\nimport { NetNode } from '../net/net-node';\nexport const a = [Dispatcher, Worker, NetNode];\n"],
    ['main/core/creator/dispatch/x.ts', "import { ENGINE_ID } from '../../net/work/constants';\nimport { SceneRenderer } from '../../render/render-task';\nimport { JobStateStore } from '../pay/job-state';\nexport const a = [ENGINE_ID, SceneRenderer, JobStateStore];\n"],
    ['main/core/net/work/x.ts', "import { NetNode } from '../net-node';\nimport { sha256Hex } from '../../store';\nimport { readFileSync } from 'node:fs';\nexport const a = [NetNode, sha256Hex, readFileSync];\n"],
  ])('allows a downward import in %s', async (file, code) => {
    expect(await ruleIds(file, code)).not.toContain('no-restricted-imports');
  });
});
