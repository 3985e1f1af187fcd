import type { chainCalls, ChainChoice, ChainSettings } from '../../../shared/api';
import { CHAIN_PRESETS } from '../../../shared/api';
import { connectChain } from '../chain/network';
import { readChainChoice, resolveChainChoice, writeChainChoice } from '../chain/presets';
import type { SettingsStore } from '../store';
import type { HandlerMap } from './api-server';

/** What the chain settings calls need. */
export interface ChainHandlerDeps {
  settings: SettingsStore;
  /** The choice this run started with (a change applies at the next start). */
  startedWith: ChainChoice;
  /** How long the check of a custom network may take. */
  timeoutMs?: number;
}

/** Handlers for chain.settings.*: the payment network chooser. */
export function chainHandlers(deps: ChainHandlerDeps): HandlerMap<keyof typeof chainCalls> {
  const view = (): ChainSettings => {
    const choice = readChainChoice(deps.settings);
    return { choice, presets: CHAIN_PRESETS.map((p) => ({ ...p })), restartNeeded: JSON.stringify(choice) !== JSON.stringify(deps.startedWith) };
  };
  return {
    'chain.settings.get': () => view(),
    'chain.settings.set': async (choice) => {
      // Refused before it is saved: a preset without contracts, an RPC that is another chain,
      // an address with no contract (connectChain says which, in words).
      const network = resolveChainChoice(choice);
      if (network) (await connectChain(network, { timeoutMs: deps.timeoutMs ?? 5000 })).close();
      writeChainChoice(deps.settings, choice);
      return view();
    },
  };
}
