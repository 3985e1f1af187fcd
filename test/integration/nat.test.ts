/**
 * A real NAT: network namespaces joined by veth pairs. A "public" segment (a bridge) holds a
 * relay; a creator and an operator each sit in a private namespace behind their own router
 * namespace that masquerades (iptables, or nftables). Neither can dial the other: the
 * operator reaches the creator only through the relay's reserved slot (or a hole punch), and
 * a job still runs end to end with real `rayfarm` processes. Linux and root only (as in CI);
 * elsewhere it prints one skip line. Everything it makes is removed in afterAll.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rayfarm } from './cli-procs';
import type { Proc } from './cli-procs';
import { sampleScene, waitFor } from './net-helpers';

function has(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const nat = has('iptables') ? 'iptables' : has('nft') ? 'nft' : undefined;
const why = process.platform !== 'linux' ? 'not Linux' : process.getuid?.() !== 0 ? 'not root' : !has('ip') ? 'no ip (iproute2)' : !nat ? 'neither iptables nor nft' : undefined;
if (why) console.log(`nat.test: skipped (${why}): the NAT test builds network namespaces, which needs Linux, root, iproute2 and iptables or nftables`);

/** A unique prefix per run, short enough for interface names (15 characters at most). */
const ID = `rf${process.pid.toString(36).slice(-3)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
const NS = { pub: `${ID}pub`, ra: `${ID}ra`, rb: `${ID}rb`, creator: `${ID}cr`, operator: `${ID}op` };
const RELAY_IP = '203.0.113.1';
let made: string[] = [];
let procs: Proc[] = [];

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
function inNs(ns: string, ...cmd: string[]): void {
  execFileSync('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A router namespace: its WAN port on the public bridge, its LAN port to a private host, masquerade between. */
function router(r: string, host: string, wanIp: string, lan: string, tag: string): void {
  const wan = `${ID}${tag}w`;
  const lanIf = `${ID}${tag}l`;
  ip('-n', NS.pub, 'link', 'add', `${wan}0`, 'type', 'veth', 'peer', 'name', wan, 'netns', r);
  ip('-n', NS.pub, 'link', 'set', `${wan}0`, 'master', 'br0', 'up');
  ip('-n', r, 'addr', 'add', `${wanIp}/24`, 'dev', wan);
  ip('-n', r, 'link', 'set', wan, 'up');
  ip('-n', r, 'link', 'add', lanIf, 'type', 'veth', 'peer', 'name', `${lanIf}0`, 'netns', host);
  ip('-n', r, 'addr', 'add', `${lan}.1/24`, 'dev', lanIf);
  ip('-n', r, 'link', 'set', lanIf, 'up');
  ip('-n', host, 'addr', 'add', `${lan}.2/24`, 'dev', `${lanIf}0`);
  ip('-n', host, 'link', 'set', `${lanIf}0`, 'up');
  ip('-n', host, 'route', 'add', 'default', 'via', `${lan}.1`);
  inNs(r, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  // Masquerade out of the WAN port; nothing new may come in (only replies to what went out).
  if (nat === 'iptables') {
    inNs(r, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', wan, '-j', 'MASQUERADE');
    inNs(r, 'iptables', '-A', 'FORWARD', '-i', wan, '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT');
    inNs(r, 'iptables', '-A', 'FORWARD', '-i', wan, '-j', 'DROP');
  } else {
    inNs(r, 'nft', `add table ip nat; add chain ip nat post { type nat hook postrouting priority 100; }; add rule ip nat post oifname "${wan}" masquerade; add table ip filter; add chain ip filter fwd { type filter hook forward priority 0; }; add rule ip filter fwd iifname "${wan}" ct state established,related accept; add rule ip filter fwd iifname "${wan}" drop`);
  }
}

function build(): void {
  for (const ns of Object.values(NS)) {
    ip('netns', 'add', ns);
    made.push(ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  ip('-n', NS.pub, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', NS.pub, 'addr', 'add', `${RELAY_IP}/24`, 'dev', 'br0');
  ip('-n', NS.pub, 'link', 'set', 'br0', 'up');
  router(NS.ra, NS.creator, '203.0.113.2', '10.1.0', 'a');
  router(NS.rb, NS.operator, '203.0.113.3', '10.2.0', 'b');
}

function teardown(): void {
  for (const ns of made.reverse()) {
    try {
      ip('netns', 'del', ns);
    } catch (err) {
      console.error(`nat.test: could not delete namespace ${ns}: ${(err as Error).message}`);
    }
  }
  made = [];
}

/** True when a TCP connection from `ns` to host:port is answered (accepted or refused), false when nothing gets there. */
function reachable(ns: string, host: string, port: number): boolean {
  const probe = `const s=require('net').connect({host:'${host}',port:${port}});s.setTimeout(1500,()=>process.exit(1));s.on('connect',()=>process.exit(0));s.on('error',(e)=>process.exit(e.code==='ECONNREFUSED'?0:1));`;
  try {
    inNs(ns, process.execPath, '-e', probe);
    return true;
  } catch {
    return false;
  }
}

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const exec = (ns: string) => ['ip', 'netns', 'exec', ns];

describe.skipIf(why !== undefined)('a job through NAT (network namespaces)', () => {
  let relayAddr = '';
  let keyFile = '';
  let scenePath = '';

  beforeAll(async () => {
    try {
      build();
    } catch (err) {
      teardown();
      throw err;
    }
    const dir = tmp('rf-nat-');
    scenePath = join(dir, 'animated.glb');
    writeFileSync(scenePath, await sampleScene('animated.glb'));
    keyFile = join(dir, 'farm.key');
    const key = rayfarm(['studio-key', 'new']);
    expect(await key.exited).toBe(0);
    writeFileSync(keyFile, `${key.out.join('\n')}\n`);
    const relay = rayfarm(['node', '--data-dir', tmp('rf-nat-relay-'), '--listen', `/ip4/${RELAY_IP}/tcp/4001`, '--relay', '--no-render', '--no-mdns', '--no-upnp', '--studio-key', keyFile, '--json'], exec(NS.pub));
    procs.push(relay);
    const info = JSON.parse(await relay.line(/^\{/, 90_000)) as { peerId: string; listenAddrs: string[] };
    relayAddr = info.listenAddrs.find((a) => a.includes(RELAY_IP))!;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    procs = [];
    teardown();
  });

  it('the namespaces are built so that neither private host can be dialled from outside', () => {
    // From the public side and from the other private host, the operator's range has no route;
    // from inside, the relay answers (masquerade).
    expect(reachable(NS.pub, '10.2.0.2', 9)).toBe(false);
    expect(reachable(NS.creator, '10.2.0.2', 9)).toBe(false);
    expect(reachable(NS.operator, '10.1.0.2', 9)).toBe(false);
    expect(reachable(NS.operator, RELAY_IP, 4001)).toBe(true);
    expect(reachable(NS.creator, RELAY_IP, 4001)).toBe(true);
  });

  it('an operator behind NAT takes the job of a creator behind another NAT, reached through the relay', async () => {
    const operator = rayfarm(['node', '--data-dir', tmp('rf-nat-op-'), '--listen', '/ip4/10.2.0.2/tcp/0', '--bootstrap', relayAddr, '--no-mdns', '--no-upnp', '--studio-key', keyFile, '--threads', '1', '--json'], exec(NS.operator));
    procs.push(operator);
    await operator.line(/^\{/, 90_000);
    // It learns it can be reached only through its relay slot, and says so (the Network view's "Reachable").
    await waitFor(() => operator.err().includes(`net: this node is reachable only through relay ${relayAddr.split('/p2p/')[1]!.slice(-8)} (behind NAT)`), 60_000, `the operator to hold a relay slot:\n${operator.err()}`);
    const out = tmp('rf-nat-out-');
    const submit = rayfarm(['submit', scenePath, '--data-dir', tmp('rf-nat-cr-'), '--out', out, '--listen', '/ip4/10.1.0.2/tcp/0', '--bootstrap', relayAddr, '--no-mdns', '--no-upnp', '--studio-key', keyFile, '--frames', '0-1', '--width', '32', '--height', '32', '--spp', '2', '--format', 'exr-float'], exec(NS.creator));
    procs.push(submit);
    const done = JSON.parse(await submit.line(/^\{/, 150_000)) as { tasks: number; frames: number };
    expect(done).toMatchObject({ tasks: 2, frames: 2 });
    expect(readdirSync(out).filter((n) => !n.endsWith('.tmp'))).toHaveLength(2);
    // The operator rendered both tasks and had them accepted (its verdict lines may trail the creator's end).
    await waitFor(() => operator.out.filter((l) => /^task .*: accepted/.test(l)).length === 2, 30_000, `both tasks accepted at the operator:\n${operator.out.join('\n')}`);
    // How the operator reached the creator, as its network status names it: through the
    // relay's circuit (or directly after a hole punch, where the routers allow one).
    const creatorId = /offered as (\S+):/.exec(submit.err())![1]!;
    const reached = operator.err().split('\n').filter((l) => l.includes(`peer ${creatorId.slice(-8)} reached`));
    expect(reached.length).toBeGreaterThan(0);
    expect(reached.some((l) => / reached (relayed|hole-punched) /.test(l))).toBe(true);
    expect(reached.find((l) => / reached relayed /.test(l)) ?? '').toContain(`/p2p-circuit`);
    expect(reached.every((l) => !/ reached (direct|lan) /.test(l))).toBe(true);
  }, 240_000);
});
