import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../../src/main/services/learn/worker/tfjs';
import {
  registerWasmGradients,
  WASM_MISSING_KERNELS,
  WASM_REPLACED_KERNELS,
} from '../../../src/main/services/learn/worker/kernels';
import { depthwiseBackpropFilterRef, depthwiseBackpropInputRef } from './depthwise-reference';
import { expectClose, initWasmForTests, ints, randn, relError, runKernel, type HostTensor } from './kernel-harness';

type Four = [number, number, number, number];
type Five = [number, number, number, number, number];
type Pad = 'valid' | 'same' | number | tfjs.backend_util.ExplicitPadding;

const TOL = 2e-5; // float32 sums of a few hundred terms in different orders

beforeAll(async () => {
  const info = await initWasmForTests();
  expect(info.kind).toBe('wasm');
});

describe('kernel registration', () => {
  it('registers every kernel it claims, and only for wasm', () => {
    for (const k of [...WASM_MISSING_KERNELS, ...WASM_REPLACED_KERNELS]) {
      expect(k.backendName).toBe('wasm');
      expect(tf.getKernel(k.kernelName, 'wasm')?.kernelFunc, k.kernelName).toBe(k.kernelFunc);
      expect(tf.getKernel(k.kernelName, 'cpu')?.kernelFunc).not.toBe(k.kernelFunc);
    }
    expect(registerWasmGradients()).toEqual([]); // idempotent
  });

  it('leaves no gradient kernel that tfjs-core can dispatch unimplemented on wasm', () => {
    const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
    const missing = tf.getKernelsForBackend('cpu').map((k) => k.kernelName).filter((k) => !wasm.has(k));
    // What remains is forward-only and unused in training (complex/FFT, ragged, strings, Einsum, Draw).
    expect(missing.sort()).toEqual([
      'Complex', 'ComplexAbs', 'Draw', 'Einsum', 'FFT', 'IFFT', 'Imag', 'RaggedGather', 'RaggedRange',
      'RaggedTensorToTensor', 'Real', 'StaticRegexReplace',
    ]);
  });
});

function convOutShape(xShape: Four, filterShape: Four, strides: number | [number, number], pad: Pad,
  dataFormat: 'NHWC' | 'NCHW', round?: 'floor' | 'ceil' | 'round', depthwise = false,
  dilations: number | [number, number] = 1): Four {
  const fmt = dataFormat === 'NHWC' ? 'channelsLast' : 'channelsFirst';
  return tf.backend_util.computeConv2DInfo(
    xShape, filterShape, strides, dilations, pad, round, depthwise, fmt).outShape as Four;
}

describe('Conv2DBackpropFilter (wasm vs cpu)', () => {
  const shapes: Array<{ x: Four; f: [number, number]; co: number }> = [
    { x: [1, 7, 7, 1], f: [3, 3], co: 2 },
    { x: [2, 8, 5, 3], f: [2, 3], co: 4 },
    { x: [3, 9, 10, 2], f: [5, 5], co: 3 },
    { x: [2, 6, 6, 4], f: [1, 1], co: 5 },
  ];
  const strides: Array<number | [number, number]> = [1, 2, [2, 1], 3];
  const pads: Pad[] = ['same', 'valid', 1, [[0, 0], [1, 2], [0, 1], [0, 0]]];
  const cases: Array<{ x: Four; filter: Four; strides: number | [number, number]; pad: Pad }> = [];
  strides.forEach((s, i) => pads.forEach((pad, j) => {
    const shape = shapes[(i + j) % shapes.length]!;
    cases.push({ x: shape.x, filter: [...shape.f, shape.x[3], shape.co], strides: s, pad });
  }));

  it.each(cases)('x $x filter $filter strides $strides pad $pad', async ({ x, filter, strides, pad }) => {
    const dyShape = convOutShape(x, filter, strides, pad, 'NHWC');
    const inputs = { x: randn(x, 1), dy: randn(dyShape, 2) };
    const attrs = { strides, pad, dataFormat: 'NHWC', filterShape: filter };
    const want = await runKernel('cpu', tf.Conv2DBackpropFilter, inputs, attrs);
    const got = await runKernel('wasm', tf.Conv2DBackpropFilter, inputs, attrs);
    expectClose(got, want, TOL, 'dW');
  });

  it.each([
    { x: [2, 3, 7, 6] as Four, filter: [3, 3, 3, 4] as Four, strides: 2, pad: 'same' as Pad },
    { x: [1, 2, 9, 8] as Four, filter: [2, 3, 2, 3] as Four, strides: [1, 2] as [number, number],
      pad: [[0, 0], [0, 0], [2, 0], [1, 1]] as Pad },
  ])('NCHW x $x strides $strides pad $pad', async ({ x, filter, strides, pad }) => {
    const dyShape = convOutShape(x, filter, strides, pad, 'NCHW');
    const inputs = { x: randn(x, 3), dy: randn(dyShape, 4) };
    const attrs = { strides, pad, dataFormat: 'NCHW', filterShape: filter };
    expectClose(await runKernel('wasm', tf.Conv2DBackpropFilter, inputs, attrs),
      await runKernel('cpu', tf.Conv2DBackpropFilter, inputs, attrs), TOL, 'dW');
  });

  it('honours dimRoundingMode=ceil (a last window that starts in the padding)', async () => {
    const x: Four = [2, 8, 8, 2];
    const filter: Four = [3, 3, 2, 3];
    const dyShape = convOutShape(x, filter, 3, 1, 'NHWC', 'ceil');
    const inputs = { x: randn(x, 5), dy: randn(dyShape, 6) };
    const attrs = { strides: 3, pad: 1, dataFormat: 'NHWC', dimRoundingMode: 'ceil', filterShape: filter };
    expectClose(await runKernel('wasm', tf.Conv2DBackpropFilter, inputs, attrs),
      await runKernel('cpu', tf.Conv2DBackpropFilter, inputs, attrs), TOL, 'dW');
  });

  it('is discriminating: a wrong padding attribute gives a clearly different dW', async () => {
    const x: Four = [2, 7, 7, 2];
    const filter: Four = [3, 3, 2, 2];
    const dy = randn(convOutShape(x, filter, 1, 'same', 'NHWC'), 8);
    const inputs = { x: randn(x, 7), dy };
    const same = await runKernel('wasm', tf.Conv2DBackpropFilter, inputs,
      { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: filter });
    const explicit = await runKernel('cpu', tf.Conv2DBackpropFilter, inputs,
      { strides: 1, pad: [[0, 0], [2, 0], [1, 1], [0, 0]], dataFormat: 'NHWC', filterShape: filter });
    expect(relError(same.values, explicit.values)).toBeGreaterThan(1e-2);
  });
});

describe('DepthwiseConv2dNative backprops (wasm vs cpu and vs a float64 reference)', () => {
  const cases: Array<{
    x: Four; f: [number, number]; m: number; strides: number | [number, number];
    dilations: number | [number, number]; pad: Pad;
  }> = [
    { x: [1, 7, 7, 1], f: [3, 3], m: 1, strides: 1, dilations: 1, pad: 'same' },
    { x: [2, 8, 6, 3], f: [3, 3], m: 2, strides: 2, dilations: 1, pad: 'same' },
    { x: [2, 9, 9, 2], f: [2, 3], m: 1, strides: 2, dilations: 1, pad: 'valid' },
    { x: [3, 7, 8, 2], f: [5, 5], m: 3, strides: [1, 2], dilations: 1, pad: 2 },
    { x: [2, 9, 7, 3], f: [3, 2], m: 2, strides: 1, dilations: 2, pad: 'same' },
    { x: [1, 10, 9, 2], f: [3, 3], m: 1, strides: 1, dilations: [2, 1], pad: 'valid' },
    { x: [2, 8, 8, 2], f: [3, 3], m: 2, strides: 2, dilations: 1,
      pad: [[0, 0], [1, 0], [2, 1], [0, 0]] },
    { x: [2, 6, 7, 1], f: [1, 1], m: 4, strides: 3, dilations: 1, pad: 'valid' },
  ];

  it.each(cases)('x $x f $f m $m strides $strides dilations $dilations pad $pad', async (c) => {
    const filterShape: Four = [...c.f, c.x[3], c.m];
    const g = { strides: c.strides, dilations: c.dilations, pad: c.pad };
    const dyShape = convOutShape(c.x, filterShape, c.strides, c.pad, 'NHWC', undefined, true, c.dilations);
    const x = randn(c.x, 11);
    const w = randn(filterShape, 12);
    const dy = randn(dyShape, 13);
    const dilated = c.dilations !== 1;

    const inAttrs = { ...g, inputShape: c.x };
    const dx = await runKernel('wasm', tf.DepthwiseConv2dNativeBackpropInput, { dy, filter: w }, inAttrs);
    expectClose(dx, depthwiseBackpropInputRef(c.x, w, dy, g), TOL, 'dx vs reference');
    // tfjs-cpu ignores dilations in this kernel, so it is only a reference without them.
    if (!dilated) {
      expectClose(dx, await runKernel('cpu', tf.DepthwiseConv2dNativeBackpropInput, { dy, filter: w }, inAttrs),
        TOL, 'dx vs cpu');
    }

    const fAttrs = { ...g, filterShape };
    const dW = await runKernel('wasm', tf.DepthwiseConv2dNativeBackpropFilter, { x, dy }, fAttrs);
    expectClose(dW, depthwiseBackpropFilterRef(x, filterShape, dy, g), TOL, 'dW vs reference');
    if (!dilated) {
      expectClose(dW, await runKernel('cpu', tf.DepthwiseConv2dNativeBackpropFilter, { x, dy }, fAttrs),
        TOL, 'dW vs cpu');
    }
  });
});

describe('Conv3D backprops (replacing the broken wasm ones; wasm vs cpu)', () => {
  const cases: Array<{ x: Five; f: [number, number, number]; co: number;
    strides: number | [number, number, number]; pad: 'same' | 'valid' }> = [
    { x: [1, 5, 6, 4, 2], f: [3, 3, 3], co: 2, strides: 1, pad: 'same' },
    { x: [2, 4, 5, 5, 1], f: [2, 3, 1], co: 3, strides: 1, pad: 'valid' },
    { x: [2, 5, 5, 6, 2], f: [3, 3, 3], co: 2, strides: 2, pad: 'same' },
    { x: [1, 6, 7, 5, 3], f: [2, 2, 3], co: 2, strides: [1, 2, 2], pad: 'valid' },
    { x: [2, 7, 4, 4, 2], f: [3, 1, 1], co: 4, strides: [2, 1, 1], pad: 'same' },
  ];

  it.each(cases)('x $x f $f strides $strides pad $pad', async (c) => {
    const filterShape: Five = [...c.f, c.x[4], c.co];
    const dyShape = tf.backend_util.computeConv3DInfo(c.x, filterShape, c.strides, 1, c.pad).outShape;
    const x = randn(c.x, 21);
    const w = randn(filterShape, 22);
    const dy = randn(dyShape, 23);
    const inAttrs = { strides: c.strides, pad: c.pad, inputShape: c.x };
    expectClose(await runKernel('wasm', tf.Conv3DBackpropInputV2, { dy, filter: w }, inAttrs),
      await runKernel('cpu', tf.Conv3DBackpropInputV2, { dy, filter: w }, inAttrs), TOL, 'dx');
    const fAttrs = { strides: c.strides, pad: c.pad, filterShape };
    expectClose(await runKernel('wasm', tf.Conv3DBackpropFilterV2, { x, dy }, fAttrs),
      await runKernel('cpu', tf.Conv3DBackpropFilterV2, { x, dy }, fAttrs), TOL, 'dW');
  });
});

describe('UnsortedSegmentSum (wasm vs cpu)', () => {
  it.each([
    { name: 'float rows, repeated and unused ids', x: randn([6, 3], 31), ids: ints([6], [2, 0, 2, 4, 1, 2]), n: 6 },
    { name: 'int32 values', x: ints([5, 2], [1, -2, 3, 4, 5, 6, 7, 8, 9, 10]), ids: ints([5], [1, 1, 0, 3, 1]), n: 4 },
    { name: 'rows of a rank-3 x', x: randn([6, 3, 4], 32), ids: ints([6], [0, 1, 0, 2, 2, 1]), n: 3 },
    { name: 'negative ids are dropped', x: randn([4, 2], 33), ids: ints([4], [-1, 0, 1, -1]), n: 2 },
    { name: 'scalar rows', x: randn([7], 34), ids: ints([7], [3, 3, 3, 0, 1, 2, 3]), n: 5 },
  ])('$name', async ({ x, ids, n }) => {
    const want = await runKernel('cpu', tf.UnsortedSegmentSum, { x, segmentIds: ids }, { numSegments: n });
    const got = await runKernel('wasm', tf.UnsortedSegmentSum, { x, segmentIds: ids }, { numSegments: n });
    expect(got.dtype).toBe(x.dtype);
    expectClose(got, want, 1e-6, 'segment sums');
  });
});

describe('memory', () => {
  it('kernels neither leak tensors nor free their inputs', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor(randn([2, 8, 8, 3], 41).values, [2, 8, 8, 3]) as tfjs.Tensor4D;
    const w = tf.tensor(randn([3, 3, 3, 2], 42).values, [3, 3, 3, 2]) as tfjs.Tensor4D;
    const before = tf.memory().numTensors;
    const dataIdsBefore = tf.backend().numDataIds();
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        const dyC = tf.onesLike(tf.conv2d(x, w, 2, 'same'));
        const dyD = tf.onesLike(tf.depthwiseConv2d(x, w, 1, 'same'));
        tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: dyC },
          { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: w.shape });
        tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x, dy: dyD },
          { strides: 1, dilations: 1, pad: 'same', filterShape: w.shape });
        tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy: dyD, filter: w },
          { strides: 1, dilations: 1, pad: 'same', inputShape: x.shape });
        tf.engine().runKernel(tf.UnsortedSegmentSum, { x, segmentIds: tf.tensor1d([1, 0], 'int32') },
          { numSegments: 3 });
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.backend().numDataIds()).toBe(dataIdsBefore);
    expect(x.dataSync().length).toBe(2 * 8 * 8 * 3); // still readable: inputs were borrowed, not consumed
    tf.dispose([x, w]);
  });
});

/** Variables built from the same host values on each backend, with their gradients read back. */
async function gradsOn(
  backendName: 'cpu' | 'wasm',
  params: Record<string, HostTensor>,
  data: Record<string, HostTensor>,
  loss: (p: Record<string, tfjs.Variable>, d: Record<string, tfjs.Tensor>) => tfjs.Scalar,
): Promise<{ value: number; grads: Record<string, HostTensor> }> {
  await tf.setBackend(backendName);
  const vars: Record<string, tfjs.Variable> = {};
  for (const [k, v] of Object.entries(params)) vars[k] = tf.variable(tf.tensor(v.values, v.shape), true);
  const d: Record<string, tfjs.Tensor> = {};
  for (const [k, v] of Object.entries(data)) d[k] = tf.tensor(v.values, v.shape, v.dtype);
  try {
    const { value, grads } = tf.variableGrads(() => loss(vars, d), Object.values(vars));
    const out: Record<string, HostTensor> = {};
    for (const [k, v] of Object.entries(vars)) {
      const g = grads[v.name];
      if (g == null) throw new Error(`no gradient for ${k}`);
      out[k] = { shape: g.shape.slice(), values: g.dataSync() as Float32Array, dtype: 'float32' };
    }
    const result = { value: value.dataSync()[0] as number, grads: out };
    tf.dispose([value, ...Object.values(grads)]);
    return result;
  } finally {
    tf.dispose([...Object.values(vars), ...Object.values(d)]);
  }
}

async function expectSameGradients(
  params: Record<string, HostTensor>,
  data: Record<string, HostTensor>,
  loss: (p: Record<string, tfjs.Variable>, d: Record<string, tfjs.Tensor>) => tfjs.Scalar,
) {
  const cpu = await gradsOn('cpu', params, data, loss);
  const wasm = await gradsOn('wasm', params, data, loss);
  expect(Math.abs(wasm.value - cpu.value) / (1 + Math.abs(cpu.value))).toBeLessThan(1e-5);
  for (const k of Object.keys(params)) {
    expect(relError(cpu.grads[k]!.values, new Float32Array(1)), `${k}: gradient is not all zero`).toBeGreaterThan(0);
    expectClose(wasm.grads[k]!, cpu.grads[k]!, 1e-4, `d loss / d ${k}`);
  }
}

describe('end to end: gradients of small networks, wasm vs cpu', () => {
  it('a conv net (conv, pools, depthwise, layer norm, dense, MSE + cross-entropy)', async () => {
    const s = (shape: number[], seed: number, scale = 0.5) => {
      const t = randn(shape, seed);
      t.values.forEach((v, i) => { t.values[i] = v * scale; });
      return t;
    };
    const params = {
      c1: s([3, 3, 1, 8], 51), b1: s([8], 52, 0.1), c2: s([3, 3, 8, 8], 53, 0.3), dw: s([3, 3, 8, 1], 54),
      d: s([32, 12], 55, 0.3), db: s([12], 56, 0.1),
    };
    const data = { x: randn([4, 16, 16, 1], 57), y: randn([4, 6], 58), cls: randn([4, 6], 59) };
    await expectSameGradients(params, data, (p, d) => {
      const x = d.x as tfjs.Tensor4D;
      let h = tf.relu(tf.add(tf.conv2d(x, p.c1 as tfjs.Tensor4D, 1, 'same'), p.b1!)) as tfjs.Tensor4D;
      h = tf.maxPool(h, 2, 2, 'valid');
      h = tf.elu(tf.conv2d(h, p.c2 as tfjs.Tensor4D, 2, 'same'));
      h = tf.depthwiseConv2d(h, p.dw as tfjs.Tensor4D, 1, 'same');
      const { mean, variance } = tf.moments(h, [1, 2, 3], true);
      h = tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))) as tfjs.Tensor4D;
      h = tf.avgPool(h, 2, 2, 'same');
      const out = tf.add(tf.matMul(tf.reshape(h, [4, 32]), p.d as tfjs.Tensor2D), p.db!);
      const [reg, logits] = tf.split(out, 2, 1);
      const mse = tf.mean(tf.square(tf.sub(tf.sigmoid(reg!), d.y!)));
      const ce = tf.losses.softmaxCrossEntropy(tf.softmax(d.cls!), logits!);
      return tf.add(mse, ce) as tfjs.Scalar;
    });
  });

  it('a spatio-temporal net (per-frame conv, conv3d, conv1d, GRU cell, loss at sparse labelled frames)', async () => {
    const B = 2, T = 5, H = 12, F = 6;
    const params = {
      conv: randn([3, 3, 1, F], 61), c3: randn([3, 3, 3, 1, 2], 62), tconv: randn([3, F, F], 63),
      wz: randn([F, F], 64), uz: randn([F, F], 65), wh: randn([F, F], 66), uh: randn([F, F], 67),
      head: randn([F, 2], 68),
    };
    const data = {
      clip: randn([B, T, H, H, 1], 69), target: randn([B * 2, 2], 70),
      labelled: ints([4], [1, 3, T + 0, T + 4]), // two labelled frames per clip, flattened (b*T + t)
    };
    await expectSameGradients(params, data, (p, d) => {
      const frames = tf.reshape(d.clip!, [B * T, H, H, 1]) as tfjs.Tensor4D;
      const spatial = tf.mean(tf.relu(tf.conv2d(frames, p.conv as tfjs.Tensor4D, 2, 'same')), [1, 2]);
      const vol = tf.conv3d(d.clip as tfjs.Tensor5D, p.c3 as tfjs.Tensor5D, [1, 2, 2], 'same'); // [B,T,6,6,2]
      const motion = tf.mean(tf.tanh(vol), [2, 3, 4]); // [B,T]
      let seq = tf.add(tf.reshape(spatial, [B, T, F]), tf.expandDims(motion, 2)) as tfjs.Tensor3D;
      seq = tf.conv1d(seq, p.tconv as tfjs.Tensor3D, 1, 'same');
      let hState = tf.zeros([B, F]) as tfjs.Tensor2D;
      const outs: tfjs.Tensor2D[] = [];
      for (let t = 0; t < T; t++) {
        const xt = tf.reshape(tf.slice(seq, [0, t, 0], [B, 1, F]), [B, F]) as tfjs.Tensor2D;
        const z = tf.sigmoid(tf.add(tf.matMul(xt, p.wz as tfjs.Tensor2D), tf.matMul(hState, p.uz as tfjs.Tensor2D)));
        const cand = tf.tanh(tf.add(tf.matMul(xt, p.wh as tfjs.Tensor2D), tf.matMul(hState, p.uh as tfjs.Tensor2D)));
        hState = tf.add(tf.mul(z, hState), tf.mul(tf.sub(1, z), cand)) as tfjs.Tensor2D;
        outs.push(hState);
      }
      const all = tf.reshape(tf.stack(outs, 1), [B * T, F]);
      const picked = tf.gather(all, d.labelled!); // backprop through gather: UnsortedSegmentSum
      const pred = tf.matMul(picked, p.head as tfjs.Tensor2D);
      return tf.add(tf.losses.meanSquaredError(d.target!, pred), tf.logSumExp(pred)) as tfjs.Scalar;
    });
  });
});

describe('Conv2DBackpropInput (replacing the scalar-loop wasm one; wasm vs cpu)', () => {
  const cases: Array<{ dx: Four; f: [number, number]; co: number; strides: number | [number, number]; pad: Pad;
    fmt?: 'NHWC' | 'NCHW'; round?: 'ceil' }> = [
    { dx: [1, 7, 7, 1], f: [3, 3], co: 2, strides: 1, pad: 'same' },
    { dx: [2, 8, 5, 3], f: [3, 3], co: 4, strides: 2, pad: 'same' },
    { dx: [2, 9, 9, 2], f: [3, 3], co: 3, strides: 2, pad: 'valid' },
    { dx: [3, 9, 10, 2], f: [5, 5], co: 3, strides: 3, pad: 'same' },
    { dx: [2, 8, 7, 3], f: [2, 3], co: 2, strides: [2, 1], pad: 1 },
    { dx: [2, 10, 9, 2], f: [4, 4], co: 2, strides: 2, pad: [[0, 0], [1, 2], [0, 3], [0, 0]] },
    { dx: [2, 6, 6, 4], f: [1, 1], co: 5, strides: 2, pad: 'valid' },
    { dx: [1, 11, 12, 2], f: [3, 2], co: 3, strides: [3, 2], pad: 'valid' },
    { dx: [2, 8, 8, 2], f: [3, 3], co: 3, strides: 3, pad: 1, round: 'ceil' },
    { dx: [2, 3, 7, 6], f: [3, 3], co: 4, strides: 2, pad: 'same', fmt: 'NCHW' },
    { dx: [1, 2, 9, 8], f: [2, 3], co: 3, strides: [1, 2], pad: [[0, 0], [0, 0], [2, 0], [1, 1]], fmt: 'NCHW' },
  ];
  it.each(cases)('dx $dx f $f strides $strides pad $pad $fmt', async (c) => {
    const fmt = c.fmt ?? 'NHWC';
    const ci = fmt === 'NHWC' ? c.dx[3] : c.dx[1];
    const filter: Four = [...c.f, ci, c.co];
    const dyShape = convOutShape(c.dx, filter, c.strides, c.pad, fmt, c.round);
    const inputs = { dy: randn(dyShape, 81), filter: randn(filter, 82) };
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: fmt, dimRoundingMode: c.round, inputShape: c.dx };
    expectClose(await runKernel('wasm', tf.Conv2DBackpropInput, inputs, attrs),
      await runKernel('cpu', tf.Conv2DBackpropInput, inputs, attrs), TOL, 'dx');
  });
});

describe('MaxPoolGrad / MaxPool3DGrad (replacing wasm ones that drop all-negative windows; wasm vs cpu)', () => {
  const negative = (t: HostTensor) => {
    t.values.forEach((v, i) => { t.values[i] = -Math.abs(v) - 0.01; });
    return t;
  };
  const cases: Array<{ x: Four; f: number | [number, number]; s: number | [number, number]; pad: Pad;
    round?: 'ceil'; allNegative?: boolean }> = [
    { x: [2, 6, 6, 2], f: 2, s: 2, pad: 'valid' },
    { x: [2, 6, 6, 2], f: 2, s: 2, pad: 'valid', allNegative: true },
    { x: [2, 7, 7, 3], f: 3, s: 2, pad: 'same', allNegative: true },
    { x: [1, 9, 8, 2], f: [3, 2], s: [2, 1], pad: 'valid' },
    { x: [2, 8, 9, 1], f: 3, s: 1, pad: 1, allNegative: true },
    { x: [1, 7, 7, 2], f: 3, s: 2, pad: 1, round: 'ceil' },
  ];
  it.each(cases)('x $x filter $f strides $s pad $pad negative $allNegative', async (c) => {
    const x = randn(c.x, 91);
    if (c.allNegative) negative(x);
    const info = tf.backend_util.computePool2DInfo(c.x, c.f, c.s, 1, c.pad, c.round);
    const dy = randn(info.outShape, 92);
    const attrs = { filterSize: c.f, strides: c.s, pad: c.pad, dimRoundingMode: c.round };
    const output = await runKernel('cpu', tf.MaxPool, { x }, attrs);
    const inputs = { dy, input: x, output };
    expectClose(await runKernel('wasm', tf.MaxPoolGrad, inputs, attrs),
      await runKernel('cpu', tf.MaxPoolGrad, inputs, attrs), 1e-6, 'dx');
  });

  it('sends a tied window\'s gradient to its first maximum, like TensorFlow and tfjs-cpu', async () => {
    const x: HostTensor = { shape: [1, 2, 4, 1], values: Float32Array.from([-1, -1, 0, 2, -1, -1, 2, 0]), dtype: 'float32' };
    const dy: HostTensor = { shape: [1, 1, 2, 1], values: Float32Array.from([3, 5]), dtype: 'float32' };
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
    const output = await runKernel('cpu', tf.MaxPool, { x }, attrs);
    const got = await runKernel('wasm', tf.MaxPoolGrad, { dy, input: x, output }, attrs);
    expect(Array.from(got.values)).toEqual([3, 0, 0, 5, 0, 0, 0, 0]);
    const cpu = await runKernel('cpu', tf.MaxPoolGrad, { dy, input: x, output }, attrs);
    expect(Array.from(got.values)).toEqual(Array.from(cpu.values));
  });

  // tfjs-cpu's MaxPool3DGrad is itself wrong for some shapes (e.g. the [2,3,2] stride-1 case
  // below), so 3-D is checked against central differences of the cpu forward pass. They
  // are exact for a max pool while no perturbation reorders a window, so the input is a
  // shuffled ladder of distinct negative values 0.01 apart, far wider than the step.
  it.each([
    { x: [1, 4, 5, 4, 2] as Five, f: 2, s: 2, pad: 'same' as const },
    { x: [2, 5, 4, 6, 1] as Five, f: [2, 3, 2] as [number, number, number], s: 1, pad: 'valid' as const },
  ])('3-D x $x filter $f strides $s pad $pad, all-negative input', async (c) => {
    const order = randn(c.x, 93).values;
    const rank = Array.from(order.keys()).sort((a, b) => (order[a] as number) - (order[b] as number));
    const x: HostTensor = { shape: c.x, values: new Float32Array(order.length), dtype: 'float32' };
    rank.forEach((idx, r) => { x.values[idx] = -0.01 * (r + 1); });
    const info = tf.backend_util.computePool3DInfo(c.x, c.f, c.s, 1, c.pad);
    const dy = randn(info.outShape, 94);
    const attrs = { filterSize: c.f, strides: c.s, pad: c.pad };
    const output = await runKernel('cpu', tf.MaxPool3D, { x }, { ...attrs, dataFormat: 'NDHWC' });
    const got = await runKernel('wasm', tf.MaxPool3DGrad, { dy, input: x, output }, attrs);
    await tf.setBackend('cpu');
    const loss = (v: Float32Array) => tf.tidy(() => tf.sum(tf.mul(
      tf.maxPool3d(tf.tensor(v, c.x) as tfjs.Tensor5D, c.f, c.s, c.pad), tf.tensor(dy.values, dy.shape))).dataSync()[0] as number);
    const h = 1e-3;
    const numeric = new Float32Array(x.values.length);
    for (let i = 0; i < numeric.length; i++) {
      const up = x.values.slice() as Float32Array;
      const down = x.values.slice() as Float32Array;
      up[i] = (up[i] as number) + h;
      down[i] = (down[i] as number) - h;
      numeric[i] = (loss(up) - loss(down)) / (2 * h);
    }
    expectClose(got, { shape: c.x, values: numeric, dtype: 'float32' }, 1e-3, 'dx vs finite differences');
  });
});
