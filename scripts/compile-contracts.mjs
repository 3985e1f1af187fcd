// Compiles contracts/**/*.sol with the npm `solc` (solcjs) into contracts/generated/*.ts, one
// file per deployable contract with its ABI (`as const`, so ethers calls can be typed) and
// creation bytecode. All sources go through one standard-JSON call (solcjs pays its start-up
// cost once), and a hash of everything that affects the output lets a repeated install skip
// the compile entirely. Run: npm run build:contracts  (add --force to ignore the hash).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const contractsDir = join(root, 'contracts');
const outDir = join(contractsDir, 'generated');
const hashFile = join(outDir, '.build-hash');
const require = createRequire(import.meta.url);
const force = process.argv.includes('--force');

const settings = {
  // Cancun: transient storage (reentrancy guard) and mcopy, available on every chain we target.
  evmVersion: 'cancun',
  optimizer: { enabled: true, runs: 10_000 },
  // No metadata hash in the bytecode: dev-chain addresses are CREATE2 addresses of the
  // bytecode, so a comment or NatSpec edit must not move them (nodes on a LAN devnet compute
  // them from their own build).
  metadata: { bytecodeHash: 'none' },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
};

/** Every .sol file under contracts/, as solc source-unit names ("contracts/JobEscrow.sol"). */
function listSources(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (full !== outDir) found.push(...listSources(full));
    } else if (entry.name.endsWith('.sol')) {
      found.push(relative(root, full).split(sep).join('/'));
    }
  }
  return found.sort();
}

/** Resolves a package import ("@openzeppelin/contracts/...") to a file in node_modules. */
function resolveImport(path) {
  const parts = path.split('/');
  const pkg = path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const pkgDir = dirname(require.resolve(`${pkg}/package.json`));
  return join(pkgDir, parts.slice(pkg.split('/').length).join('/'));
}

function packageVersion(pkg) {
  return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version;
}

// An install without devDependencies (npm ci --omit=dev) has no compiler: keep what was
// generated before, and say clearly when there is nothing.
try {
  require.resolve('solc/package.json');
  require.resolve('@openzeppelin/contracts/package.json');
} catch {
  if (existsSync(join(outDir, 'index.ts'))) {
    console.warn('contracts: solc or @openzeppelin/contracts is not installed; keeping the existing contracts/generated');
    process.exit(0);
  }
  console.error('contracts: solc and @openzeppelin/contracts (devDependencies) are needed to build contracts/generated; run npm ci');
  process.exit(1);
}

const sourceNames = listSources(contractsDir);
const sources = Object.fromEntries(sourceNames.map((name) => [name, { content: readFileSync(join(root, name), 'utf8') }]));

const hash = createHash('sha256');
hash.update(JSON.stringify({ settings, solc: packageVersion('solc'), oz: packageVersion('@openzeppelin/contracts') }));
hash.update(readFileSync(fileURLToPath(import.meta.url)));
for (const name of sourceNames) hash.update(`\0${name}\0${sources[name].content}`);
const digest = hash.digest('hex');

if (!force && existsSync(hashFile) && readFileSync(hashFile, 'utf8').trim() === digest && existsSync(join(outDir, 'index.ts'))) {
  console.log('contracts: up to date');
  process.exit(0);
}

const started = Date.now();
const { default: solc } = await import('solc');
const input = { language: 'Solidity', sources, settings };
const output = JSON.parse(
  solc.compile(JSON.stringify(input), {
    import(path) {
      try {
        return { contents: readFileSync(resolveImport(path), 'utf8') };
      } catch (e) {
        return { error: `cannot resolve ${path}: ${e.message}` };
      }
    },
  }),
);

// Warnings about library code (OpenZeppelin's transient-storage note) are not ours to fix.
const problems = (output.errors ?? []).filter(
  (p) => p.severity === 'error' || !p.sourceLocation?.file?.startsWith('@'),
);
for (const p of problems) (p.severity === 'error' ? console.error : console.warn)(p.formattedMessage);
if (problems.some((p) => p.severity === 'error')) {
  console.error('contracts: compilation failed');
  process.exit(1);
}

// Write into a fresh temp folder and swap it in, so a failed or interrupted run never leaves
// a half-written generated/ that the hash would then bless.
const tmpDir = `${outDir}.tmp-${process.pid}`;
rmSync(tmpDir, { recursive: true, force: true });
mkdirSync(tmpDir, { recursive: true });
const names = [];
for (const file of sourceNames) {
  for (const [name, artifact] of Object.entries(output.contracts?.[file] ?? {})) {
    const bytecode = artifact.evm?.bytecode?.object ?? '';
    if (!bytecode) continue; // interfaces and abstract contracts cannot be deployed
    const lower = name[0].toLowerCase() + name.slice(1);
    const text =
      `// Generated by scripts/compile-contracts.mjs from ${file}; do not edit.\n\n` +
      `/** ABI of ${name}. */\n` +
      `export const ${lower}Abi = ${JSON.stringify(artifact.abi, null, 2)} as const;\n\n` +
      `/** Creation bytecode of ${name}. */\n` +
      `export const ${lower}Bytecode = '0x${bytecode}' as const;\n`;
    writeFileSync(join(tmpDir, `${name}.ts`), text);
    names.push(name);
  }
}
names.sort();
writeFileSync(
  join(tmpDir, 'index.ts'),
  '// Generated by scripts/compile-contracts.mjs; do not edit.\n' +
    names.map((n) => `export * from './${n}';\n`).join(''),
);
writeFileSync(join(tmpDir, '.build-hash'), `${digest}\n`);
rmSync(outDir, { recursive: true, force: true });
renameSync(tmpDir, outDir);
console.log(`contracts: compiled ${names.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
