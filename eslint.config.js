// Lint rules, above all the layering of ../shared/STYLE.md: imports go down only.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'http', 'net', 'url', 'worker_threads', 'stream', 'util', 'events', 'zlib', 'module', 'process', 'buffer'];

function forbid(groups, message) {
  return { group: groups, message };
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
  {
    files: ['main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          forbid(['electron', 'electron/*'], 'main/core runs in plain Node: only main/electron may import electron.'),
          forbid(['**/renderer/**'], 'main/core never imports the renderer.'),
          forbid(['**/main/electron/**', '**/main/web/**', '**/main/cli/**', '../electron/**', '../web/**', '../cli/**', '../../electron/**', '../../web/**', '../../cli/**'], 'main/core is below the shells: it never imports main/electron, main/web or main/cli.'),
        ],
      }],
    },
  },
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
