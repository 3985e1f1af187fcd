/**
 * The `rayfarm` command. Each subcommand lives in main/cli/commands and is loaded only
 * when used, so `rayfarm --help` stays fast.
 */
import '../core/polyfills';
import { appVersion } from '../core/version';
import { toErrorPayload } from '../core/errors';

interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, Command> = {
  up: { summary: 'start the core and serve the UI on 127.0.0.1 (the headless form)', run: async (a) => (await import('./commands/up')).upCommand(a) },
  wallet: { summary: 'create, import, fund and use the wallet (balance, send, faucet, history)', run: async (a) => (await import('./commands/wallet')).walletCommand(a) },
  devnet: { summary: 'run the dev chain (anvil + contracts) for a LAN until Ctrl-C', run: async (a) => (await import('./commands/devnet')).devnetCommand(a) },
  bench: { summary: "measure this machine's render speed (the score behind bench-hour prices)", run: async (a) => (await import('./commands/bench')).benchCommand(a) },
  scene: { summary: 'check a .glb/.gltf scene and print what it holds (or every problem)', run: async (a) => (await import('./commands/scene')).sceneCommand(a) },
  render: { summary: 'render a scene on this machine into frame files (the reference render)', run: async (a) => (await import('./commands/render')).renderCommand(a) },
  node: { summary: 'run a headless render node on the network (prints its addresses)', run: async (a) => (await import('./commands/node')).nodeCommand(a) },
  submit: { summary: 'offer a render job to the network and write its frames as they arrive', run: async (a) => (await import('./commands/submit')).submitCommand(a) },
  'studio-key': { summary: 'make a key for a private studio farm (studio-key new > farm.key)', run: async (a) => (await import('./commands/studio-key')).studioKeyCommand(a) },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Rayfarm ${appVersion()} — a decentralized GPU render network

Usage: rayfarm <command> [options]

Commands:
${lines.join('\n')}

Every command takes --data-dir DIR (default: RAYFARM_DATA_DIR or the OS app-data folder)
and runs without prompts when RAYFARM_PASSWORD or --password-file FILE is given.
Run 'rayfarm <command> --help' for a command's options.`;
}

/** Runs the CLI; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(appVersion());
    return 0;
  }
  const cmd = commands[name];
  if (!cmd) {
    console.error(`rayfarm: unknown command "${name}". Run 'rayfarm --help' for the list.`);
    return 2;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    const e = toErrorPayload(err);
    console.error(`rayfarm ${name}: ${e.message}`);
    if (e.code === 'INTERNAL' && process.env.RAYFARM_DEBUG) console.error(err);
    return e.code === 'CLI_BAD_ARGS' ? 2 : 1;
  }
}
