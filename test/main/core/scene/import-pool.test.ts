import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RayfarmError } from '../../../../main/core/errors';
import { SceneImportPool } from '../../../../main/core/scene/import-pool';
import { SceneLibrary } from '../../../../main/core/scene/scene-library';
import { prepareScene } from '../../../../main/core/scene/scene-prepare';
import type { PreparedScene, PrepareRequest } from '../../../../main/core/scene/scene-prepare';
import { openStore, sha256Hex } from '../../../../main/core/store';
import type { Store } from '../../../../main/core/store';
import { countTurns } from '../helpers/event-loop';

const ROOT = resolve(import.meta.dirname, '../../../..');
const HEAVY = join(ROOT, 'resources/scenes/heavy.glb');
const FIXTURES = join(import.meta.dirname, '../workers/fixtures');

let dir: string;
let store: Store;
const pools: SceneImportPool[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rf-pool-'));
  store = openStore(join(dir, 'data'));
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function pool(opts: ConstructorParameters<typeof SceneImportPool>[0] = {}): SceneImportPool {
  const p = new SceneImportPool(opts);
  pools.push(p);
  return p;
}

function expectSame(a: PreparedScene, b: PreparedScene): void {
  expect(a.ok).toBe(b.ok);
  if (!a.ok || !b.ok) return expect(a.problems).toEqual(b.problems);
  expect(Buffer.from(a.glb).equals(Buffer.from(b.glb))).toBe(true);
  expect(a.name).toBe(b.name);
  expect(a.problems).toEqual(b.problems);
  expect(JSON.stringify(a.summary)).toBe(JSON.stringify(b.summary));
}

describe('SceneImportPool', () => {
  it('importScene: keeps the event loop turning while heavy.glb is read and packaged, with the in-thread result', async () => {
    const lib = new SceneLibrary({ store });
    const { value: r, turns } = await countTurns(() => lib.importScene({ path: HEAVY }));
    await lib.close();
    // Run in-thread, this import gives the loop no turn at all; in the worker it turns freely.
    expect(turns).toBeGreaterThan(100);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const expected = await prepareScene({ source: { path: HEAVY } });
    if (!expected.ok) throw new Error('in-thread import failed');
    expect(r.scene.sceneId).toBe(sha256Hex(expected.glb));
    expect(Buffer.from(store.blobs.get(r.scene.sceneId)).equals(Buffer.from(expected.glb))).toBe(true);
    const noPreview = { severity: 'warning', code: 'SCENE_NO_PREVIEW', message: 'No preview: the render engine is not available here.' };
    expect(r.scene.summary).toEqual({ ...expected.summary, warnings: [...expected.summary.warnings, noPreview] });
    expect(r.problems).toEqual([...expected.problems, noPreview]);
    expect(r.scene.name).toBe(expected.name);
  });

  it('prepare: gives the same bytes, summary and problems as the in-thread functions', async () => {
    const p = pool();
    const bytes = readFileSync(HEAVY);
    const requests: PrepareRequest[] = [
      { source: { path: HEAVY } },
      { source: { files: [{ name: 'scenes/heavy.glb', bytes }] } },
      { source: { path: join(dir, 'missing.glb') } },
      { source: { files: [{ name: 'broken.gltf', bytes: new TextEncoder().encode('{"asset": {}') }] } },
    ];
    // Two at once through the one worker, then the rest.
    const [a, b] = await Promise.all(requests.slice(0, 2).map((r) => p.prepare(r)));
    const results = [a!, b!, ...(await Promise.all(requests.slice(2).map((r) => p.prepare(r))))];
    for (const [i, req] of requests.entries()) expectSame(results[i]!, await prepareScene(req));
    expect(results.map((r) => r.ok)).toEqual([true, true, false, false]);
    // The caller's upload bytes were copied, not moved.
    expect(bytes.byteLength).toBeGreaterThan(0);
  });

  it('prepare: an exception in the worker keeps its message', async () => {
    const p = pool();
    const bad = { source: { files: 'not a list' } } as unknown as PrepareRequest;
    const inThread = await prepareScene(bad).catch((e: Error) => e);
    const inWorker = await p.prepare(bad).catch((e: Error) => e);
    expect(inThread).toBeInstanceOf(Error);
    expect(inWorker).toBeInstanceOf(Error);
    expect((inWorker as Error).message).toBe((inThread as Error).message);
    expect((inWorker as Error).name).toBe((inThread as Error).name);
  });

  it('prepare: a coded error from the worker stays a RayfarmError with its code', async () => {
    const p = pool({ entry: async () => join(FIXTURES, 'failing-worker.mjs') });
    const err = await p.prepare({ source: { path: HEAVY } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RayfarmError);
    expect(err).toMatchObject({ code: 'SCENE_TEST_FAILURE', message: 'failed on purpose', details: { at: 'worker' } });
  });

  it('prepare: a worker that dies mid-import fails the import with SCENE_IMPORT_CRASHED', async () => {
    const p = pool({ entry: async () => join(FIXTURES, 'crash-worker.mjs') });
    const req: PrepareRequest = { source: { path: HEAVY } };
    const err = await p.prepare(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RayfarmError);
    expect((err as RayfarmError).code).toBe('SCENE_IMPORT_CRASHED');
    expect((err as Error).message).toContain('exited with code 3');
    // The next import starts a fresh worker (this one dies too).
    await expect(p.prepare(req)).rejects.toMatchObject({ code: 'SCENE_IMPORT_CRASHED' });
  });

  it('prepare: a worker that cannot start falls back to this thread and says so', async () => {
    const lines: string[] = [];
    const p = pool({ entry: async () => join(FIXTURES, 'no-such-worker.mjs'), log: (l) => lines.push(l) });
    const req: PrepareRequest = { source: { path: HEAVY } };
    expectSame(await p.prepare(req), await prepareScene(req));
    expectSame(await p.prepare(req), await prepareScene(req));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/scene import worker could not start .*importing scenes on the main thread/);
  });

  it('close: fails an import in flight and refuses new ones', async () => {
    const p = pool();
    const running = p.prepare({ source: { path: HEAVY } }).catch((e: unknown) => e);
    await p.close();
    expect(await running).toMatchObject({ code: 'SCENE_IMPORT_CLOSED' });
    await expect(p.prepare({ source: { path: HEAVY } })).rejects.toMatchObject({ code: 'SCENE_IMPORT_CLOSED' });
  });

  it('a process that imported a scene and never closed the library exits by itself', async () => {
    // execFile's timeout kills a process kept alive by the worker, which fails the test.
    const { stdout } = await promisify(execFile)(process.execPath, [join(FIXTURES, 'import-and-exit.mjs'), HEAVY], { cwd: ROOT, timeout: 50_000 });
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as { ok: boolean; sceneId: string };
    expect(out.ok).toBe(true);
    const expected = await prepareScene({ source: { path: HEAVY } });
    expect(expected.ok && out.sceneId === sha256Hex(expected.glb)).toBe(true);
  });
});
