// Lint rules, above all the layering of ../shared/STYLE.md: imports go down only.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'http', 'net', 'url', 'worker_threads', 'stream', 'util', 'events', 'zlib', 'module', 'process', 'buffer'];

function forbid(groups, message) {
  return { group: groups, message };
}

const CORE_BASE = [
  forbid(['electron', 'electron/*'], 'main/core runs in plain Node: only main/electron may import electron.'),
  forbid(['**/renderer/**'], 'main/core never imports the renderer.'),
  forbid(['**/main/electron/**', '**/main/web/**', '**/main/cli/**', '../electron/**', '../web/**', '../cli/**', '../../electron/**', '../../web/**', '../../cli/**'], 'main/core is below the shells: it never imports main/electron, main/web or main/cli.'),
];

/**
 * Inside main/core, imports go down only:
 *   app.ts → api → node → creator, operator (never each other) → scene → render → output, workers,
 *   engine, blender; net, chain → store; wallet → chain; desktop → operator.
 * Each folder lists the folders it must never import, with the reason a reader needs.
 */
const CORE_FORBIDDEN = {
  store: [['engine', 'workers', 'wallet', 'chain', 'net', 'output', 'render', 'scene', 'creator', 'operator', 'desktop', 'node', 'api', 'blender'], 'store/ is the bottom of main/core: it imports no other capability.'],
  engine: [['wallet', 'chain', 'net', 'output', 'render', 'scene', 'creator', 'operator', 'desktop', 'node', 'api', 'blender'], 'engine/ is the TS face of the native renderer: it knows no scene library, network, chain or role.'],
  workers: [['wallet', 'chain', 'net', 'output', 'render', 'scene', 'creator', 'operator', 'desktop', 'node', 'api', 'blender'], 'workers/ is the generic worker-thread pool: its users import it, not the other way round.'],
  chain: [['engine', 'workers', 'wallet', 'net', 'output', 'render', 'scene', 'creator', 'operator', 'desktop', 'node', 'api', 'blender'], 'chain/ holds contract clients and the dev chain: it knows no wallet, network or role.'],
  wallet: [['engine', 'workers', 'net', 'output', 'render', 'scene', 'creator', 'operator', 'desktop', 'node', 'api', 'blender'], 'wallet/ keeps keys: it depends on chain/ and store/ only.'],
  net: [['engine', 'workers', 'wallet', 'chain', 'output', 'render', 'scene', 'creator', 'operator', 'desktop', 'node', 'api', 'blender'], 'net/ is a transport: it knows no role; roles depend on its message types, never the other way round.'],
  output: [['wallet', 'chain', 'net', 'render', 'scene', 'creator', 'operator', 'desktop', 'node', 'api', 'blender'], 'output/ writes images and job folders: it knows no renderer, network or role.'],
  blender: [['engine', 'workers', 'wallet', 'chain', 'net', 'output', 'render', 'scene', 'creator', 'operator', 'desktop', 'node', 'api'], 'blender/ runs Blender headless in a sandbox: it knows no scene library, network or role; scene/ and render/ use it.'],
  render: [['wallet', 'chain', 'net', 'scene', 'creator', 'operator', 'desktop', 'node', 'api'], 'render/ renders tasks for both roles: it knows no network, scene library or role.'],
  scene: [['wallet', 'chain', 'net', 'creator', 'operator', 'desktop', 'node', 'api'], 'scene/ imports and checks scenes: it knows no network or role.'],
  creator: [['operator', 'desktop', 'node', 'api'], 'creator/ and operator/ never import each other: what both need lives below them (render/, scene/, net/).'],
  operator: [['creator', 'desktop', 'node', 'api'], 'creator/ and operator/ never import each other: what both need lives below them (render/, scene/, net/).'],
  desktop: [['creator', 'node', 'api'], 'desktop/ is what the Electron shell shows: it reads the operator side only.'],
  node: [['desktop', 'api'], 'node/ composes a node from the roles; the API is above it.'],
  api: [['desktop'], 'api/ fronts the services; the desktop shell draws its own tray.'],
};

function coreLayers() {
  const upward = (folders, message) => ({ regex: `^(\\.\\./)+(${folders.join('|')})(/|$)`, message });
  const app = { regex: '^(\\.\\./)+app$', message: 'app.ts is the composition root: nothing in main/core imports it.' };
  return [
    { files: ['main/core/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: CORE_BASE }] } },
    ...Object.entries(CORE_FORBIDDEN).map(([folder, [folders, message]]) => ({
      files: [`main/core/${folder}/**/*.ts`],
      rules: { 'no-restricted-imports': ['error', { patterns: [...CORE_BASE, upward(folders, message), app] }] },
    })),
  ];
}

export default tseslint.config(
  {
    ignores: ['node_modules/', 'out/', 'dist/', 'build/', '.tsbuild/', 'native/build/', 'contracts/generated/', 'test-results/', 'resources/scenes/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          forbid(NODE_BUILTINS, 'shared/ is pure TypeScript: no Node built-ins.'),
          forbid(['electron'], 'shared/ never imports electron.'),
          forbid(['**/main/**', '**/renderer/**', '**/native/**'], 'shared/ is the bottom layer: it imports nothing from main/, renderer/ or native/.'),
        ],
      }],
    },
  },
  // main/core as a whole: below the shells, never electron or the renderer; inside it, each
  // capability folder may import only the folders below it (coreLayer below).
  ...coreLayers(),
  {
    files: ['main/web/**/*.ts', 'main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          forbid(['electron', 'electron/*'], 'Only main/electron may import electron.'),
          forbid(['**/renderer/**'], 'The Node side never imports the renderer.'),
          forbid(['**/main/electron/**', '../electron/**', '../../electron/**'], 'main/web and main/cli do not depend on the Electron shell.'),
        ],
      }],
    },
  },
  {
    files: ['main/electron/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [forbid(['**/renderer/**'], 'The Electron shell never imports the renderer; it loads its built files.')],
      }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          forbid(NODE_BUILTINS, 'The renderer runs in a sandboxed browser: no Node built-ins.'),
          forbid(['electron', 'electron/*'], 'The renderer never imports electron; it uses the preload bridge through the API client.'),
          forbid(['**/main/**', '**/native/**'], 'The renderer talks to the core only through shared/api and the client.'),
        ],
      }],
    },
  },
  {
    files: ['**/*.mjs', 'scripts/**/*', 'bin/**/*'],
    languageOptions: { globals: { ...globals.node } },
  },
);
