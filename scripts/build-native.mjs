// Builds the native engine (npm run build:native). With nvcc on the PATH (and RAYFARM_CUDA
// not "0") the CUDA backend is compiled first and linked in; if that fails the engine is
// built for the CPU alone, with one warning line. Never downloads Node headers when the
// running Node ships its own (Debian, Homebrew, nvm) or npm names a nodedir.
// With GCC on Linux the engine is built profile-guided (buildPgo below; RAYFARM_PGO=0 turns
// it off): about 4-5 % less CPU per sample on heavy.glb, the same pixels.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const native = join(root, 'native');
const nodeGyp = join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');

function findNvcc() {
  if (process.env.RAYFARM_CUDA === '0') return null;
  const names = process.platform === 'win32' ? ['nvcc.exe'] : ['nvcc'];
  const dirs = (process.env.PATH ?? '').split(process.platform === 'win32' ? ';' : ':');
  for (const home of [process.env.CUDA_HOME, process.env.CUDA_PATH, '/usr/local/cuda']) {
    if (home) dirs.push(join(home, 'bin'));
  }
  for (const d of dirs) for (const n of names) if (d && existsSync(join(d, n))) return join(d, n);
  return null;
}

/** The folder holding libcudart_static.a, found from nvcc's own idea of its install. */
function findCudaLib(nvcc) {
  const r = spawnSync(nvcc, ['--dryrun', '-v', '-c', '-x', 'cu', '/dev/null', '-o', '/dev/null'], { encoding: 'utf8' });
  const top = /TOP=(\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1];
  const homes = [top, process.env.CUDA_HOME, process.env.CUDA_PATH, '/usr/local/cuda', resolve(dirname(nvcc), '..')];
  for (const h of homes) {
    if (!h) continue;
    for (const sub of ['lib64', 'lib', 'targets/x86_64-linux/lib', 'targets/sbsa-linux/lib']) {
      if (existsSync(join(h, sub, 'libcudart_static.a'))) return join(h, sub);
    }
  }
  return null;
}

function buildCuda(nvcc) {
  const src = join(native, 'src');
  const hash = createHash('sha256');
  for (const f of readdirSync(src).sort()) if (/\.(h|cu)$/.test(f)) hash.update(f).update(readFileSync(join(src, f)));
  const archs = (process.env.RAYFARM_CUDA_ARCHS ?? '80,90').split(',').map((s) => s.trim()).filter(Boolean);
  hash.update(archs.join(','));
  const outDir = join(native, 'build-cuda');
  const obj = join(outDir, `cuda_backend-${hash.digest('hex').slice(0, 16)}.o`);
  if (existsSync(obj)) return obj;
  mkdirSync(outDir, { recursive: true });
  const gencode = archs.flatMap((a) => ['-gencode', `arch=compute_${a},code=sm_${a}`]);
  const last = archs[archs.length - 1];
  gencode.push('-gencode', `arch=compute_${last},code=compute_${last}`);
  const args = ['-c', join(src, 'cuda_backend.cu'), '-o', `${obj}.tmp`, '-std=c++17', '-O3', '--fmad=false',
    '--expt-relaxed-constexpr', '-Xcompiler', '-fPIC', '-Xcompiler', '-fno-math-errno', ...gencode];
  const r = spawnSync(nvcc, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    const first = `${r.stderr ?? ''}${r.stdout ?? ''}`.split('\n').find((l) => /error|fatal/i.test(l)) ?? '';
    throw new Error(`nvcc exited with ${r.status ?? r.signal}${first ? `: ${first.trim().slice(0, 200)}` : ''}`);
  }
  renameSync(`${obj}.tmp`, obj);
  // Keep only the object for the current sources.
  for (const f of readdirSync(outDir)) if (/^cuda_backend-.*\.o$/.test(f) && join(outDir, f) !== obj) rmSync(join(outDir, f));
  return obj;
}

function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [`--nodedir=${process.env.npm_config_nodedir}`];
  const prefix = resolve(dirname(process.execPath), '..');
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h')) && existsSync(join(prefix, 'include', 'node', 'common.gypi'))) {
    return [`--nodedir=${prefix}`];
  }
  return [];
}

function gyp(env) {
  return spawnSync(process.execPath, [nodeGyp, 'rebuild', '--directory', native, '--jobs', 'max', ...nodedirArgs()], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  }).status;
}

/** The plain engine, with CUDA when it was compiled, else (or if linking it fails) for the CPU alone. */
function buildPlain(cudaEnv) {
  let status = gyp(cudaEnv ?? { RAYFARM_CUDA_OBJ: '', RAYFARM_CUDA_LIB: '' });
  if (status !== 0 && cudaEnv) {
    console.warn('rayfarm: linking the CUDA backend failed; building the CPU-only engine.');
    status = gyp({ RAYFARM_CUDA_OBJ: '', RAYFARM_CUDA_LIB: '' });
  }
  return status ?? 1;
}

/**
 * Profile-guided build with GCC: build the engine instrumented, render the sample scenes with
 * it for a few seconds (scripts/pgo-train.mjs), rebuild it using the profile that run wrote
 * (native/build-pgo, made fresh each time). Same source, same floating-point flags: the
 * compiler only lays out and inlines differently, so the engine renders the same bits
 * (npm run render:hashes prints the same hashes for every sample scene with either build).
 * Returns false on any failure, and the caller builds the plain engine. RAYFARM_PGO=0 skips it.
 */
function buildPgo(cudaEnv) {
  if (process.env.RAYFARM_PGO === '0' || process.platform !== 'linux') return false;
  const cxx = spawnSync(process.env.CXX || 'g++', ['--version'], { encoding: 'utf8' });
  if (cxx.status !== 0 || !/Free Software Foundation/.test(cxx.stdout ?? '')) return false;
  const dir = join(native, 'build-pgo');
  if (/\s/.test(dir)) return false;
  const fail = (why) => {
    console.warn(`rayfarm: profile-guided build skipped (${why}); building the plain engine.`);
    rmSync(dir, { recursive: true, force: true });
    return false;
  };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const base = cudaEnv ?? { RAYFARM_CUDA_OBJ: '', RAYFARM_CUDA_LIB: '' };
  const flags = (f) => ({ CXXFLAGS: `${process.env.CXXFLAGS ?? ''} ${f}`.trim(), LDFLAGS: `${process.env.LDFLAGS ?? ''} ${f}`.trim() });
  if (gyp({ ...base, ...flags(`-fprofile-generate=${dir}`) }) !== 0) return fail('the instrumented build failed');
  const train = spawnSync(process.execPath, [join(root, 'scripts', 'pgo-train.mjs')], {
    cwd: root,
    stdio: 'inherit',
    timeout: 300_000,
    env: { ...process.env, RAYFARM_NATIVE_PATH: join(native, 'build', 'Release', 'rayfarm_native.node') },
  });
  if (train.status !== 0) return fail(`the training render exited with ${train.status ?? train.signal}`);
  if (!readdirSync(dir).some((f) => f.endsWith('.gcda'))) return fail('the training render wrote no profile');
  const use = `-fprofile-use=${dir} -fprofile-partial-training -Wno-missing-profile`;
  if (gyp({ ...base, ...flags(use) }) !== 0) return fail('the build from the profile failed');
  rmSync(dir, { recursive: true, force: true });
  return true;
}

let cudaEnv = null;
const nvcc = findNvcc();
if (nvcc) {
  try {
    const lib = findCudaLib(nvcc);
    if (!lib) throw new Error('libcudart_static.a not found');
    const obj = buildCuda(nvcc);
    cudaEnv = { RAYFARM_CUDA_OBJ: obj, RAYFARM_CUDA_LIB: lib };
  } catch (err) {
    console.warn(`rayfarm: CUDA backend not built (${err.message}); building the CPU-only engine.`);
  }
}
process.exit(buildPgo(cudaEnv) ? 0 : buildPlain(cudaEnv));
