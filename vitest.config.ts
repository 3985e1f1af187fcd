import { defineConfig } from 'vitest/config';

// Two suites: `unit` (fast, real SQLite/anvil/libp2p/engine, no browser) and `e2e`
// (the real UI in Debian's Chromium against the headless form). `gpu` runs only on a
// machine with a CUDA device (npm run test:gpu).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/gpu/**', 'node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
          // Network nodes started by tests stay off the LAN (no mDNS, no UPnP) and probe no Blender unless given one.
          env: { RAYFARM_MDNS: '0', RAYFARM_UPNP: '0', RAYFARM_BLENDER: '0' },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          pool: 'forks',
          env: { RAYFARM_MDNS: '0', RAYFARM_UPNP: '0', RAYFARM_BLENDER: '0' },
        },
      },
      {
        test: {
          name: 'gpu',
          include: ['test/gpu/**/*.test.ts'],
          testTimeout: 300_000,
          pool: 'forks',
        },
      },
    ],
  },
});
