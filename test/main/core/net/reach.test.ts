import { multiaddr } from '@multiformats/multiaddr';
import { describe, expect, it } from 'vitest';
import { isLanIp, reachOfAddr, reachOfPeer, selfReachOf } from '../../../../main/core/net/reach';

const RELAYED = '/ip4/203.0.113.1/tcp/4001/p2p/12D3KooWBScYDMSmZxS8r5aiAZ3nDyEeKgYGBVoUbmak6fyiTho7/p2p-circuit';

describe('how a peer is reached', () => {
  it('names a circuit address relayed, private and loopback ranges LAN, anything else direct', () => {
    expect(reachOfAddr(multiaddr(RELAYED))).toBe('relayed');
    // A relay on the LAN is still a relay.
    expect(reachOfAddr(multiaddr('/ip4/192.168.1.2/tcp/4001/p2p/12D3KooWBScYDMSmZxS8r5aiAZ3nDyEeKgYGBVoUbmak6fyiTho7/p2p-circuit'))).toBe('relayed');
    for (const a of ['/ip4/10.1.2.3/tcp/1', '/ip4/172.20.0.1/tcp/1', '/ip4/192.168.0.9/tcp/1', '/ip4/127.0.0.1/tcp/1', '/ip4/100.64.0.1/tcp/1', '/ip6/::1/tcp/1', '/ip6/fd00::1/tcp/1', '/ip6/fe80::1/tcp/1']) {
      expect(reachOfAddr(multiaddr(a)), a).toBe('lan');
    }
    for (const a of ['/ip4/8.8.8.8/tcp/1', '/ip4/172.32.0.1/tcp/1', '/ip4/203.0.113.7/tcp/1', '/ip6/2001:db8::1/tcp/1']) expect(reachOfAddr(multiaddr(a)), a).toBe('direct');
    expect(isLanIp('11.0.0.1')).toBe(false);
    expect(isLanIp('not an ip')).toBe(false);
  });

  it('a peer is reached by its best connection; a direct one that replaced a relay is a hole punch', () => {
    expect(reachOfPeer([], false)).toBeNull();
    expect(reachOfPeer([multiaddr(RELAYED)], false)).toBe('relayed');
    expect(reachOfPeer([multiaddr(RELAYED), multiaddr('/ip4/8.8.8.8/tcp/1')], false)).toBe('direct');
    expect(reachOfPeer([multiaddr(RELAYED), multiaddr('/ip4/8.8.8.8/tcp/1')], true)).toBe('hole-punched');
    expect(reachOfPeer([multiaddr('/ip4/8.8.8.8/tcp/1'), multiaddr('/ip4/10.0.0.2/tcp/1')], false)).toBe('lan');
  });

  it('this node is public with a confirmed internet address, relayed with only a relay slot, else reachable from its own network only', () => {
    const me = '/p2p/12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf';
    const lan = multiaddr(`/ip4/10.2.0.2/tcp/4001${me}`);
    const circuit = multiaddr(`${RELAYED}${me}`);
    // Documentation and reserved ranges are announced unconfirmed by libp2p, so they are not public either.
    expect(selfReachOf([lan, multiaddr(`/ip4/127.0.0.1/tcp/4001${me}`), multiaddr(`/ip4/192.0.2.2/tcp/4001${me}`)])).toEqual({ how: 'lan', via: [] });
    expect(selfReachOf([lan, circuit])).toEqual({ how: 'relayed', via: ['12D3KooWBScYDMSmZxS8r5aiAZ3nDyEeKgYGBVoUbmak6fyiTho7'] });
    // A confirmed public address wins over a relay slot: peers dial it directly.
    expect(selfReachOf([lan, circuit, multiaddr(`/ip4/8.8.4.4/tcp/4001${me}`)])).toEqual({ how: 'public', via: [`/ip4/8.8.4.4/tcp/4001${me}`] });
  });
});
