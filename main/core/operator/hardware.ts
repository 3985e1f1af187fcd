/**
 * What this machine has: the OS's view (systeminformation: CPU, GPUs with VRAM and driver)
 * joined with the engine's (the devices it can actually render on).
 */
import { availableParallelism, totalmem } from 'node:os';
import si from 'systeminformation';
import type { EngineDevice, GpuInfo, HardwareInfo } from '../../../shared/api';

/** A device as the engine lists it. */
export interface RawEngineDevice {
  backend: 'cpu' | 'cuda';
  name: string;
  /** Bytes; 0 when unknown. */
  memory: number;
  threads: number;
}

/** The part of the engine the operator needs; main/core/engine implements it. */
export interface OperatorEngine {
  devices(): RawEngineDevice[];
  benchmark(opts: { backend?: 'cpu' | 'cuda'; threads?: number; spp?: number }): Promise<{
    backend: 'cpu' | 'cuda';
    threads: number;
    samples: number;
    seconds: number;
    samplesPerSecond: number;
    score: number;
  }>;
}

/** Loads the engine lazily so a missing native build is a sentence in the UI, not a crash. */
export type EngineLoader = () => Promise<OperatorEngine>;

/** The engine behind main/core/engine, loaded on first use. */
export function nativeEngineLoader(): EngineLoader {
  return async () => {
    const e = await import('../engine');
    return { devices: () => e.devices(), benchmark: (o) => e.benchmark(o) };
  };
}

function clean(s: string | undefined | null): string {
  return (s ?? '').replace(/\s+/g, ' ').trim();
}

/** True when an OS-reported GPU is the same card as an engine device (names differ in vendor prefixes). */
function sameCard(gpu: { model: string }, dev: RawEngineDevice): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/nvidia|geforce|corporation|\(r\)|\(tm\)/g, '').replace(/[^a-z0-9]+/g, ' ').trim();
  const a = norm(gpu.model);
  const b = norm(dev.name);
  return a.length > 0 && b.length > 0 && (a.includes(b) || b.includes(a));
}

/** Reads the hardware; never throws (what cannot be read becomes a note). */
export async function readHardware(loadEngine: EngineLoader): Promise<HardwareInfo> {
  const notes: string[] = [];
  const [cpu, graphics, mem, os] = await Promise.all([
    si.cpu().catch(() => null),
    si.graphics().catch(() => null),
    si.mem().catch(() => null),
    si.osInfo().catch(() => null),
  ]);
  let engineDevices: RawEngineDevice[] = [];
  let engineAvailable = true;
  try {
    engineDevices = (await loadEngine()).devices();
  } catch (err) {
    engineAvailable = false;
    notes.push(`The render engine could not be loaded (${(err as Error).message}). Run "npm run build:native" and restart.`);
  }
  const cudaDevices = engineDevices.filter((d) => d.backend === 'cuda');
  const gpus: GpuInfo[] = (graphics?.controllers ?? []).map((c) => ({
    vendor: clean(c.vendor) || 'Unknown vendor',
    model: clean(c.model) || 'Unknown GPU',
    vramMB: typeof c.vram === 'number' && c.vram > 0 ? c.vram : null,
    driver: clean(c.driverVersion) || null,
    usable: cudaDevices.some((d) => sameCard({ model: clean(c.model) }, d)),
  }));
  // A CUDA device the OS listing missed (containers often hide PCI data) is still a GPU we can use.
  for (const d of cudaDevices) {
    if (!gpus.some((g) => sameCard(g, d))) {
      gpus.push({ vendor: 'NVIDIA', model: d.name, vramMB: d.memory > 0 ? Math.round(d.memory / 2 ** 20) : null, driver: null, usable: true });
    }
  }
  const usableGpu = cudaDevices.length > 0;
  const threads = engineDevices.find((d) => d.backend === 'cpu')?.threads ?? availableParallelism();
  if (!usableGpu) {
    const why = gpus.length ? `found ${gpus.map((g) => g.model).join(', ')}, but the engine renders on NVIDIA CUDA GPUs only` : 'no GPU was found';
    notes.push(`No usable GPU: ${why}. Rendering runs on the CPU backend (${threads} threads) — slower, but it works and earns.`);
  }
  if (graphics === null) notes.push('The GPU list could not be read from the OS.');
  const devices: EngineDevice[] = engineDevices.map((d) => ({
    backend: d.backend,
    name: d.name,
    memoryBytes: d.memory > 0 ? d.memory : null,
    threads: d.threads > 0 ? d.threads : null,
  }));
  return {
    cpu: {
      brand: clean([cpu?.manufacturer, cpu?.brand].filter(Boolean).join(' ')) || 'Unknown CPU',
      cores: cpu?.cores || availableParallelism(),
      physicalCores: cpu?.physicalCores || cpu?.cores || availableParallelism(),
      speedGHz: cpu?.speed ? cpu.speed : null,
    },
    memoryBytes: mem?.total ?? totalmem(),
    os: os ? clean(`${os.distro} ${os.release} (${os.arch})`) : process.platform,
    gpus,
    engineDevices: devices,
    engineAvailable,
    usableGpu,
    notes,
  };
}
