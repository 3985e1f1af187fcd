import { newStudioKey } from '../../core/net/studio-key';
import { RayfarmError } from '../../core/errors';

export const studioKeyHelp = `rayfarm studio-key new > farm.key

Prints a new studio key. Give the file to every machine of the farm (--studio-key farm.key):
only machines holding it can connect to each other; keep it like a password.`;

/** `rayfarm studio-key new`: prints a new pre-shared key for a private farm. */
export async function studioKeyCommand(argv: string[]): Promise<number> {
  const [sub] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(studioKeyHelp);
    return 0;
  }
  if (sub !== 'new' || argv.length !== 1) throw new RayfarmError('CLI_BAD_ARGS', `Usage: ${studioKeyHelp.split('\n')[0]}`);
  process.stdout.write(newStudioKey());
  return 0;
}
