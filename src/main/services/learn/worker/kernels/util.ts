import * as tf from '@tensorflow/tfjs';
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs';

/** The argument a registered kernel function receives, with the backend typed usefully. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: KernelBackend;
  attrs: tf.NamedAttrMap;
}

/**
 * Wraps a kernel input as a Tensor sharing its data so tf ops can consume it.
 * The extra reference keeps disposing the wrapper (e.g. at the end of a tidy)
 * from freeing data the caller still owns.
 */
export function borrow<R extends tf.Rank>(info: TensorInfo, backend: KernelBackend): tf.Tensor<R> {
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, backend) as tf.Tensor<R>;
}

export function input(inputs: tf.NamedTensorInfoMap, name: string, kernel: string): TensorInfo {
  const t = inputs[name];
  if (t == null) throw new Error(`${kernel}: missing input '${name}'`);
  return t;
}

/**
 * Pads (positive amounts) or crops (negative amounts) one axis. Backprop
 * geometry needs both: an explicit/same pad adds zeros, while input rows that
 * no strided window touches have to be dropped.
 */
export function padOrCrop<T extends tf.Tensor>(x: T, axis: number, before: number, after: number): T {
  let out: tf.Tensor = x;
  const cropBefore = Math.max(0, -before);
  const cropAfter = Math.max(0, -after);
  if (cropBefore > 0 || cropAfter > 0) {
    const begin = x.shape.map(() => 0);
    const size = x.shape.map(() => -1);
    begin[axis] = cropBefore;
    size[axis] = (x.shape[axis] as number) - cropBefore - cropAfter;
    out = tf.slice(out, begin, size);
  }
  const padBefore = Math.max(0, before);
  const padAfter = Math.max(0, after);
  if (padBefore > 0 || padAfter > 0) {
    const p = x.shape.map((): [number, number] => [0, 0]);
    p[axis] = [padBefore, padAfter];
    out = tf.pad(out, p);
  }
  return out as T;
}

/**
 * Spreads one axis so consecutive entries land `stride` apart with zeros in
 * between (the transpose of striding): length L becomes (L-1)*stride+1.
 * Done as reshape/pad/reshape on a rank-4 view so it works for any rank.
 */
export function zeroInterleave<T extends tf.Tensor>(x: T, axis: number, stride: number): T {
  if (stride === 1) return x;
  const len = x.shape[axis] as number;
  const pre = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const post = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const view = tf.reshape(x, [pre, len, 1, post]);
  const spread = tf.pad(view, [[0, 0], [0, 0], [0, stride - 1], [0, 0]]);
  const flat = tf.reshape(spread, [pre, len * stride, post]);
  const cut = tf.slice(flat, [0, 0, 0], [pre, (len - 1) * stride + 1, post]);
  const shape = x.shape.slice();
  shape[axis] = (len - 1) * stride + 1;
  return tf.reshape(cut, shape) as T;
}

/** Adapts a function written against KernelArgs to tfjs' KernelFunc signature. */
export function kernelFunc(f: (args: KernelArgs) => TensorInfo): tf.KernelFunc {
  return (params) =>
    f({ inputs: params.inputs, backend: params.backend as KernelBackend, attrs: params.attrs ?? {} });
}
