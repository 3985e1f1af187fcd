import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { netConfigFrom, netOptions } from '../../../../main/cli/commands/net-options';
import { parseCommand } from '../../../../main/cli/options';
import { newStudioKey } from '../../../../main/core/net/studio-key';

const BOOT = '/ip4/198.51.100.7/tcp/4001/p2p/12D3KooWBScYDMSmZxS8r5aiAZ3nDyEeKgYGBVoUbmak6fyiTho7';
const OTHER = '/ip4/198.51.100.8/tcp/4001/p2p/12D3KooWBScYDMSmZxS8r5aiAZ3nDyEeKgYGBVoUbmak6fyiTho7';
const ENV = { RAYFARM_MDNS: '0' };

function parse(argv: string[]) {
  return parseCommand(argv, { ...netOptions, config: { type: 'string' } });
}

describe('the network flags of rayfarm node and submit', () => {
  it('--bootstrap is repeatable and adds to the [network] bootstrap list of --config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-netopt-'));
    const file = join(dir, 'farm.toml');
    writeFileSync(file, `[network]\nbootstrap = ["${OTHER}"]\n`);
    const cfg = netConfigFrom(parse(['--bootstrap', BOOT, '--bootstrap', BOOT.replace('.7/', '.9/'), '--config', file]), ENV);
    expect(cfg.bootstrap).toEqual([BOOT, BOOT.replace('.7/', '.9/'), OTHER]);
  });

  it('a --relay node serves as a relay and reserves no slot; others beyond their LAN reserve one', () => {
    expect(netConfigFrom(parse(['--relay']), ENV)).toMatchObject({ relay: true, reserveRelay: false });
    // Public mode reaches beyond the LAN: it may sit behind NAT.
    expect(netConfigFrom(parse([]), ENV)).toMatchObject({ relay: false, reserveRelay: true, upnp: true });
    expect(netConfigFrom(parse(['--no-relay-reservation', '--no-upnp']), ENV)).toMatchObject({ reserveRelay: false, upnp: false });
    // A studio on its LAN needs no relay; with a bootstrap peer elsewhere it does.
    const key = join(mkdtempSync(join(tmpdir(), 'rf-netopt-')), 'farm.key');
    writeFileSync(key, newStudioKey());
    expect(netConfigFrom(parse(['--studio-key', key]), ENV)).toMatchObject({ reserveRelay: false });
    expect(netConfigFrom(parse(['--studio-key', key, '--bootstrap', BOOT]), ENV)).toMatchObject({ reserveRelay: true });
    expect(netConfigFrom(parse([]), { ...ENV, RAYFARM_UPNP: '0' })).toMatchObject({ upnp: false });
    expect(netConfigFrom(parse(['--dht-server']), ENV)).toMatchObject({ dhtServer: true });
    expect(netConfigFrom(parse([]), ENV).dhtServer).toBeUndefined();
  });
});
