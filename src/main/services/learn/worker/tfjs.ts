import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import path from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import { registerWasmGradients } from './kernels';
import { planWasmThreads, unrefWasmWorkers } from './wasm-threads';

export type Tf = typeof tfjs;
export type BackendKind = 'node-gpu' | 'node' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** tfjs' own backend name: 'tensorflow', 'wasm' or 'cpu'. */
  name: string;
  kind: BackendKind;
  simd?: boolean;
  threads?: number;
  note?: string;
}

export interface InitBackendOptions {
  /** Folder holding the tfjs-backend-wasm *.wasm binaries; defaults to the installed package's dist. */
  wasmDir?: string;
  /** wasm thread count; defaults to AUW_WASM_THREADS, else the number of logical cores. 1 disables threads. */
  wasmThreads?: number;
}

/**
 * The tf namespace every learning module uses. It is @tensorflow/tfjs until
 * initBackend() loads a native package, then that package's namespace: tfjs-node
 * re-exports tfjs, but if npm ever nests a second tfjs-core under it, only its own
 * namespace talks to the engine that owns the native backend.
 */
export let tf: Tf = tfjs;

const KINDS: readonly BackendKind[] = ['node-gpu', 'node', 'wasm', 'cpu'];
const NATIVE_PACKAGES = { 'node-gpu': '@tensorflow/tfjs-node-gpu', node: '@tensorflow/tfjs-node' } as const;
const MAX_WASM_THREADS = 8; // the wasm build pre-spawns 8 pthread workers
const THREADED_INIT_TIMEOUT_MS = 30_000; // measured ~1.3 s on a busy 2-core machine

let pending: Promise<BackendInfo> | null = null;
let current: BackendInfo | null = null;
let wasmPathsSet = false;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function forcedKind(): BackendKind | null {
  const raw = process.env.AUW_TF_BACKEND?.trim();
  if (!raw) return null;
  if ((KINDS as readonly string[]).includes(raw)) return raw as BackendKind;
  throw new Error(`AUW_TF_BACKEND=${raw} is not a backend; use one of ${KINDS.join(', ')}, or unset it.`);
}

function wasmThreadCount(options: InitBackendOptions): number {
  const raw = options.wasmThreads ?? (process.env.AUW_WASM_THREADS ? Number(process.env.AUW_WASM_THREADS) : NaN);
  const n = Number.isFinite(raw) && raw >= 1 ? Math.floor(raw) : cpus().length;
  return Math.min(Math.max(n, 1), MAX_WASM_THREADS);
}

function defaultWasmDir(): string {
  const req = createRequire(import.meta.url);
  return path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm'));
}

async function loadNative(kind: 'node-gpu' | 'node'): Promise<BackendInfo> {
  const pkg = NATIVE_PACKAGES[kind];
  // A variable specifier keeps bundlers and tsc from requiring the optional package.
  const mod = (await import(/* @vite-ignore */ pkg)) as Tf & { default?: Tf };
  const ns: Tf = typeof mod.default?.setBackend === 'function' ? mod.default : mod;
  if (!(await ns.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its 'tensorflow' backend did not initialise`);
  await ns.ready();
  const notes: string[] = [];
  const be = ns.backend() as { isUsingGpuDevice?: boolean };
  if (kind === 'node-gpu' && be.isUsingGpuDevice === false) {
    notes.push('tfjs-node-gpu loaded but TensorFlow sees no CUDA device; it runs on the CPU');
  }
  if (ns.engine() !== tfjs.engine()) notes.push(`${pkg} uses its own copy of tfjs-core; import tf from backend.ts only`);
  tf = ns;
  return { name: ns.getBackend(), kind, ...(notes.length ? { note: notes.join('; ') } : {}) };
}

async function loadWasm(options: InitBackendOptions): Promise<BackendInfo> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = options.wasmDir ?? defaultWasmDir();
  const binaries = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'];
  const missing = binaries.filter((f) => !existsSync(path.join(dir, f)));
  if (missing.length) throw new Error(`wasm binaries missing in ${dir}: ${missing.join(', ')}`);
  if (!wasmPathsSet) {
    // A filesystem prefix: Emscripten's Node path reads it with fs, nothing is fetched.
    wasm.setWasmPaths(dir.endsWith(path.sep) ? dir : dir + path.sep);
    wasmPathsSet = true;
  }
  const notes: string[] = [];
  const wanted = wasmThreadCount(options);
  let ok = false;
  if (wanted > 1) {
    try {
      if (!existsSync(path.join(dir, 'tfjs-backend-wasm-threaded-simd.wasm'))) {
        throw new Error(`tfjs-backend-wasm-threaded-simd.wasm is missing in ${dir}`);
      }
      const plan = planWasmThreads(wanted, wasm.setThreadsCount);
      try {
        ok = await withTimeout(tfjs.setBackend('wasm'), THREADED_INIT_TIMEOUT_MS, 'multithreaded wasm initialisation');
      } finally {
        plan.restore();
      }
      if (!ok) notes.push('multithreaded wasm failed to initialise; using one thread');
    } catch (err) {
      notes.push(`wasm threads unavailable (${message(err)}); using one thread`);
    }
  }
  if (!ok) {
    tfjs.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setThreadsCount(1);
    ok = await tfjs.setBackend('wasm');
  }
  if (!ok) throw new Error(`the wasm backend did not initialise from ${dir}`);
  await tfjs.ready();
  unrefWasmWorkers(tfjs.backend());
  registerWasmGradients();
  checkArithmetic();
  const simd = (await tfjs.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  if (!simd) notes.push('this runtime has no wasm SIMD; expect several times slower training');
  tf = tfjs;
  return {
    name: 'wasm', kind: 'wasm', simd, threads: wasm.getThreadsCount(),
    ...(notes.length ? { note: notes.join('; ') } : {}),
  };
}

/**
 * Pthread workers that never report back would leave initBackend pending forever;
 * a later setBackend call supersedes the stuck initialisation in tfjs' engine.
 */
async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A 2x2 matmul with a known answer, so a backend that loads but computes garbage is refused. */
function checkArithmetic(): void {
  const got = tfjs.tidy(() =>
    tfjs.matMul(tfjs.tensor2d([1, 2, 3, 4], [2, 2]), tfjs.tensor2d([5, 6, 7, 8], [2, 2])).dataSync());
  if (Array.from(got).join(',') !== '19,22,43,50') {
    throw new Error(`backend ${tfjs.getBackend()} computed a wrong matmul (${Array.from(got).join(',')})`);
  }
}

async function loadCpu(failures: string[], forced: boolean): Promise<BackendInfo> {
  if (!(await tfjs.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
  await tfjs.ready();
  tf = tfjs;
  const note = forced
    ? 'AUW_TF_BACKEND=cpu: plain JavaScript kernels, roughly 80x slower than wasm for conv training'
    : `WARNING: running on the plain JavaScript cpu backend, roughly 80x slower than wasm for conv training. ` +
      `Every faster backend failed: ${failures.join(' | ')}. Training is refused unless AUW_TF_BACKEND=cpu is set.`;
  return { name: 'cpu', kind: 'cpu', note };
}

async function load(kind: BackendKind, options: InitBackendOptions, failures: string[], forced: boolean) {
  switch (kind) {
    case 'node-gpu':
    case 'node':
      return loadNative(kind);
    case 'wasm':
      return loadWasm(options);
    case 'cpu':
      return loadCpu(failures, forced);
  }
}

async function select(options: InitBackendOptions): Promise<BackendInfo> {
  const forced = forcedKind();
  const failures: string[] = [];
  for (const kind of forced ? [forced] : KINDS) {
    try {
      const info = await load(kind, options, failures, forced != null);
      if (info.kind === 'cpu' && forced == null) console.warn(`[learn] ${info.note}`);
      return info;
    } catch (err) {
      if (forced) {
        throw new Error(
          `AUW_TF_BACKEND=${forced} was requested but that backend could not be loaded: ${message(err)}. ` +
            `Install its package or unset AUW_TF_BACKEND to pick the best available backend.`,
          { cause: err },
        );
      }
      failures.push(`${kind}: ${message(err)}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${failures.join(' | ')}`);
}

/**
 * Picks and initialises the best backend that loads: tfjs-node-gpu, tfjs-node,
 * wasm (with the project's gradient kernels), then plain cpu; AUW_TF_BACKEND
 * forces one. Runs once per process; later calls return the same result.
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  pending ??= select(options).then(
    (info) => (current = info),
    (err: unknown) => {
      pending = null; // a failed forced load may be retried after the environment is fixed
      throw err;
    },
  );
  return pending;
}

/** The backend initBackend() settled on, or null before it has. */
export function getBackendInfo(): BackendInfo | null {
  return current;
}

/**
 * Refuses to train on the plain cpu backend unless a person asked for it with
 * AUW_TF_BACKEND=cpu: a silent fallback would turn minutes into days.
 */
export function assertTrainingBackend(): BackendInfo {
  if (current == null) throw new Error('initBackend() must finish before training starts.');
  if (current.kind === 'cpu' && process.env.AUW_TF_BACKEND?.trim() !== 'cpu') {
    throw new Error(
      `Training refused: only the plain JavaScript cpu backend is available (${current.note ?? ''}). ` +
        `Repair the install (node_modules/@tensorflow/tfjs-backend-wasm) or set AUW_TF_BACKEND=cpu to train slowly anyway.`,
    );
  }
  return current;
}
