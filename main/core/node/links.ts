/**
 * How the worker reaches a creator: over the network, or — for this node's own jobs —
 * straight into the local dispatcher (a network of one runs the same dispatcher and worker
 * code without a socket in between).
 */
import type { Dispatcher } from '../creator/dispatch/dispatcher';
import type { CreatorLink } from '../operator/work/worker';
import type { NetStack } from '../net/stack';
import { sha256Hex } from '../store';

/** A link to this node's own dispatcher. */
export function localLink(dispatcher: Dispatcher, self: { peerId: string; address: string }): CreatorLink {
  return {
    request: async (jobId, offer, count) => dispatcher.request(self, jobId, offer, count),
    renew: async (leaseId) => dispatcher.renew(self, leaseId),
    release: async (leaseId, reason) => dispatcher.release(self, leaseId, reason),
    fail: async (leaseId, reason) => dispatcher.fail(self, leaseId, reason),
    deliver: (r, pixels) =>
      dispatcher.deliver(self, { ...r, format: 'rgba32f', bytes: pixels.byteLength, sha256: sha256Hex(pixels), signature: `0x${'0'.repeat(130)}` }, pixels),
    fetchScene: async () => undefined,
  };
}

/** A link to a creator elsewhere on the network. */
export function remoteLink(stack: NetStack, creator: string, otherSources: () => string[]): CreatorLink {
  return {
    request: (jobId, offer, count) => stack.work.request(creator, jobId, offer, count),
    renew: (leaseId) => stack.work.send(creator, { type: 'renew', leaseId }),
    release: (leaseId, reason) => stack.work.send(creator, { type: 'release', leaseId, reason: reason.slice(0, 300) }),
    fail: (leaseId, reason) => stack.work.send(creator, { type: 'fail', leaseId, reason: reason.slice(0, 300) }),
    deliver: (r, pixels) => stack.result.deliver(creator, r, pixels),
    fetchScene: (hash, bytes, maxBytes, signal) => stack.blob.fetch(hash, [creator, ...otherSources().filter((p) => p !== creator)], { maxBytes, expectedSize: bytes, signal }),
  };
}
