import { createApp } from '../../core/app';
import { resolveDataDir } from '../../core/store';
import { startWebServer } from '../../web/server';
import { parsePolicyFlags, policyFlagOptions, policyFlagsHelp } from '../../core/operator/policy/policy-flags';
import { parseCommand, parsePort } from '../options';

export const upHelp = `rayfarm up [--port N] [--data-dir DIR]

Starts the core and serves the Rayfarm UI on http://127.0.0.1:PORT (default 7410;
0 picks a free port). Open the printed URL — it carries the access token.
Stops cleanly on Ctrl-C or SIGTERM.

${policyFlagsHelp}`;

/** `rayfarm up`: the headless form of the app. */
export async function upCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { port: { type: 'string' }, ...policyFlagOptions }, false);
  if (args.bool('help')) {
    console.log(upHelp);
    return 0;
  }
  const dataDir = resolveDataDir(args.str('data-dir'));
  const app = await createApp({ dataDir, operatorPolicy: parsePolicyFlags(args) });
  let web;
  try {
    web = await startWebServer({ api: app.api, uploadsDir: app.uploadsDir, downloads: app.downloads, port: parsePort(args.str('port'), 7410), log: (l) => console.error(l) });
  } catch (err) {
    await app.stop();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`rayfarm: port ${args.str('port') ?? 7410} is taken. Pass --port N (or --port 0 for any free port).`);
      return 1;
    }
    throw err;
  }
  if (args.bool('json')) console.log(JSON.stringify({ url: web.url, port: web.port, dataDir }));
  else {
    console.log(`Rayfarm is running. Open this address in your browser:\n\n  ${web.url}\n`);
    console.log(`Data folder: ${dataDir}\nPress Ctrl-C to stop.`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  console.error('rayfarm: stopping…');
  await web.close();
  await app.stop();
  console.error('rayfarm: stopped.');
  return 0;
}
