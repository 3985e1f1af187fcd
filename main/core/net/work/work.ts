import type { NetNode } from '../net-node';
import type { HelloProtocol } from '../hello';
import { encodeJson } from '../codec';
import { NetError } from '../errors';
import { readResponse, remoteError, serveJson } from '../rpc';
import { WORK_LIMITS, WORK_PROTOCOL } from './constants';
import type { OperatorOffer, WorkProvider, WorkRequest, WorkResponse } from './messages';
import { WorkRequestSchema, WorkResponseSchema } from './messages';
import { quickWorkRequest } from './request-check';

/**
 * Serves work to operators (when a provider is set) and asks creators for work. Only a
 * peer whose binding was verified gets a lease, so every lease names an address.
 */
export class WorkProtocol {
  provider: WorkProvider | undefined;

  constructor(
    private readonly node: NetNode,
    private readonly hello: HelloProtocol,
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    await this.node.handle(
      WORK_PROTOCOL,
      serveJson({
        protocol: WORK_PROTOCOL,
        schema: WorkRequestSchema,
        quick: quickWorkRequest,
        limits: WORK_LIMITS,
        guard: this.node.guard,
        log: this.log,
        handle: async (req, ctx): Promise<WorkResponse> => {
          const address = this.node.peers.get(ctx.peer)?.address;
          if (!address) return { status: 'unbound' };
          const provider = this.provider;
          if (!provider) return { status: 'denied', reason: 'this node has no jobs' };
          const op = { peerId: ctx.peer, address };
          switch (req.type) {
            case 'request':
              return await provider.request(op, req.jobId, req.offer, req.count);
            case 'renew':
              return provider.renew(op, req.leaseId);
            case 'release':
              return provider.release(op, req.leaseId, req.reason);
            case 'fail':
              return provider.fail(op, req.leaseId, req.reason);
          }
        },
      }),
      WORK_LIMITS,
    );
  }

  async stop(): Promise<void> {
    await this.node.unhandle(WORK_PROTOCOL);
  }

  /** Sends one work message to a creator; binds first if needed. */
  async send(creator: string, req: WorkRequest): Promise<WorkResponse> {
    await this.hello.ensureBound(creator);
    for (let attempt = 0; attempt < 2; attempt++) {
      const framed = await this.node.open(creator, WORK_PROTOCOL, WORK_LIMITS);
      let res: WorkResponse;
      try {
        await framed.write(encodeJson(req), WORK_LIMITS.timeoutMs);
        await framed.close(WORK_LIMITS.timeoutMs);
        res = await readResponse(framed, WorkResponseSchema, WORK_LIMITS);
      } catch (err) {
        framed.abort('work request failed');
        throw err;
      }
      if (res.status === 'unbound') {
        // The creator restarted and forgot us: bind again, once.
        this.node.record(creator).address = undefined;
        await this.hello.ensureBound(creator);
        continue;
      }
      if (res.status === 'error') throw remoteError(res);
      return res;
    }
    throw new NetError('NET_UNBOUND', 'The creator did not accept our binding.');
  }

  /** Asks a creator for a task, or for up to `count` at once (MAX_TASKS_PER_REQUEST at most). */
  request(creator: string, jobId: string | undefined, offer: OperatorOffer, count = 1): Promise<WorkResponse> {
    return this.send(creator, { type: 'request', ...(jobId ? { jobId } : {}), offer, ...(count > 1 ? { count } : {}) });
  }
}
