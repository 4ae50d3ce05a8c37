import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../../src/main/services/learn/worker/tfjs';
import { initWasmForTests, randn, relError } from './kernel-harness';

/*
 * Gradients of the ops a CNN + temporal model is built from, wasm vs cpu.
 * This exercises the gradient kernels wasm ships itself (MaxPoolGrad,
 * AvgPoolGrad, EluGrad, LRNGrad, resize grads, 3-D pool grads, fused ops...)
 * next to the project's, so a tfjs upgrade that breaks one shows up here.
 */

type T = tfjs.Tensor;
type Case = [name: string, shapes: number[][], f: (...xs: T[]) => T];
const t4 = (t: T) => t as tfjs.Tensor4D;
const t5 = (t: T) => t as tfjs.Tensor5D;

const cases: Case[] = [
  ['conv2d stride 2 same', [[2, 7, 7, 3], [3, 3, 3, 4]], (x, f) => tf.conv2d(t4(x), t4(f), 2, 'same')],
  ['conv2d NCHW-free explicit pad', [[2, 8, 6, 2], [2, 3, 2, 3]], (x, f) =>
    tf.conv2d(t4(x), t4(f), [2, 1], [[0, 0], [1, 0], [2, 1], [0, 0]])],
  ['conv1d', [[2, 9, 3], [3, 3, 4]], (x, f) => tf.conv1d(x as tfjs.Tensor3D, f as tfjs.Tensor3D, 2, 'same')],
  ['conv2dTranspose', [[2, 4, 4, 3], [3, 3, 5, 3]], (x, f) => tf.conv2dTranspose(t4(x), t4(f), [2, 8, 8, 5], 2, 'same')],
  ['depthwiseConv2d', [[2, 7, 7, 3], [3, 3, 3, 2]], (x, f) => tf.depthwiseConv2d(t4(x), t4(f), 2, 'same')],
  ['separableConv2d', [[2, 7, 7, 3], [3, 3, 3, 2], [1, 1, 6, 4]], (x, f, p) =>
    tf.separableConv2d(t4(x), t4(f), t4(p), 1, 'same')],
  ['fused conv2d + bias + relu', [[2, 7, 7, 3], [3, 3, 3, 4], [4]], (x, f, b) =>
    tf.fused.conv2d({ x: t4(x), filter: t4(f), strides: 2, pad: 'same', bias: b, activation: 'relu' })],
  ['fused depthwise + bias + relu6', [[2, 7, 7, 3], [3, 3, 3, 1], [3]], (x, f, b) =>
    tf.fused.depthwiseConv2d({ x: t4(x), filter: t4(f), strides: 1, pad: 'same', bias: b, activation: 'relu6' })],
  ['fused matMul + bias + elu', [[5, 6], [6, 4], [4]], (a, b, c) =>
    tf.fused.matMul({ a: a as tfjs.Tensor2D, b: b as tfjs.Tensor2D, bias: c, activation: 'elu' })],
  ['maxPool 3/2 same', [[2, 7, 7, 3]], (x) => tf.maxPool(t4(x), 3, 2, 'same')],
  ['maxPool 2/2 valid', [[2, 9, 8, 2]], (x) => tf.maxPool(t4(x), 2, 2, 'valid')],
  ['avgPool 3/2 same', [[2, 7, 7, 3]], (x) => tf.avgPool(t4(x), 3, 2, 'same')],
  ['avgPool 2/2 valid', [[2, 9, 8, 2]], (x) => tf.avgPool(t4(x), 2, 2, 'valid')],
  ['maxPool3d', [[1, 4, 5, 4, 2]], (x) => tf.maxPool3d(t5(x), 2, 2, 'same')],
  ['avgPool3d', [[1, 4, 5, 4, 2]], (x) => tf.avgPool3d(t5(x), [2, 3, 2], 1, 'valid')],
  ['conv3d', [[1, 4, 5, 4, 2], [2, 2, 2, 2, 3]], (x, f) => tf.conv3d(t5(x), t5(f), [1, 2, 2], 'same')],
  ['batchNorm', [[4, 5, 3], [3], [3], [3], [3]], (x, m, v, o, s) => tf.batchNorm(x, m, tf.add(tf.abs(v), 0.5), o, s, 1e-3)],
  ['layer norm via moments', [[4, 5, 6]], (x) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
  }],
  ['relu6, leakyRelu, prelu', [[4, 5], [5]], (x, a) => tf.addN([tf.relu6(tf.mul(x, 8)), tf.leakyRelu(x, 0.1), tf.prelu(x, a)])],
  ['elu, selu, softplus', [[4, 5]], (x) => tf.addN([tf.elu(x), tf.selu(x), tf.softplus(x)])],
  ['gelu (erf form)', [[4, 5]], (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))))],
  ['gelu (tanh form)', [[4, 5]], (x) =>
    tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(0.7978845608, tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))))],
  ['sigmoid * tanh (GRU gates)', [[4, 5]], (x) => tf.mul(tf.sigmoid(x), tf.tanh(x))],
  ['softmax, logSoftmax, logSumExp', [[4, 5]], (x) => tf.addN([tf.softmax(x), tf.logSoftmax(x), tf.tile(tf.logSumExp(x, -1, true), [1, 5])])],
  ['matMul with transposes', [[3, 5], [4, 5]], (a, b) => tf.matMul(a as tfjs.Tensor2D, b as tfjs.Tensor2D, false, true)],
  ['batched matMul', [[2, 3, 5], [2, 5, 4]], (a, b) => tf.matMul(a as tfjs.Tensor3D, b as tfjs.Tensor3D)],
  ['sum, mean, max, min', [[3, 4, 5]], (x) => tf.addN([tf.sum(x, 1), tf.mean(x, 1), tf.max(x, 1), tf.min(x, 1)])],
  ['prod', [[3, 4]], (x) => tf.prod(x, 1)],
  ['exp, log, div, rsqrt, square', [[3, 4], [3, 4]], (a, b) =>
    tf.add(tf.div(tf.exp(a), tf.add(tf.square(b), 1)), tf.add(tf.log(tf.add(tf.abs(a), 1)), tf.rsqrt(tf.add(tf.abs(b), 1))))],
  ['pow, sqrt, atan2', [[3, 4], [3, 4]], (a, b) =>
    tf.addN([tf.pow(tf.add(tf.abs(a), 0.5), b), tf.sqrt(tf.add(tf.abs(b), 1)), tf.atan2(a, b)])],
  ['maximum, minimum, squaredDifference, clip', [[3, 4], [3, 4]], (a, b) =>
    tf.addN([tf.maximum(a, b), tf.minimum(a, b), tf.squaredDifference(a, b), tf.clipByValue(a, -0.3, 0.3)])],
  ['concat, slice, pad', [[3, 4], [3, 2]], (a, b) => tf.pad(tf.slice(tf.concat([a, b], 1), [1, 1], [2, 4]), [[1, 0], [0, 2]])],
  ['mirrorPad', [[3, 4]], (a) => tf.mirrorPad(a as tfjs.Tensor2D, [[1, 1], [2, 1]], 'reflect')],
  ['gather rows', [[5, 3]], (a) => tf.gather(a, tf.tensor1d([0, 2, 2, 4, 1], 'int32'))],
  ['gather axis 1', [[3, 5, 2]], (a) => tf.gather(a, tf.tensor1d([4, 0, 0, 3], 'int32'), 1)],
  ['tile, transpose, reverse', [[2, 3]], (a) => tf.reverse(tf.transpose(tf.tile(a, [2, 2])), 0)],
  ['split, stack', [[4, 6]], (a) => {
    const [p, q] = tf.split(a, 2, 1);
    return tf.stack([p!, tf.mul(q!, 2)], 2);
  }],
  ['cumsum exclusive', [[3, 5]], (a) => tf.cumsum(a, 1, true, false)],
  ['step mask (relu-style)', [[3, 4]], (a) => tf.mul(a, tf.step(a))],
  ['resizeBilinear (square)', [[2, 4, 4, 3]], (x) => tf.image.resizeBilinear(t4(x), [7, 7])],
  ['resizeNearestNeighbor (square)', [[1, 4, 4, 2]], (x) => tf.image.resizeNearestNeighbor(t4(x), [8, 8])],
  ['localResponseNormalization', [[2, 4, 4, 6]], (x) => tf.localResponseNormalization(t4(x), 2)],
  ['sin, cos, abs, neg', [[3, 4]], (a) => tf.add(tf.sin(a), tf.neg(tf.cos(tf.abs(a))))],
  ['spaceToBatchND', [[2, 4, 4, 3]], (x) => tf.spaceToBatchND(x, [2, 2], [[0, 0], [0, 0]])],
  ['losses: sigmoid CE, softmax CE, huber', [[4, 5], [4, 5]], (a, b) => tf.addN([
    tf.losses.sigmoidCrossEntropy(tf.sigmoid(b), a), tf.losses.softmaxCrossEntropy(tf.softmax(b), a),
    tf.losses.huberLoss(a, b)])],
];

async function gradients(backendName: 'cpu' | 'wasm', shapes: number[][], f: (...xs: T[]) => T) {
  await tf.setBackend(backendName);
  return tf.tidy(() => {
    const xs = shapes.map((s, i) => tf.tensor(randn(s, 100 + i).values, s));
    const y = f(...xs);
    const w = tf.tensor(randn(y.shape, 99).values, y.shape); // a non-uniform upstream gradient
    return tf.grads((...ys: T[]) => tf.sum(tf.mul(f(...ys), w)))(xs).map((g) => g.dataSync() as Float32Array);
  });
}

beforeAll(async () => {
  expect((await initWasmForTests()).kind).toBe('wasm');
});

describe('op gradients, wasm vs cpu', () => {
  it.each(cases)('%s', async (_name, shapes, f) => {
    const cpu = await gradients('cpu', shapes, f);
    const wasm = await gradients('wasm', shapes, f);
    expect(wasm.length).toBe(cpu.length);
    cpu.forEach((g, i) => expect(relError(wasm[i]!, g), `input ${i}`).toBeLessThan(1e-5));
  });
});
