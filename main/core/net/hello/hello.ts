import { z } from 'zod';
import type { NetNode } from '../net-node';
import { BindingSchema, verifyBinding } from '../identity';
import { readResponse, remoteError, serveJson } from '../rpc';
import { encodeJson } from '../codec';
import { HELLO_LIMITS, HELLO_PROTOCOL } from './constants';

const RolesSchema = z.array(z.enum(['creator', 'operator'])).max(2);

/** A hello request on the wire. */
export const HelloRequestSchema = z.object({ binding: BindingSchema, roles: RolesSchema }).strict();
/** A hello response on the wire. */
export const HelloResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), binding: BindingSchema, roles: RolesSchema }).strict(),
  z.object({ status: z.literal('error'), code: z.string().max(64), message: z.string().max(400) }),
  z.object({ status: z.literal('busy'), retryAfterMs: z.number().int().nonnegative().max(600_000) }),
]);

/**
 * Each side proves which address its peer id belongs to. Runs once per peer after
 * identify; other protocols ask `ensureBound` before they trust a peer's claims.
 */
export class HelloProtocol {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly node: NetNode,
    private readonly roles: () => ('creator' | 'operator')[],
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    await this.node.handle(
      HELLO_PROTOCOL,
      serveJson({
        protocol: HELLO_PROTOCOL,
        schema: HelloRequestSchema,
        limits: HELLO_LIMITS,
        guard: this.node.guard,
        log: this.log,
        handle: async (req, ctx) => {
          const address = verifyBinding(req.binding, ctx.peer);
          if (req.binding.mode !== this.node.mode) return { status: 'error', code: 'NET_WRONG_MODE', message: `this node is on the ${this.node.mode} network` };
          this.node.setBound(ctx.peer, address, req.roles);
          return { status: 'ok', binding: this.node.ownBinding, roles: this.roles() };
        },
      }),
      HELLO_LIMITS,
    );
  }

  async stop(): Promise<void> {
    await this.node.unhandle(HELLO_PROTOCOL);
  }

  /** The peer's verified address, running the exchange when it has not happened yet. */
  async ensureBound(peer: string): Promise<string> {
    const known = this.node.peers.get(peer)?.address;
    if (known) return known;
    let p = this.inflight.get(peer);
    if (!p) {
      p = this.exchange(peer).finally(() => this.inflight.delete(peer));
      this.inflight.set(peer, p);
    }
    return p;
  }

  /** Sends our (new) binding to every connected peer, e.g. after `NetNode.rebind`. */
  async rebindAll(): Promise<void> {
    const peers = [...this.node.peers.values()].filter((p) => p.connected).map((p) => p.id);
    await Promise.allSettled(peers.map((p) => this.exchange(p)));
  }

  private async exchange(peer: string): Promise<string> {
    const framed = await this.node.open(peer, HELLO_PROTOCOL, HELLO_LIMITS);
    try {
      await framed.write(encodeJson({ binding: this.node.ownBinding, roles: this.roles() }), HELLO_LIMITS.timeoutMs);
      await framed.close(HELLO_LIMITS.timeoutMs);
      const res = await readResponse(framed, HelloResponseSchema, HELLO_LIMITS);
      if (res.status !== 'ok') throw remoteError(res);
      const address = verifyBinding(res.binding, peer);
      this.node.setBound(peer, address, res.roles);
      return address;
    } catch (err) {
      framed.abort('hello failed');
      throw err;
    }
  }
}
