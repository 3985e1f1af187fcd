/**
 * operator.blender.set: the Blender program this machine renders .blend jobs with (the
 * Operator view's setting; `rayfarm node --blender PATH` on the command line). The path is
 * checked before it is kept: it must be a program that answers our probe as Blender 3.0 or
 * newer (run like every Blender here: sandboxed where bubblewrap exists, scripts off), so a
 * mistyped or wrong path never replaces a working Blender.
 */
import { findBlender } from '../blender';
import type { BlenderInstall } from '../blender';
import { RayfarmError } from '../errors';
import type { OperatorService } from '../operator/operator-service';
import { SettingsKeys } from '../settings-keys';
import type { SettingsStore } from '../store';
import type { HandlerMap } from './api-server';

/** What the call needs. */
export interface BlenderHandlerDeps {
  operator: OperatorService;
  settings: SettingsStore;
  /** Renders .blend jobs with this Blender from now on (the network's worker, the hardware card, the Cycles benchmark). */
  use: (install: BlenderInstall) => void;
}

/** The handler for operator.blender.set. */
export function blenderHandlers(deps: BlenderHandlerDeps): HandlerMap<'operator.blender.set'> {
  return {
    'operator.blender.set': async ({ path }) => {
      let install: BlenderInstall | null;
      try {
        install = await findBlender(path ?? undefined);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        throw new RayfarmError(typeof code === 'string' ? code : 'BLENDER_FAILED', `That Blender cannot be used: ${(err as Error).message} The Blender in use is unchanged.`, { details: { field: 'path' } });
      }
      if (!install) {
        throw new RayfarmError('BLENDER_NOT_FOUND', 'There is no blender program on the PATH. Give the full path of the Blender program (for example /usr/bin/blender).', { details: { field: 'path' } });
      }
      deps.settings.set(SettingsKeys.operatorBlenderPath, path);
      deps.use(install);
      return deps.operator.readHardware(false);
    },
  };
}
