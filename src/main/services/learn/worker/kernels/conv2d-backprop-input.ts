import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelConfig } from '@tensorflow/tfjs';
import { borrow, input, kernelFunc, padOrCrop } from './util';

/*
 * tfjs-backend-wasm ships Conv2DBackpropInput as a plain scalar C++ loop: right,
 * but on a 4-layer 64x64 net it took most of a training step. Here it becomes
 * one XNNPACK convolution (SIMD, threads) in the sub-pixel form: output row
 * y = q*s + p (p the stride phase) is sum_k dy[q-k] * W[p+s*k], so all s*s phases
 * are one stride-1 conv over dy with ceil(f/s)^2 taps and s*s*Ci output channels,
 * interleaved afterwards. That avoids convolving an s-times zero-upsampled dy,
 * which would multiply s*s-1 of every s*s inputs by zero.
 */

export function conv2DBackpropInputNhwc(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  strides: [number, number],
  padTop: number,
  padLeft: number,
): tf.Tensor4D {
  const [n, h, w, ci] = inputShape;
  const [fh, fw, , co] = filter.shape;
  const [sh, sw] = strides;
  const kh = Math.ceil(fh / sh);
  const kw = Math.ceil(fw / sw);
  // V[j, j', co, p, p', ci] = W[p + s*(k-1-j), p' + s'*(k'-1-j'), ci, co], zero past the filter's end.
  const w6 = tf.reshape(tf.pad(filter, [[0, kh * sh - fh], [0, kw * sw - fw], [0, 0], [0, 0]]), [kh, sh, kw, sw, ci, co]);
  const sub = tf.reshape(tf.transpose(tf.reverse(w6, [0, 2]), [0, 2, 5, 1, 3, 4]), [kh, kw, co, sh * sw * ci]);
  // Enough phase rows q to cover dx rows 0..h-1 once shifted by the forward padding.
  const qh = Math.ceil((padTop + h) / sh);
  const qw = Math.ceil((padLeft + w) / sw);
  const dyPadded = padOrCrop(padOrCrop(dy, 1, kh - 1, qh - dy.shape[1]), 2, kw - 1, qw - dy.shape[2]);
  const phases = tf.conv2d(dyPadded, sub as tf.Tensor4D, 1, 'valid');
  const interleaved = tf.reshape(
    tf.transpose(tf.reshape(phases, [n, qh, qw, sh, sw, ci]), [0, 1, 3, 2, 4, 5]), [n, qh * sh, qw * sw, ci]) as tf.Tensor4D;
  return tf.slice(interleaved, [0, padTop, padLeft, 0], [n, h, w, ci]);
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: kernelFunc(({ inputs, backend, attrs }) => {
    const name = tf.Conv2DBackpropInput;
    const dyInfo = input(inputs, 'dy', name);
    const filterInfo = input(inputs, 'filter', name);
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
      attrs as unknown as Conv2DBackpropInputAttrs;
    const fmt = tf.backend_util.convertConv2DDataFormat(dataFormat);
    const info = tf.backend_util.computeConv2DInfo(
      inputShape, filterInfo.shape as [number, number, number, number], strides, 1, pad,
      dimRoundingMode, false, fmt);
    const [n, c, h, w] = inputShape;
    const nhwc: [number, number, number, number] = fmt === 'channelsFirst' ? [n, h, w, c] : inputShape;
    return tf.tidy(() => {
      let dy = borrow<tf.Rank.R4>(dyInfo, backend);
      if (fmt === 'channelsFirst') dy = tf.transpose(dy, [0, 2, 3, 1]);
      const dx = conv2DBackpropInputNhwc(
        dy, borrow<tf.Rank.R4>(filterInfo, backend), nhwc, [info.strideHeight, info.strideWidth],
        info.padInfo.top, info.padInfo.left);
      return fmt === 'channelsFirst' ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
    });
  }),
};
