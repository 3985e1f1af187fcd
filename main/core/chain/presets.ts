/**
 * The payment network chosen in settings: a named preset (shared/api/chain.ts) or "custom".
 * Stored as `chain.preset`, with the custom values in `chain.network` (which, set alone by an
 * older version or by hand, still means "custom"). Resolving a choice gives the ChainConfig to
 * connect to (null: the embedded dev chain), or refuses a preset without contracts.
 */
import type { ChainChoice, ChainPreset, ChainPresetId } from '../../../shared/api/chain';
import { CHAIN_PRESETS, ChainChoiceSchema } from '../../../shared/api/chain';
import { RayfarmError } from '../errors';
import { SettingsKeys } from '../settings-keys';
import type { SettingsStore } from '../store';
import type { ChainConfig } from './network';
import { ChainConfigSchema } from './network';

/** The choice saved in settings ("dev" when nothing is). */
export function readChainChoice(settings: SettingsStore): ChainChoice {
  const preset = settings.get<string | null>(SettingsKeys.chainPreset, null);
  const network = settings.get<unknown>(SettingsKeys.chainNetwork, null);
  if (preset === null) {
    const custom = ChainConfigSchema.safeParse(network);
    return custom.success ? { preset: 'custom', network: { rpcUrl: custom.data.rpcUrl, chainId: custom.data.chainId, token: custom.data.token, escrow: custom.data.escrow } } : { preset: 'dev' };
  }
  const parsed = ChainChoiceSchema.safeParse(preset === 'custom' ? { preset, network } : { preset });
  return parsed.success ? parsed.data : { preset: 'dev' };
}

/** Saves a choice (after resolveChainChoice accepted it). */
export function writeChainChoice(settings: SettingsStore, choice: ChainChoice): void {
  settings.set(SettingsKeys.chainPreset, choice.preset);
  if (choice.preset === 'custom') settings.set(SettingsKeys.chainNetwork, choice.network);
  else settings.set(SettingsKeys.chainNetwork, null);
}

/**
 * The network a choice names: null for the embedded dev chain, the custom values, or
 * CHAIN_NOT_DEPLOYED for a public preset whose contracts do not exist yet.
 */
export function resolveChainChoice(choice: ChainChoice): ChainConfig | null {
  if (choice.preset === 'dev') return null;
  if (choice.preset === 'custom') return { ...choice.network };
  const p = presetOf(choice.preset);
  if (!p.deployed || !p.token || !p.escrow || !p.rpcUrl || !p.chainId) {
    throw new RayfarmError(
      'CHAIN_NOT_DEPLOYED',
      `Rayfarm's contracts are not deployed on ${p.name} (chain ${p.chainId}) yet, so there is no token or escrow to pay through there. Choose the dev chain, or "Custom" with the addresses of your own deployment.`,
      { details: { preset: p.id } },
    );
  }
  return { rpcUrl: p.rpcUrl, chainId: p.chainId, token: p.token, escrow: p.escrow };
}

/** A preset by id. */
export function presetOf(id: ChainPresetId): ChainPreset {
  return CHAIN_PRESETS.find((p) => p.id === id)!;
}
