import { networkInterfaces } from 'node:os';
import { startDevChain } from '../../core/chain/dev-chain';
import { resolveDataDir } from '../../core/store';
import { parseCommand, parsePort } from '../options';

export const devnetHelp = `rayfarm devnet [--port N] [--host IP] [--data-dir DIR] [--json]

Runs the Rayfarm dev chain (anvil, chain id 31337, RenderToken + JobEscrow deployed) for the
machines of a LAN, keeping its state in DIR/chain so balances and escrows survive a restart.
Prints the RPC URL and contract addresses; other nodes use --chain http://THIS-HOST:PORT.
--port defaults to 8545 (0 takes a free port); --host defaults to 0.0.0.0 (every interface;
pass 127.0.0.1 to keep it to this machine). Stops on Ctrl-C or SIGTERM, saving the state.`;

/** `rayfarm devnet`: the dev chain for a LAN, until interrupted. */
export async function devnetCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { port: { type: 'string' }, host: { type: 'string' } }, false);
  if (args.bool('help')) {
    console.log(devnetHelp);
    return 0;
  }
  const dataDir = resolveDataDir(args.str('data-dir'));
  const host = args.str('host') ?? '0.0.0.0';
  const chain = await startDevChain(dataDir, { port: parsePort(args.str('port'), 8545), host, log: (l) => console.error(l) });
  const port = Number(new URL(chain.rpcUrl).port);
  const rpcUrl = `http://127.0.0.1:${port}`;
  const lan = host === '0.0.0.0' ? lanAddresses().map((ip) => `http://${ip}:${port}`) : [];
  const info = { rpcUrl, lanUrls: lan, chainId: chain.chainId, token: chain.addresses.token, escrow: chain.addresses.escrow, treasury: chain.addresses.treasury, dataDir };
  if (args.bool('json')) console.log(JSON.stringify(info));
  else {
    console.log(`Rayfarm dev chain (chain id ${chain.chainId}) is running.\n`);
    console.log(`  RPC URL:     ${rpcUrl}`);
    for (const u of lan) console.log(`  on the LAN:  ${u}`);
    console.log(`  RenderToken: ${chain.addresses.token}`);
    console.log(`  JobEscrow:   ${chain.addresses.escrow}`);
    console.log(`  treasury:    ${chain.addresses.treasury}`);
    console.log(`\nState: ${chain.statePath}\nPress Ctrl-C to stop.`);
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // If anvil dies on its own, there is nothing left to serve.
    void chain.anvil?.exited.then(stop);
  });
  console.error('rayfarm devnet: stopping (saving the chain state)…');
  await chain.stop();
  console.error('rayfarm devnet: stopped.');
  return 0;
}

function lanAddresses(): string[] {
  const ips: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) ips.push(a.address);
  }
  return ips;
}
