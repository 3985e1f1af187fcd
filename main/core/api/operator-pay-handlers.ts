import { parseTokens } from '../../../shared/pricing';
import { RayfarmError } from '../errors';
import type { PublicMode } from '../node/public-mode';
import type { OperatorService } from '../operator/operator-service';
import type { SettingsStore } from '../store';
import { SettingsKeys } from '../settings-keys';
import type { HandlerMap } from './api-server';

/** What the operator's payment calls need. */
export interface OperatorPayHandlerDeps {
  operator: OperatorService;
  /** Public mode, once the chain, the network and an unlocked wallet are there. */
  publicMode: () => PublicMode | null;
  settings: SettingsStore;
}

/** Handlers for operator.payments.*: work for a stopped creator again; the unpaid-work limit. */
export function operatorPayHandlers(deps: OperatorPayHandlerDeps): HandlerMap<'operator.payments.resume' | 'operator.payments.maxUnpaid'> {
  return {
    'operator.payments.resume': ({ creator }) => {
      const pm = deps.publicMode();
      if (!pm) throw new RayfarmError('WALLET_LOCKED', 'Unlock the wallet first: which creators this machine works for is part of its paid work.');
      if (!pm.operator.resumeCreator(creator)) {
        throw new RayfarmError('OPERATOR_NOT_STOPPED', 'This machine already works for that creator: it is not on the list of stopped creators.');
      }
      return deps.operator.status();
    },
    'operator.payments.maxUnpaid': ({ maxUnpaid }) => {
      const pm = deps.publicMode();
      if (pm?.maxUnpaidForced) {
        throw new RayfarmError('OPERATOR_MAX_UNPAID_FORCED', 'The unpaid-work limit was set on the command line (--max-unpaid); restart without it to change it here.');
      }
      const limit = maxUnpaid === null ? undefined : parseTokens(maxUnpaid);
      if (limit === 0n) throw new RayfarmError('OPERATOR_BAD_MAX_UNPAID', 'The unpaid-work limit must be more than 0 RFT, or empty for one task at a time.');
      deps.settings.set(SettingsKeys.operatorMaxUnpaid, maxUnpaid);
      // Applies from the next request on; a wallet unlocked later reads the setting.
      pm?.operator.setMaxUnpaid(limit);
      return deps.operator.status();
    },
  };
}
