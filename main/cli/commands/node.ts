import { NetService } from '../../core/net/service';
import { openStore, resolveDataDir } from '../../core/store';
import { parseCommand } from '../options';
import { netConfigFrom, netOptions, netOptionsHelp, untilSignal } from './net-options';

export const nodeHelp = `rayfarm node [--data-dir D] [--listen MULTIADDR] [--bootstrap MULTIADDR]… [--studio-key FILE]

A headless render node: joins the network, takes tasks from creators, renders them with
the native engine and delivers the results. Prints its listen addresses (give one to
others as --bootstrap) and one line per task. Stops on Ctrl-C or SIGTERM.

${netOptionsHelp}
  --threads N             render threads (default: all cores)
  --json                  print the addresses as one JSON line`;

/** `rayfarm node`: a headless operator. */
export async function nodeCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { ...netOptions, threads: { type: 'string' } }, false);
  if (args.bool('help')) {
    console.log(nodeHelp);
    return 0;
  }
  const threads = args.str('threads') === undefined ? undefined : Number(args.str('threads'));
  const store = openStore(resolveDataDir(args.str('data-dir')));
  let svc: NetService;
  try {
    svc = await NetService.start({
      store,
      ...netConfigFrom(args),
      operator: true,
      ...(threads ? { threads: () => threads } : {}),
      log: (l) => console.error(l),
      onWorkerEvent: (e) => {
        const what = `${e.lease.jobId} ${e.lease.task.id}`;
        if (e.type === 'verdict') console.log(`task ${what}: ${e.verdict.verdict}${e.verdict.reason ? ` (${e.verdict.reason})` : ''}`);
        else if (e.type === 'failed') console.log(`task ${what}: failed (${e.reason})`);
        else if (e.type === 'released') console.log(`task ${what}: handed back (${e.reason})`);
        else if (e.type === 'started') console.log(`task ${what}: rendering`);
      },
    });
  } catch (err) {
    store.close();
    throw err;
  }
  const addrs = svc.stack.node.listenAddrs();
  if (args.bool('json')) console.log(JSON.stringify({ peerId: svc.stack.node.peerId, mode: svc.stack.node.mode, listenAddrs: addrs }));
  else {
    console.log(`Rayfarm node ${svc.stack.node.peerId} (${svc.stack.node.mode} network) listening on:`);
    for (const a of addrs) console.log(`  ${a}`);
  }
  await untilSignal();
  console.error('rayfarm node: stopping…');
  await svc.stop();
  store.close();
  return 0;
}
