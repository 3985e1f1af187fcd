import '../../../../main/core/polyfills';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNetStack } from '../../../../main/core/net';
import type { NetStack, ReachOptions } from '../../../../main/core/net';
import { openStore } from '../../../../main/core/store';
import type { Store } from '../../../../main/core/store';
export { waitFor } from '../../../helpers/wait';

/** A stack on 127.0.0.1 with its own temp data folder. */
export interface TestPeer {
  stack: NetStack;
  store: Store;
  lines: string[];
  stop(): Promise<void>;
}

/** Starts a peer on loopback, no mDNS. */
export async function startPeer(opts: { studioKey?: Uint8Array; bootstrap?: string[]; share?: (h: string) => boolean; reach?: ReachOptions; listen?: string[] } = {}): Promise<TestPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'rf-net-'));
  const store = openStore(dir);
  const lines: string[] = [];
  const stack = await startNetStack({
    dataDir: dir,
    blobs: store.blobs,
    listen: opts.listen ?? ['/ip4/127.0.0.1/tcp/0'],
    ...(opts.bootstrap ? { bootstrap: opts.bootstrap } : {}),
    ...(opts.studioKey ? { studioKey: opts.studioKey } : {}),
    shareable: opts.share ?? (() => true),
    roles: () => ['creator', 'operator'],
    ...opts.reach,
    log: (l) => lines.push(l),
  });
  return {
    stack,
    store,
    lines,
    async stop() {
      await stack.stop();
      store.close();
      // Blob tests leave tens of MiB each; a filling disk slows every later write.
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

