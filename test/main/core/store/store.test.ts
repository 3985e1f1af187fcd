import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, migrate, schemaVersion } from '../../../../main/core/store/database';
import { openStore } from '../../../../main/core/store';
import type { Store } from '../../../../main/core/store';
import { migrations } from '../../../../main/core/store/migrations';
import type { Migration } from '../../../../main/core/store/migrations';
import { tempDataDir } from '../../../helpers/headless';

const ROOT = resolve(import.meta.dirname, '../../../..');
const opened: Store[] = [];
afterEach(() => {
  while (opened.length) opened.pop()!.close();
});

function open(dir: string): Store {
  const s = openStore(dir);
  opened.push(s);
  return s;
}

describe('migrations', () => {
  it('bring an empty file to the latest version, in WAL mode', () => {
    const dir = tempDataDir();
    const db = openDatabase(join(dir, 'a.db'), migrations);
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    // FULL (2): a voucher or verdict row, once committed, survives a power loss.
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[];
    expect(tables.map((t) => t.name)).toContain('settings');
    db.close();
  });

  it('apply only the newer steps, each once', () => {
    const dir = tempDataDir();
    const calls: number[] = [];
    const steps: Migration[] = [1, 2, 3].map((v) => ({ version: v, name: `m${v}`, up: (db) => { calls.push(v); db.exec(`CREATE TABLE t${v} (x)`); } }));
    const db = new BetterSqlite3(join(dir, 'b.db'));
    expect(migrate(db, steps.slice(0, 2))).toBe(2);
    expect(migrate(db, steps)).toBe(3);
    expect(migrate(db, steps)).toBe(3);
    expect(calls).toEqual([1, 2, 3]);
    db.close();
  });

  it('leave the file at the last complete version when a step fails', () => {
    const dir = tempDataDir();
    const db = new BetterSqlite3(join(dir, 'c.db'));
    const steps: Migration[] = [
      { version: 1, name: 'ok', up: (d) => d.exec('CREATE TABLE a (x)') },
      { version: 2, name: 'bad', up: (d) => { d.exec('CREATE TABLE b (x)'); throw new Error('boom'); } },
    ];
    expect(() => migrate(db, steps)).toThrow('boom');
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name='b'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuse a file written by a newer version', () => {
    const dir = tempDataDir();
    const db = new BetterSqlite3(join(dir, 'd.db'));
    db.pragma('user_version = 999');
    db.close();
    expect(() => openDatabase(join(dir, 'd.db'), migrations)).toThrow(/newer Rayfarm/);
  });

  it('explain a damaged database file', () => {
    const dir = tempDataDir();
    writeFileSync(join(dir, 'rayfarm.db'), 'this is not sqlite at all, just text that fills the header '.repeat(100));
    expect(() => openStore(dir)).toThrow(/damaged/);
    // The failed open released the folder: a good store can be opened after moving the file.
  });
});

describe('settings', () => {
  it('round-trip JSON values and survive a reopen', () => {
    const dir = tempDataDir();
    const s = open(dir);
    s.settings.set('a.b', { n: 1, list: [1, 2] });
    expect(s.settings.get('a.b', null)).toEqual({ n: 1, list: [1, 2] });
    expect(s.settings.get('missing', 'fallback')).toBe('fallback');
    s.close();
    opened.pop();
    expect(open(dir).settings.get('a.b', null)).toEqual({ n: 1, list: [1, 2] });
  });
});

describe('the data-folder lock', () => {
  it('refuses a second opener with a clear message', () => {
    const dir = tempDataDir();
    open(dir);
    expect(() => openStore(dir)).toThrow(/already in use by another Rayfarm process/);
  });

  it('refuses another live process', async () => {
    const dir = tempDataDir();
    open(dir);
    const code = await runChild(`import { openStore } from './main/core/store/index.ts';
      try { openStore(${JSON.stringify(dir)}); process.exit(0); } catch (e) { console.error(e.code); process.exit(3); }`);
    expect(code.exit).toBe(3);
    expect(code.stderr).toContain('DATA_DIR_IN_USE');
  });

  it('takes over a lock left by a process that died', () => {
    const dir = tempDataDir();
    writeFileSync(join(dir, 'rayfarm.lock'), '999999999\n');
    const s = open(dir);
    expect(readFileSync(join(dir, 'rayfarm.lock'), 'utf8').trim()).toBe(String(process.pid));
    s.close();
    opened.pop();
    expect(existsSync(join(dir, 'rayfarm.lock'))).toBe(false);
  });
});

describe('the blob store', () => {
  it('names content by its sha256 and stores the same bytes once', () => {
    const s = open(tempDataDir());
    const a = s.blobs.put(Buffer.from('hello'));
    expect(a).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(s.blobs.put(Buffer.from('hello'))).toBe(a);
    expect(s.blobs.get(a).toString()).toBe('hello');
    expect(s.blobs.size(a)).toBe(5);
  });

  it('rejects data that does not match the expected hash and keeps nothing', () => {
    const s = open(tempDataDir());
    const w = s.blobs.writer();
    w.write(Buffer.from('abc'));
    expect(() => w.commit('0'.repeat(64))).toThrow(/does not match/);
    expect(readdirSync(join(s.dataDir, 'blobs', 'tmp'))).toEqual([]);
  });

  it('leaves no partial blob when the writing process is killed half way', async () => {
    const dir = tempDataDir();
    // A child writes the first half of a blob, says so, and is killed with SIGKILL.
    const child = spawnChild(`import { openStore } from './main/core/store/index.ts';
      const s = openStore(${JSON.stringify(dir)});
      const w = s.blobs.writer();
      w.write(Buffer.alloc(1 << 20, 7));
      console.log('half');
      setInterval(() => {}, 1000);`);
    await new Promise<void>((res) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('half') && res()));
    child.kill('SIGKILL');
    await new Promise((res) => child.once('exit', res));
    const tmp = join(dir, 'blobs', 'tmp');
    expect(readdirSync(tmp).length).toBe(1); // the partial write exists only as a temp file
    const s = open(dir); // the stale lock is taken over and the temp file removed
    expect(readdirSync(tmp)).toEqual([]);
    const visible = readdirSync(join(dir, 'blobs')).filter((n) => n !== 'tmp');
    expect(visible).toEqual([]);
    expect(s.blobs.has('0'.repeat(64))).toBe(false);
  });
});

function spawnChild(code: string) {
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function runChild(code: string): Promise<{ exit: number | null; stderr: string }> {
  const child = spawnChild(code);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = await new Promise<number | null>((res) => child.once('exit', res));
  return { exit, stderr };
}
