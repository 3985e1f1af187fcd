import { createApp } from '../../core/app';
import { resolveDataDir } from '../../core/store';
import { startWebServer } from '../../web/server';
import { defaultTokenFile, loadOrCreateToken } from '../../web/token-file';
import { parsePolicyFlags, policyFlagOptions, policyFlagsHelp } from '../../core/operator/policy/policy-flags';
import { parseCommand, parsePort } from '../options';

export const upHelp = `rayfarm up [--port N] [--data-dir DIR] [--token-file FILE] [--new-token]

Starts the core and serves the Rayfarm UI on http://127.0.0.1:PORT (default 7410;
0 picks a free port). Open the printed URL — it carries the access token.
The token is kept in DATA-DIR/web-token (or --token-file FILE), so the same
address works after a restart; --new-token replaces it and every old address
stops working. Stops cleanly on Ctrl-C or SIGTERM.

${policyFlagsHelp}`;

/**
 * Under `npm run headless`, npm forwards SIGTERM to the shell it ran us from, and that shell
 * dies without passing it on: we would keep serving and holding the data folder. So when npm
 * started us, losing our parent (we are handed to init) counts as being told to stop.
 */
function watchNpmParent(stop: () => void, env: NodeJS.ProcessEnv = process.env): void {
  if (!env.npm_lifecycle_event || process.platform === 'win32') return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      console.error('rayfarm: npm stopped; stopping too.');
      stop();
    }
  }, 250);
  timer.unref();
}

/** `rayfarm up`: the headless form of the app. */
export async function upCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { port: { type: 'string' }, 'token-file': { type: 'string' }, 'new-token': { type: 'boolean', default: false }, ...policyFlagOptions }, false);
  if (args.bool('help')) {
    console.log(upHelp);
    return 0;
  }
  const dataDir = resolveDataDir(args.str('data-dir'));
  const tokenFile = args.str('token-file') ?? defaultTokenFile(dataDir);
  const app = await createApp({ dataDir, operatorPolicy: parsePolicyFlags(args) });
  let web;
  try {
    // Read (or renewed) only once this process holds the data folder, so a refused second
    // instance never replaces the token of the one running.
    const { token } = loadOrCreateToken(tokenFile, { renew: args.bool('new-token') });
    web = await startWebServer({ api: app.api, uploadsDir: app.uploadsDir, downloads: app.downloads, token, port: parsePort(args.str('port'), 7410), log: (l) => console.error(l) });
  } catch (err) {
    await app.stop();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`rayfarm: port ${args.str('port') ?? 7410} is taken. Pass --port N (or --port 0 for any free port).`);
      return 1;
    }
    throw err;
  }
  if (args.bool('json')) console.log(JSON.stringify({ url: web.url, port: web.port, dataDir, tokenFile, pid: process.pid }));
  else {
    console.log(`Rayfarm is running. Open this address in your browser:\n\n  ${web.url}\n`);
    console.log(`Data folder: ${dataDir}\nThe access token is kept in ${tokenFile}: this address keeps working after a restart.\nPress Ctrl-C to stop.`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    watchNpmParent(stop);
  });
  console.error('rayfarm: stopping…');
  await web.close();
  await app.stop();
  console.error('rayfarm: stopped.');
  return 0;
}
