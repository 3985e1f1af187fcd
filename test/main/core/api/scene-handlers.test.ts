import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../../main/core/app';
import type { App } from '../../../../main/core/app';
import { createGltfIO } from '../../../../main/core/engine/gltf-io';
import { cornellBox } from '../../../../scripts/scenes/samples';
import { tempDataDir } from '../../../helpers/headless';
import { engineBuilt } from '../../../helpers/engine';


describe('creator.* calls', () => {
  let app: App;
  let path: string;
  beforeAll(async () => {
    app = await createApp({ dataDir: tempDataDir(), log: () => {}, chain: 'off' });
    path = join(app.store.dataDir, 'cornell.glb');
    writeFileSync(path, await createGltfIO().writeBinary(cornellBox()));
  });
  afterAll(() => app.stop());

  it('imports a scene by path, announces it once, then lists and returns it', async () => {
    const events: string[] = [];
    const off = app.api.subscribe((e) => events.push(e.event));
    const r = await app.api.call('creator.importScene', { path });
    const again = await app.api.call('creator.importScene', { path });
    off();
    expect(r.ok && again.ok).toBe(true);
    if (!r.ok || !again.ok) return;
    expect(again.scene.sceneId).toBe(r.scene.sceneId);
    expect(again.alreadyImported).toBe(true);
    expect(events.filter((e) => e === 'creator.sceneImported')).toHaveLength(1);
    expect((await app.api.call('creator.listScenes')).map((s) => s.sceneId)).toEqual([r.scene.sceneId]);
    expect((await app.api.call('creator.getScene', { sceneId: r.scene.sceneId })).summary.triangles).toBe(36);
    if (engineBuilt) expect(r.scene.summary.previewHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports the problems of a broken scene as a result, not a failure', async () => {
    const r = await app.api.call('creator.importScene', { path: join(app.store.dataDir, 'missing.glb') });
    expect(r).toEqual({ ok: false, problems: [expect.objectContaining({ severity: 'error', code: 'SCENE_NOT_FOUND' })] });
  });

  it('validates a spec naming each bad field', async () => {
    const bad = await app.api.call('creator.validateSpec', { spec: { sceneId: 'x', width: 5, height: 100, spp: 1 } });
    expect(bad.ok).toBe(false);
    expect(bad.problems.map((p) => p.field).sort()).toEqual(['sceneId', 'width']);
    const good = await app.api.call('creator.validateSpec', { spec: { sceneId: 'a'.repeat(64), width: 64, height: 64, spp: 1 } });
    expect(good).toEqual({ ok: true, problems: [] });
  });

  it('answers getScene and estimate for an unknown scene with SCENE_UNKNOWN', async () => {
    const r = await app.api.invoke('creator.getScene', { sceneId: 'c'.repeat(64) }, { transport: 'local' });
    expect(r.ok === false && r.error.code).toBe('SCENE_UNKNOWN');
    const e = await app.api.invoke('creator.estimate', { spec: { sceneId: 'c'.repeat(64), width: 64, height: 64, spp: 1 } }, { transport: 'local' });
    expect(e.ok === false && e.error.code).toBe('SCENE_UNKNOWN');
  });

  it.skipIf(!engineBuilt)('estimates a job of an imported scene at its tier', async () => {
    app.store.settings.set('engine.benchmark', { score: 120, threads: 2, at: Date.now() });
    const [scene] = await app.api.call('creator.listScenes');
    const est = await app.api.call('creator.estimate', { spec: { sceneId: scene!.sceneId, width: 128, height: 96, spp: 8, tier: 'trusted' }, nodes: 3 });
    expect(est).toMatchObject({ tasks: 1, frames: 1, localScore: 120, tier: 'trusted', feeBps: 500, wallTime: { nodes: 3, nodeScore: 120 } });
    expect(BigInt(est.price)).toBeGreaterThan(0n);
    expect(BigInt(est.fee)).toBe((BigInt(est.price) * 500n) / 10_000n);
  });

  it.skipIf(!engineBuilt)('measures a scene once: the same settings reuse the probes, after a restart too, until the benchmark score changes', async () => {
    app.store.settings.set('engine.benchmark', { score: 120, threads: 2, at: Date.now() });
    const [scene] = await app.api.call('creator.listScenes');
    const spec = { sceneId: scene!.sceneId, width: 96, height: 64, spp: 4, tier: 'economy' as const };
    const first = await app.api.call('creator.estimate', { spec, nodes: 1 });
    expect(first.measured).toBe(true);
    const again = await app.api.call('creator.estimate', { spec, nodes: 2 });
    expect(again).toMatchObject({ measured: false, benchHours: first.benchHours, wallTime: { nodes: 2 } });
    // The tier only changes the price: the same probes, priced at the other rate.
    const trusted = await app.api.call('creator.estimate', { spec: { ...spec, tier: 'trusted' }, nodes: 1 });
    expect(trusted).toMatchObject({ measured: false, benchHours: first.benchHours, feeBps: 500 });
    // Other settings are another measurement.
    expect((await app.api.call('creator.estimate', { spec: { ...spec, spp: 5 }, nodes: 1 })).measured).toBe(true);

    // A restart of the whole API server on the same data folder reuses what was measured.
    const dataDir = app.store.dataDir;
    await app.stop();
    app = await createApp({ dataDir, log: () => {}, chain: 'off' });
    const reopened = await app.api.call('creator.estimate', { spec, nodes: 1 });
    expect(reopened).toMatchObject({ measured: false, benchHours: first.benchHours, price: first.price });

    // A new benchmark score means the probes no longer describe this machine.
    app.store.settings.set('engine.benchmark', { score: 240, threads: 2, at: Date.now() });
    const rescored = await app.api.call('creator.estimate', { spec, nodes: 1 });
    expect(rescored).toMatchObject({ measured: true, localScore: 240 });
    expect(app.store.db.prepare('SELECT COUNT(*) AS n FROM estimate_probes WHERE score != 240').get()).toEqual({ n: 0 });
  });

  it.skipIf(!engineBuilt)('ignores a damaged stored measurement and measures again', async () => {
    const [scene] = await app.api.call('creator.listScenes');
    const spec = { sceneId: scene!.sceneId, width: 96, height: 64, spp: 4, tier: 'economy' as const };
    app.store.db.prepare("UPDATE estimate_probes SET probes = '[{\"frame\":\"x\"}]'").run();
    expect((await app.api.call('creator.estimate', { spec, nodes: 1 })).measured).toBe(true);
    expect((await app.api.call('creator.estimate', { spec, nodes: 1 })).measured).toBe(false);
  });

  it.skipIf(!engineBuilt)('renders a preview at the size asked, one at a time, and refuses a size past its limits', async () => {
    const r = await app.api.call('creator.importScene', { path });
    if (!r.ok) throw new Error('import failed');
    const sceneId = r.scene.sceneId;
    const first = app.api.call('creator.preview', { sceneId, width: 96, height: 54, spp: 1 });
    // A second while the first renders is refused rather than queued on the engine.
    await expect(app.api.call('creator.preview', { sceneId, width: 96, height: 54, spp: 1 })).rejects.toMatchObject({ code: 'PREVIEW_BUSY' });
    const shot = await first;
    const png = Buffer.from(shot.dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
    // The PNG's own header says its size (IHDR width and height, big-endian, at bytes 16 and 20).
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([96, 54]);
    await expect(app.api.call('creator.preview', { sceneId, width: 5000, height: 54, spp: 1 })).rejects.toMatchObject({ code: 'API_BAD_INPUT' });
    await expect(app.api.call('creator.preview', { sceneId, width: 96, height: 54, spp: 1000 })).rejects.toMatchObject({ code: 'API_BAD_INPUT' });
    await expect(app.api.call('creator.preview', { sceneId: 'f'.repeat(64), width: 96, height: 54, spp: 1 })).rejects.toMatchObject({ code: 'SCENE_UNKNOWN' });
  });
});
