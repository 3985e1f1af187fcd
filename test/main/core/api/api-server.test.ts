import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../../main/core/app';
import type { App } from '../../../../main/core/app';
import { tempDataDir } from '../../../helpers/headless';

describe('ApiServer', () => {
  let app: App;
  beforeAll(async () => {
    app = await createApp({ dataDir: tempDataDir(), log: () => {}, chain: 'off' });
  });
  afterAll(() => app.stop());

  it('answers a valid call with its output', async () => {
    const r = await app.api.invoke('app.ping', { echo: 'hi' }, { transport: 'websocket' });
    expect(r.ok).toBe(true);
    expect(r.ok && (r.value as { echo: string }).echo).toBe('hi');
  });

  it('reports the data folder and schema version', async () => {
    const info = await app.api.call('app.info');
    expect(info.dataDir).toBe(app.store.dataDir);
    expect(info.schemaVersion).toBe(app.store.schemaVersion());
  });

  it.each([
    ['an unknown call', 'no.such.call', {}, 'API_UNKNOWN_CALL', /no API call named "no.such.call"/],
    ['a non-string call name', 42, {}, 'API_UNKNOWN_CALL', /no API call/],
    ['a missing field', 'app.ping', {}, 'API_BAD_INPUT', /echo/],
    ['a field of the wrong type', 'app.ping', { echo: 5 }, 'API_BAD_INPUT', /echo/],
    ['an extra field', 'app.ping', { echo: 'x', evil: true }, 'API_BAD_INPUT', /evil|unrecognized/i],
    ['an over-long string', 'app.ping', { echo: 'x'.repeat(5000) }, 'API_BAD_INPUT', /echo/],
    ['input that is not an object', 'prefs.set', 'dark', 'API_BAD_INPUT', /prefs.set/],
    ['an invalid enum value', 'prefs.set', { theme: 'neon' }, 'API_BAD_INPUT', /theme/],
  ])('answers %s with a typed error instead of crashing', async (_what, name, input, code, message) => {
    const r = await app.api.invoke(name, input, { transport: 'websocket' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe(code);
    expect(r.error.message).toMatch(message);
    expect(r.error.message).not.toMatch(/\n\s+at /); // no stack traces
  });

  it('stores preferences and tells every listener', async () => {
    const seen: unknown[] = [];
    const off = app.api.subscribe((e) => seen.push(e));
    const p = await app.api.call('prefs.set', { theme: 'dark' });
    off();
    expect(p.theme).toBe('dark');
    expect((await app.api.call('prefs.get')).theme).toBe('dark');
    expect(seen).toContainEqual({ event: 'prefs.changed', payload: { theme: 'dark' } });
  });

  it('serves stored PNGs as data URLs and refuses other blobs', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('rest of a png')]);
    const hash = app.store.blobs.put(png);
    const img = await app.api.call('media.image', { hash });
    expect(img.dataUrl).toBe(`data:image/png;base64,${png.toString('base64')}`);
    const other = app.store.blobs.put(Buffer.from('not an image'));
    await expect(app.api.call('media.image', { hash: other })).rejects.toMatchObject({ code: 'MEDIA_NOT_IMAGE' });
    await expect(app.api.call('media.image', { hash: 'f'.repeat(64) })).rejects.toMatchObject({ code: 'MEDIA_NOT_FOUND' });
    await expect(app.api.call('media.image', { hash: '../etc/passwd' })).rejects.toMatchObject({ code: 'API_BAD_INPUT' });
  });
});
