import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../main/core/app';
import type { App } from '../../../main/core/app';
import { startWebServer } from '../../../main/web/server';
import type { WebServer } from '../../../main/web/server';
import { defaultTokenFile, loadOrCreateToken } from '../../../main/web/token-file';
import { tempDataDir } from '../../helpers/headless';

describe('the access token file', () => {
  it('is made once, private to the user, and read back the same after a restart', () => {
    const file = defaultTokenFile(tempDataDir());
    const first = loadOrCreateToken(file);
    expect(first.created).toBe(true);
    expect(first.token).toMatch(/^[0-9a-f]{48}$/);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadOrCreateToken(file);
    expect(again).toEqual({ token: first.token, created: false });
  });

  it('is replaced on request, so every old address stops working', () => {
    const file = defaultTokenFile(tempDataDir());
    const old = loadOrCreateToken(file).token;
    const renewed = loadOrCreateToken(file, { renew: true });
    expect(renewed.token).not.toBe(old);
    expect(readFileSync(file, 'utf8').trim()).toBe(renewed.token);
  });

  it('refuses a file that does not hold a token, saying how to get a new one', () => {
    const file = join(tempDataDir(), 'token');
    for (const bad of ['', 'short', 'a b c d e f g h i j k l m n o p q r s t u v w x y z 0 1 2 3', `${'x'.repeat(31)}`]) {
      writeFileSync(file, bad);
      expect(() => loadOrCreateToken(file)).toThrow(/Delete it to have a new one made/);
    }
  });
});

// The page cannot see why its WebSocket was refused, so it asks; an upload with a stale
// token is answered in words too.
describe('a refused token, in words', () => {
  let app: App;
  let web: WebServer;
  let origin: string;
  beforeAll(async () => {
    app = await createApp({ dataDir: tempDataDir(), log: () => {}, chain: 'off' });
    web = await startWebServer({ api: app.api, port: 0, uploadsDir: app.uploadsDir, downloads: app.downloads });
    origin = `http://127.0.0.1:${web.port}`;
  });
  afterAll(async () => {
    await web.close();
    await app.stop();
  });

  it('says nothing but 204 to the right token', async () => {
    expect((await fetch(`${origin}/auth?token=${web.token}`)).status).toBe(204);
  });

  it('tells a stale token where the current address is', async () => {
    const r = await fetch(`${origin}/auth?token=${'0'.repeat(48)}`);
    expect(r.status).toBe(401);
    const body = (await r.json()) as { code: string; message: string };
    expect(body.code).toBe('WEB_TOKEN_WRONG');
    expect(body.message).toMatch(/Open the address printed in the terminal/);
  });

  it('tells a missing token that the address needs one', async () => {
    const body = (await (await fetch(`${origin}/auth`)).json()) as { code: string; message: string };
    expect(body).toMatchObject({ code: 'WEB_TOKEN_MISSING' });
    expect(body.message).toContain('?token=');
  });

  it('refuses an upload with a stale token in words, and stores nothing', async () => {
    const r = await fetch(`${origin}/upload?token=${'1'.repeat(48)}&upload=abcdefgh12&name=scene.glb`, { method: 'POST', body: 'x', headers: { origin } });
    expect(r.status).toBe(401);
    const body = (await r.json()) as { message: string };
    expect(body.message).not.toMatch(/HTTP|401/);
    expect(body.message).toMatch(/access token/);
    expect(() => statSync(join(app.uploadsDir, 'abcdefgh12'))).toThrow();
  });
});
