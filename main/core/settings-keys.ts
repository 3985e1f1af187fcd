/**
 * Every key of the settings table in one place: which service owns a key and what it holds
 * is read here, and no two services can claim the same name by accident.
 */
export const SettingsKeys = {
  /** chain/: the configured network (RPC URL, chain id, contract addresses); unset = the embedded dev chain. */
  chainNetwork: 'chain.network',
  /** chain/: the chosen network preset (shared/api/chain.ts); "custom" reads chain.network. */
  chainPreset: 'chain.preset',
  /** node/: extra bootstrap peers (a list of multiaddrs). */
  netBootstrap: 'net.bootstrap',
  /** node/: whether this node renders for the network (network.setOperator). */
  netOperator: 'net.operator',
  /** node/: a studio key (the text of a key file): set, the app joins that private farm. */
  netStudioKey: 'net.studioKey',
  /** creator/pay: the CPU benchmark the estimate times its probes against. */
  engineBenchmark: 'engine.benchmark',
  /** creator/pay: the base rate in tokens per bench-hour. */
  pricingBaseRate: 'pricing.baseRatePerBH',
  /** operator/: the latest benchmark of this machine as a render node. */
  operatorBenchmark: 'operator.benchmark.latest',
  /** operator/: the render policy set in the UI. */
  operatorPolicy: 'operator.policy',
  /** node/: the Blender executable the operator chose (unset: blender on the PATH). */
  operatorBlenderPath: 'operator.blenderPath',
  /** operator/: the lowest price per bench-hour this node takes (decimal tokens). */
  operatorMinPrice: 'operator.minPricePerBenchHour',
  /** operator/: the most unpaid work carried on one job (decimal tokens); unset: one task's pay. */
  operatorMaxUnpaid: 'operator.maxUnpaid',
  /** operator/: creators this node stopped working for because they did not pay as promised (peer id → why, when). */
  operatorPaymentStops: 'operator.paymentStops',
  /** api/: the UI's preferences (theme, …). */
  uiPreferences: 'ui.preferences',
} as const;
