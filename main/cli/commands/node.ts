import { benchOperatorBlender, operatorBlender } from '../../core/node/node-blender';
import { startRayfarmNode } from '../../core/node/start-node';
import type { RayfarmNode } from '../../core/node/start-node';
import type { PublicModeSlot } from '../../core/node/public-mode';
import { nativeEngineLoader } from '../../core/operator/hardware';
import { systemIdleSource } from '../../core/operator/policy/idle-source';
import { OperatorService } from '../../core/operator/operator-service';
import { parsePolicyFlags, policyFlagOptions, policyFlagsHelp } from '../../core/operator/policy/policy-flags';
import { openStore, resolveDataDir } from '../../core/store';
import { parseCommand } from '../options';
import { netConfigFrom, netOptions, netOptionsHelp, untilSignal } from './net-options';
import { openPaid, paidOptions, paidOptionsHelp, publicModeFor } from './paid';
import type { PaidSetup } from './paid';

export const nodeHelp = `rayfarm node [--data-dir D] [--listen MULTIADDR] [--bootstrap MULTIADDR]… [--studio-key FILE] [--relay]

A headless render node: joins the network, takes tasks from creators, renders them with
the native engine and delivers the results. Prints its listen addresses (give one to
others as --bootstrap) and one line per task. Stops on Ctrl-C or SIGTERM.

${netOptionsHelp}
${paidOptionsHelp}
  --threads N             render threads (default: all cores)
  --no-render             take no tasks (a relay or bootstrap machine)
  --blender PATH          the Blender to render .blend jobs with (default: blender on the PATH);
                          jobs are taken only for its major.minor version
  --json                  print the addresses as one JSON line

${policyFlagsHelp}`;

/** `rayfarm node`: a headless operator. */
export async function nodeCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { ...netOptions, ...paidOptions, threads: { type: 'string' }, 'no-render': { type: 'boolean', default: false }, blender: { type: 'string' }, ...policyFlagOptions }, false);
  if (args.bool('help')) {
    console.log(nodeHelp);
    return 0;
  }
  const threads = args.str('threads') === undefined ? undefined : Number(args.str('threads'));
  // A dedicated render node renders whenever there is work unless told --idle-only or given a schedule.
  const policy = { idleOnly: false, ...parsePolicyFlags(args) };
  const idle = await systemIdleSource();
  if (policy.idleOnly && !idle.describe().available) console.error(`rayfarm node: --idle-only cannot work here: ${idle.describe().detail}`);
  const blender = await operatorBlender(args.str('blender'), (l) => console.error(`rayfarm node: ${l}`));
  const store = openStore(resolveDataDir(args.str('data-dir')));
  // The render policy (idle, schedule, limits) and the task history, as in the app.
  const op = new OperatorService({ store, idle, engine: nativeEngineLoader(), overrides: policy, log: (l) => console.error(l) });
  op.start();
  op.setBlender(blender);
  console.error(`rayfarm node: ${op.controller.decision().message}`);
  op.controller.onChange((d) => console.error(`rayfarm node: ${d.message}`));
  // Public mode (--chain): vouchers are stored and redeemed; each redemption is logged.
  let setup: PaidSetup | undefined;
  let node: RayfarmNode;
  let payments: PublicModeSlot | undefined;
  try {
    payments = (args.str('chain') || args.str('network')) && !args.str('studio-key') ? publicModeFor(args, store, (setup = await openPaid(args, store)), (l) => console.error(l), blender) : undefined;
    node = await startRayfarmNode({
      store,
      net: netConfigFrom(args),
      ...(setup ? { signer: setup.key } : {}),
      ...(payments ? { payments } : {}),
      render: !args.bool('no-render'),
      operator: op,
      blender,
      ...(threads ? { threads: () => threads } : {}),
      log: (l) => console.error(l),
      onWorkerEvent: (e) => {
        const what = `${e.lease.jobId} ${e.lease.task.id}`;
        if (e.type === 'verdict') console.log(`task ${what}: ${e.verdict.verdict}${e.verdict.reason ? ` (${e.verdict.reason})` : ''}`);
        else if (e.type === 'failed') console.log(`task ${what}: failed (${e.reason})`);
        else if (e.type === 'released') console.log(`task ${what}: handed back (${e.reason})`);
        // One stdout line per task (its outcome); the start goes to stderr with the other progress.
        else if (e.type === 'started') console.error(`task ${what}: rendering`);
      },
    });
  } catch (err) {
    await payments?.current?.stop();
    setup?.close();
    op.stop();
    store.close();
    throw err;
  }
  const svc = node.net;
  // Blender work is priced by this Blender's Cycles score: measured once per version (sandboxed,
  // in the background; kept in the settings), as the app does.
  const cyclesBench = blender ? benchOperatorBlender(store.settings, blender, op, (l) => console.error(`rayfarm node: ${l}`)) : Promise.resolve();
  const addrs = svc.stack.node.listenAddrs();
  if (args.bool('json')) console.log(JSON.stringify({ peerId: svc.stack.node.peerId, mode: svc.stack.node.mode, listenAddrs: addrs }));
  else {
    console.log(`Rayfarm node ${svc.stack.node.peerId} (${svc.stack.node.mode} network) listening on:`);
    for (const a of addrs) console.log(`  ${a}`);
  }
  await untilSignal();
  console.error('rayfarm node: stopping…');
  await node.stop();
  await cyclesBench;
  setup?.close();
  op.stop();
  store.close();
  return 0;
}
