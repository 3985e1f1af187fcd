import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Database } from 'better-sqlite3';
import { connectChain, probeChainId } from '../../core/chain/network';
import type { ChainConfig, ChainConnection } from '../../core/chain/network';
import { DEV_CHAIN_ID } from '../../core/chain/anvil';
import { devAddresses } from '../../core/chain/deploy';
import { openDevChain } from '../../core/chain/dev-chain';
import { RayfarmError } from '../../core/errors';
import { resolveDataDir } from '../../core/store';
import { openDatabase } from '../../core/store/database';
import { migrations } from '../../core/store/migrations';
import { SettingsStore } from '../../core/store/settings';
import { WalletService, formatTokenAmount, parseRawAmount } from '../../core/wallet';
import type { ImportKind } from '../../core/wallet';
import { parseCommand, readPassword } from '../options';
import type { ParsedCommand } from '../options';
import { SettingsKeys } from '../../core/settings-keys';

export const walletHelp = `rayfarm wallet <action> [options]

Actions:
  create                         make a new wallet; prints its recovery phrase once
  import mnemonic|private-key|keystore [--file F]
                                 import a secret from F (or stdin; a keystore uses its own password)
  address                        print the wallet's address
  balance                        native coin and token balances
  send <to> <amount> [--raw]     send tokens (amount in whole tokens, or smallest unit with --raw)
  faucet                         dev chain only: get test coin and tokens
  history                        transfers and escrow events of this wallet

Options:
  --data-dir DIR        data folder (default RAYFARM_DATA_DIR or the OS app-data folder)
  --chain URL           JSON-RPC of the chain (default: the data folder's network setting, else
                        its embedded dev chain, started for the command if not running)
  --token A --escrow B  contract addresses for a --chain that is not a dev chain
  --password-file F     read the password from F (or set RAYFARM_PASSWORD); else it is asked
  --json                machine-readable output; amounts in the smallest unit as strings`;

const IMPORT_KINDS: Record<string, ImportKind> = { mnemonic: 'mnemonic', 'private-key': 'privateKey', keystore: 'keystore' };

/** `rayfarm wallet ...`: the wallet from the command line. */
export async function walletCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, {
    chain: { type: 'string' },
    token: { type: 'string' },
    escrow: { type: 'string' },
    file: { type: 'string' },
    raw: { type: 'boolean', default: false },
  });
  const [action, ...rest] = args.positionals;
  if (args.bool('help') || !action) {
    console.log(walletHelp);
    return action || args.bool('help') ? 0 : 2;
  }
  const dataDir = resolveDataDir(args.str('data-dir'));
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(join(dataDir, 'rayfarm.db'), migrations);
  let chain: { connection: ChainConnection; stop(): Promise<void> } | undefined;
  try {
    const needsChain = ['balance', 'send', 'faucet', 'history'].includes(action);
    if (needsChain) chain = await openCliChain(args, dataDir, db);
    const wallet = new WalletService({ dataDir, chain: chain?.connection ?? null, db, txTimeoutMs: 120_000 });
    try {
      return await runAction(action, rest, args, wallet);
    } finally {
      wallet.dispose();
    }
  } finally {
    await chain?.stop();
    db.close();
  }
}

async function runAction(action: string, rest: string[], args: ParsedCommand, wallet: WalletService): Promise<number> {
  const json = args.bool('json');
  const out = (value: unknown, text: string): void => console.log(json ? JSON.stringify(value) : text);
  switch (action) {
    case 'create': {
      const password = await getPassword(args, true);
      const { address, mnemonic } = await wallet.create(password);
      out({ address, mnemonic }, `Wallet created: ${address}\n\nRecovery phrase (write it down and keep it offline; it is shown only this once):\n\n  ${mnemonic}\n`);
      return 0;
    }
    case 'import': {
      const kind = IMPORT_KINDS[rest[0] ?? ''];
      if (!kind) throw new RayfarmError('CLI_BAD_ARGS', 'Say what to import: rayfarm wallet import mnemonic|private-key|keystore [--file F].');
      const secret = await readSecret(args.str('file'), kind);
      const password = await getPassword(args, kind !== 'keystore');
      const { address } = await wallet.import(kind, secret, password);
      out({ address }, `Wallet imported: ${address}`);
      return 0;
    }
    case 'address': {
      const { address } = wallet.status();
      if (!address) throw new RayfarmError('WALLET_NO_WALLET', 'There is no wallet yet: run rayfarm wallet create (or import).');
      out({ address }, address);
      return 0;
    }
    case 'balance': {
      const b = await wallet.balances();
      out(
        { address: b.address, native: b.native, token: b.token },
        `Address: ${b.address}\nNative:  ${formatTokenAmount(BigInt(b.native), 18)} ETH\nToken:   ${formatTokenAmount(BigInt(b.token), b.tokenDecimals)} ${b.tokenSymbol}`,
      );
      return 0;
    }
    case 'send': {
      const [to, amount] = rest;
      if (!to || !amount) throw new RayfarmError('CLI_BAD_ARGS', 'Usage: rayfarm wallet send <to> <amount> [--raw]');
      await wallet.unlock(await getPassword(args, false));
      const r = await wallet.send(to, args.bool('raw') ? parseRawAmount(amount) : amount);
      out(r, `Sent ${formatTokenAmount(BigInt(r.amount), 18)} tokens to ${r.to} in transaction ${r.hash} (block ${r.blockNumber}).`);
      return 0;
    }
    case 'faucet': {
      const r = await wallet.faucet();
      const { address } = wallet.status();
      out({ address, ...r }, `Faucet: ${formatTokenAmount(BigInt(r.native), 18)} ETH and ${formatTokenAmount(BigInt(r.token), 18)} tokens to ${address}.`);
      return 0;
    }
    case 'history': {
      const h = await wallet.history();
      out(
        h,
        h.length === 0
          ? 'No transactions yet.'
          : h.map((e) => `${new Date(e.time).toISOString()}  ${e.kind.padEnd(13)} ${formatTokenAmount(BigInt(e.amount), 18).padStart(14)}  ${e.status.padEnd(9)} ${e.hash}`).join('\n'),
      );
      return 0;
    }
    default:
      throw new RayfarmError('CLI_BAD_ARGS', `Unknown wallet action "${action}". Run 'rayfarm wallet --help'.`);
  }
}

/**
 * The chain for one command: --chain URL (dev addresses on a dev chain, else --token and
 * --escrow), else the data folder's configured network, else its dev chain (attached if the
 * app or a devnet runs it, otherwise started for this command and stopped after).
 */
async function openCliChain(args: ParsedCommand, dataDir: string, db: Database): Promise<{ connection: ChainConnection; stop(): Promise<void> }> {
  const rpcUrl = args.str('chain');
  if (rpcUrl) {
    const token = args.str('token');
    const escrow = args.str('escrow');
    let config: ChainConfig;
    if (token && escrow) {
      config = { rpcUrl, chainId: await probeChainId(rpcUrl), token, escrow };
    } else {
      const chainId = await probeChainId(rpcUrl);
      if (chainId !== DEV_CHAIN_ID) throw new RayfarmError('CLI_BAD_ARGS', `Chain ${chainId} is not a dev chain: pass --token and --escrow.`);
      const dev = devAddresses();
      config = { rpcUrl, chainId, token: dev.token, escrow: dev.escrow };
    }
    const connection = await connectChain(config);
    return { connection, stop: async () => connection.close() };
  }
  const configured = new SettingsStore(db).get<ChainConfig | null>(SettingsKeys.chainNetwork, null);
  if (configured) {
    const connection = await connectChain(configured);
    return { connection, stop: async () => connection.close() };
  }
  const dev = await openDevChain(dataDir);
  return { connection: dev.connection, stop: () => dev.stop() };
}

async function getPassword(args: ParsedCommand, confirm: boolean): Promise<string> {
  const given = readPassword(args.str('password-file'));
  if (given !== undefined) return given;
  if (!process.stdin.isTTY) {
    throw new RayfarmError('CLI_PASSWORD_REQUIRED', 'No password: set RAYFARM_PASSWORD or pass --password-file FILE.');
  }
  const password = await promptHidden('Wallet password: ');
  if (confirm && (await promptHidden('Repeat the password: ')) !== password) {
    throw new RayfarmError('CLI_PASSWORD_MISMATCH', 'The two passwords differ.');
  }
  return password;
}

async function readSecret(file: string | undefined, kind: ImportKind): Promise<string> {
  if (file) {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new RayfarmError('CLI_BAD_ARGS', `Cannot read ${file}: ${(err as Error).message}`);
    }
  }
  if (process.stdin.isTTY) return promptHidden(kind === 'mnemonic' ? 'Recovery phrase: ' : kind === 'privateKey' ? 'Private key: ' : 'Keystore JSON: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks on the terminal without echoing what is typed. */
function promptHidden(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}
