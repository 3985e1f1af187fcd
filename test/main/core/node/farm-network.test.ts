import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFarmNetwork } from '../../../../main/core/node/farm-network';
import { readPolicyFile } from '../../../../main/core/operator/policy/policy-flags';

function file(name: string, text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'rf-farm-')), name);
  writeFileSync(f, text);
  return f;
}

const BOOT = '/ip4/198.51.100.7/tcp/4001/p2p/12D3KooWBScYDMSmZxS8r5aiAZ3nDyEeKgYGBVoUbmak6fyiTho7';

describe('the [network] section of farm.toml', () => {
  it('gives bootstrap peers and relaying, beside the operator policy, in TOML and JSON', () => {
    const toml = file('farm.toml', `idle-only = true\n[network]\nbootstrap = ["${BOOT}"]\nrelay = true\ndht_server = true\n`);
    expect(readFarmNetwork(toml)).toEqual({ bootstrap: [BOOT], relay: true, 'dht-server': true });
    expect(readPolicyFile(toml)).toEqual({ idleOnly: true });
    const json = file('farm.json', JSON.stringify({ operator: { 'idle-minutes': 3 }, network: { bootstrap: [BOOT] } }));
    expect(readFarmNetwork(json)).toEqual({ bootstrap: [BOOT] });
    expect(readPolicyFile(json)).toEqual({ idleMinutes: 3 });
    expect(readFarmNetwork(file('none.toml', 'idle-only = false\n'))).toEqual({});
  });

  it('refuses unknown keys and wrong types with the file named', () => {
    expect(() => readFarmNetwork(file('a.toml', '[network]\nbootstrap = "one"\n'))).toThrow(/a\.toml: \[network\] bootstrap/);
    expect(() => readFarmNetwork(file('b.toml', '[network]\nrelays = true\n'))).toThrow(/b\.toml.*relays/);
    expect(() => readFarmNetwork(file('c.toml', 'network = 3\n'))).toThrow(/network must be a section/);
  });
});
