import { z } from 'zod';
import { call, NoInput } from './define';

/** The id of a preset. */
export const ChainPresetIdSchema = z.enum(['dev', 'base-sepolia', 'base', 'custom'], { error: 'choose one of the listed networks' });
export type ChainPresetId = z.infer<typeof ChainPresetIdSchema>;

/** A named payment network; a public one without contracts has null addresses and deployed false. */
export interface ChainPreset {
  id: ChainPresetId;
  name: string;
  chainId: number | null;
  rpcUrl: string | null;
  token: string | null;
  escrow: string | null;
  deployed: boolean;
  note: string;
}

/**
 * Named payment networks. "dev" is the anvil chain the app runs in its data folder; the public
 * ones name a real chain (id and public RPC) where Rayfarm's contracts are NOT deployed yet:
 * their addresses are left empty on purpose, and choosing one is refused with words saying so,
 * rather than pointing the app at made-up contracts. "custom" takes the four values by hand.
 */
export const CHAIN_PRESETS: readonly ChainPreset[] = [
  { id: 'dev', name: 'Dev chain (embedded)', chainId: 31337, rpcUrl: null, token: null, escrow: null, deployed: true, note: 'The local anvil chain this app runs in its data folder. Its tokens are free and worth nothing.' },
  {
    id: 'base-sepolia',
    name: 'Base Sepolia (test network)',
    chainId: 84532,
    rpcUrl: 'https://sepolia.base.org',
    token: null,
    escrow: null,
    deployed: false,
    note: "Coinbase's OP Stack test network: where a public deployment would be tried first. Rayfarm's contracts are not deployed there yet.",
  },
  { id: 'base', name: 'Base', chainId: 8453, rpcUrl: 'https://mainnet.base.org', token: null, escrow: null, deployed: false, note: "The OP Stack L2 a public deployment would use (see the README). Rayfarm's contracts are not deployed there yet." },
  { id: 'custom', name: 'Custom', chainId: null, rpcUrl: null, token: null, escrow: null, deployed: true, note: 'Your own deployment: its RPC URL, chain id and the token and escrow addresses.' },
];

const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, { error: 'an address is 0x and 40 hexadecimal characters' });

/** A network given by hand. */
export const CustomChainSchema = z
  .object({
    rpcUrl: z.url({ protocol: /^https?$/, error: 'the RPC URL must be an http:// or https:// address' }),
    chainId: z.number({ error: 'the chain id must be a number' }).int({ error: 'the chain id must be a whole number' }).positive({ error: 'the chain id must be above 0' }),
    token: Address,
    escrow: Address,
  })
  .strict();
export type CustomChain = z.infer<typeof CustomChainSchema>;

/** What is chosen: a preset, or "custom" with its values. */
export const ChainChoiceSchema = z.discriminatedUnion('preset', [
  z.object({ preset: z.literal('dev') }).strict(),
  z.object({ preset: z.literal('base-sepolia') }).strict(),
  z.object({ preset: z.literal('base') }).strict(),
  z.object({ preset: z.literal('custom'), network: CustomChainSchema }).strict(),
]);
export type ChainChoice = z.infer<typeof ChainChoiceSchema>;

/** One preset as the UI lists it. */
export const ChainPresetViewSchema = z.object({
  id: ChainPresetIdSchema,
  name: z.string(),
  chainId: z.number().nullable(),
  rpcUrl: z.string().nullable(),
  token: z.string().nullable(),
  escrow: z.string().nullable(),
  deployed: z.boolean(),
  note: z.string(),
});

/** The payment network settings. */
export const ChainSettingsSchema = z.object({
  choice: ChainChoiceSchema,
  presets: z.array(ChainPresetViewSchema),
  /** The choice differs from the chain this run uses: it applies at the next start. */
  restartNeeded: z.boolean(),
});
export type ChainSettings = z.infer<typeof ChainSettingsSchema>;

export const chainCalls = {
  'chain.settings.get': call(NoInput, ChainSettingsSchema, 'The payment network chosen and the presets.'),
  'chain.settings.set': call(
    ChainChoiceSchema,
    ChainSettingsSchema,
    'Chooses the payment network (applies at the next start). A preset without contracts, an RPC on another chain id or an address without the contract is refused.',
  ),
};
