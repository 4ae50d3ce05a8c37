import * as tf from '@tensorflow/tfjs';
import type { Conv3DBackpropFilterV2Attrs, Conv3DBackpropInputV2Attrs, KernelConfig } from '@tensorflow/tfjs';
import { borrow, input, kernelFunc, padOrCrop, zeroInterleave } from './util';

type Shape5 = [number, number, number, number, number];

/*
 * tfjs-backend-wasm 4.22 ships both Conv3D backprop kernels, but they are wrong:
 * against tfjs-cpu and finite differences, dx differs for every stride/padding
 * tried and dW differs once stride > 1. The wasm forward Conv3D is right
 * (dilations included), so both are rebuilt on it, exactly like the 2-D case.
 */

/** dW = stride-1 conv of x (batch<->channels swapped) with dy as a filter dilated by the forward stride. */
export const conv3DBackpropFilterV2Config: KernelConfig = {
  kernelName: tf.Conv3DBackpropFilterV2,
  backendName: 'wasm',
  kernelFunc: kernelFunc(({ inputs, backend, attrs }) => {
    const name = tf.Conv3DBackpropFilterV2;
    const xInfo = input(inputs, 'x', name);
    const dyInfo = input(inputs, 'dy', name);
    const { strides, pad, filterShape } = attrs as unknown as Conv3DBackpropFilterV2Attrs;
    const info = tf.backend_util.computeConv3DInfo(xInfo.shape as Shape5, filterShape, strides, 1, pad);
    const { strideDepth: sd, strideHeight: sh, strideWidth: sw } = info;
    const [, d, h, w] = xInfo.shape as Shape5;
    const [, od, oh, ow] = dyInfo.shape as Shape5;
    const [fd, fh, fw] = filterShape;
    const { front, top, left } = info.padInfo;
    return tf.tidy(() => {
      const x = borrow<tf.Rank.R5>(xInfo, backend);
      const dy = borrow<tf.Rank.R5>(dyInfo, backend);
      let xp = padOrCrop(x, 1, front, (od - 1) * sd + fd - front - d);
      xp = padOrCrop(xp, 2, top, (oh - 1) * sh + fh - top - h);
      xp = padOrCrop(xp, 3, left, (ow - 1) * sw + fw - left - w);
      const xT = tf.transpose(xp, [4, 1, 2, 3, 0]);
      const dyT = tf.transpose(dy, [1, 2, 3, 0, 4]);
      const dW = tf.conv3d(xT, dyT, 1, 'valid', 'NDHWC', [sd, sh, sw]);
      return tf.transpose(dW, [1, 2, 3, 0, 4]);
    });
  }),
};

/** dx = stride-1 conv of the zero-interleaved dy with the flipped, in/out-swapped filter. */
export const conv3DBackpropInputV2Config: KernelConfig = {
  kernelName: tf.Conv3DBackpropInputV2,
  backendName: 'wasm',
  kernelFunc: kernelFunc(({ inputs, backend, attrs }) => {
    const name = tf.Conv3DBackpropInputV2;
    const dyInfo = input(inputs, 'dy', name);
    const filterInfo = input(inputs, 'filter', name);
    const { strides, pad, inputShape } = attrs as unknown as Conv3DBackpropInputV2Attrs;
    const filterShape = filterInfo.shape as Shape5;
    const info = tf.backend_util.computeConv3DInfo(inputShape, filterShape, strides, 1, pad);
    const strideOf = [info.strideDepth, info.strideHeight, info.strideWidth];
    const padBefore = [info.padInfo.front, info.padInfo.top, info.padInfo.left];
    return tf.tidy(() => {
      let g = borrow<tf.Rank.R5>(dyInfo, backend);
      const filter = borrow<tf.Rank.R5>(filterInfo, backend);
      for (let a = 0; a < 3; a++) {
        const k = filterShape[a] as number;
        const size = inputShape[a + 1] as number;
        const up = zeroInterleave(g, a + 1, strideOf[a] as number);
        const before = k - 1 - (padBefore[a] as number);
        g = padOrCrop(up, a + 1, before, size + k - 1 - before - (up.shape[a + 1] as number));
      }
      const flipped = tf.transpose(tf.reverse(filter, [0, 1, 2]), [0, 1, 2, 4, 3]);
      return tf.conv3d(g, flipped, 1, 'valid');
    });
  }),
};
