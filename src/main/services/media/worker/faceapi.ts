// Loads face-api on the tfjs wasm backend entirely from local files: the wasm binaries from
// node_modules and the weights from the package's model/ folder (no network, no canvas).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as FaceApi from '@vladmandic/face-api/dist/face-api.node-wasm.js';

export type FaceApiModule = typeof FaceApi;

const req = createRequire(import.meta.url);

let loading: Promise<FaceApiModule> | null = null;

export function faceApiModelDir(): string {
  return join(dirname(req.resolve('@vladmandic/face-api/package.json')), 'model');
}

/**
 * face-api's node-wasm build shares the app's `@tensorflow/tfjs` instance. If another backend is
 * already active (e.g. the learn engine chose tfjs-node in this process) we keep it: face-api runs
 * on any backend, and switching would disturb the other user.
 */
/**
 * Emscripten's glue adds process-wide 'uncaughtException'/'unhandledRejection' listeners that
 * rethrow, so any later crash prints the whole minified wasm loader (hundreds of KB) instead of
 * the error. Node's defaults do the same job readably, so drop the listeners it added.
 */
async function withoutEmscriptenHandlers<T>(fn: () => Promise<T>): Promise<T> {
  const ue = new Set(process.listeners('uncaughtException'));
  const ur = new Set(process.listeners('unhandledRejection'));
  try {
    return await fn();
  } finally {
    for (const l of process.listeners('uncaughtException')) if (!ue.has(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!ur.has(l)) process.removeListener('unhandledRejection', l);
  }
}

async function init(): Promise<FaceApiModule> {
  return withoutEmscriptenHandlers(initBackend);
}

async function initBackend(): Promise<FaceApiModule> {
  const faceapi = req('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApiModule;
  const tf = faceapi.tf as unknown as {
    engine(): { backendName: string | null };
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
  };
  const wasm = req('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string, usePlatformFetch?: boolean): void };
  const dist = dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  try {
    // Must precede backend initialisation; throws if someone else already initialised wasm.
    wasm.setWasmPaths(dist.endsWith('/') ? dist : dist + '/');
  } catch {
    /* already initialised: its paths stay */
  }
  // engine().backendName, unlike getBackend(), does not try to start the best backend synchronously.
  const current = tf.engine().backendName;
  if (current !== 'tensorflow' && current !== 'wasm') {
    if (!(await tf.setBackend('wasm'))) throw new Error('Could not initialise the tfjs wasm backend for face detection.');
  }
  await tf.ready();
  return faceapi;
}

export function loadFaceApi(): Promise<FaceApiModule> {
  loading ??= init().catch((e: unknown) => {
    loading = null;
    throw e;
  });
  return loading;
}
