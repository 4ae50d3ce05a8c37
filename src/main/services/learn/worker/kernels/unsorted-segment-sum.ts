import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs';
import { input, kernelFunc } from './util';

/**
 * Needed by the gradient of gather (embedding lookups, index selection).
 * A direct scatter-add over the host view of wasm memory: O(size), exact, and
 * unlike a one-hot matmul it does not allocate rows x numSegments.
 * Ids outside [0, numSegments) are dropped, as in TensorFlow.
 */
export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: kernelFunc(({ inputs, backend, attrs }) => {
    const name = tf.UnsortedSegmentSum;
    const x = input(inputs, 'x', name);
    const ids = input(inputs, 'segmentIds', name);
    const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
    const inner = tf.util.sizeFromShape(x.shape.slice(ids.shape.length));
    const xv = backend.readSync(x.dataId) as Float32Array | Int32Array;
    const idv = backend.readSync(ids.dataId) as Int32Array | Float32Array;
    const out = x.dtype === 'int32'
      ? new Int32Array(numSegments * inner)
      : new Float32Array(numSegments * inner);
    for (let r = 0; r < idv.length; r++) {
      const s = idv[r] as number;
      if (!(s >= 0 && s < numSegments)) continue;
      const src = r * inner;
      const dst = s * inner;
      for (let k = 0; k < inner; k++) out[dst + k] = (out[dst + k] as number) + (xv[src + k] as number);
    }
    return tf.tensor(out, [numSegments, ...x.shape.slice(ids.shape.length)], x.dtype);
  }),
};
