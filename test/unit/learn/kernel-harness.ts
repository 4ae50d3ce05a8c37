import type * as tfjs from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { initBackend, tf } from '../../../src/main/services/learn/worker/tfjs';

export type DType = 'float32' | 'int32';

export interface HostTensor {
  shape: number[];
  values: Float32Array | Int32Array;
  dtype: DType;
}

/**
 * Initialises the project's wasm backend even on machines where a native
 * backend would win the automatic choice: these tests are about wasm.
 */
export async function initWasmForTests() {
  const before = process.env.AUW_TF_BACKEND;
  process.env.AUW_TF_BACKEND = 'wasm';
  try {
    return await initBackend();
  } finally {
    if (before === undefined) delete process.env.AUW_TF_BACKEND;
    else process.env.AUW_TF_BACKEND = before;
  }
}

/** mulberry32: the same inputs on every run and on both backends. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randn(shape: number[], seed: number): HostTensor {
  const next = rng(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = next() * 2 - 1;
  return { shape, values, dtype: 'float32' };
}

export function ints(shape: number[], values: number[]): HostTensor {
  return { shape, values: Int32Array.from(values), dtype: 'int32' };
}

/** Runs one kernel directly (no op-level checks or rewrites) on the named backend. */
export async function runKernel(
  backendName: 'cpu' | 'wasm',
  kernelName: string,
  inputs: Record<string, HostTensor>,
  attrs: object,
): Promise<HostTensor> {
  await tf.setBackend(backendName);
  return tf.tidy(() => {
    const ins: tfjs.NamedTensorMap = {};
    for (const [k, v] of Object.entries(inputs)) ins[k] = tf.tensor(v.values, v.shape, v.dtype);
    const out = tf.engine().runKernel(kernelName, ins, attrs as tfjs.NamedAttrMap) as tfjs.Tensor;
    return { shape: out.shape.slice(), values: out.dataSync() as Float32Array | Int32Array, dtype: out.dtype as DType };
  });
}

/** Largest |a-b| relative to the reference's magnitude; 0 for identical arrays. */
export function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 1;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i] as number));
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs((got[i] as number) - (want[i] as number));
    err = Math.max(err, Number.isNaN(d) ? Infinity : d);
  }
  return err / scale;
}

export function expectClose(got: HostTensor, want: HostTensor, tol: number, label: string) {
  expect(got.shape, `${label}: shape`).toEqual(want.shape);
  expect(got.values.length, `${label}: size`).toBe(want.values.length);
  expect(relError(got.values, want.values), `${label}: max error / max |ref|`).toBeLessThan(tol);
}
