import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelConfig } from '@tensorflow/tfjs';
import { borrow, input, kernelFunc, padOrCrop } from './util';

/**
 * dW[i,j,ci,co] = sum over n,oy,ox of x[n, oy*sh+i-top, ox*sw+j-left, ci] * dy[n,oy,ox,co].
 *
 * That is a stride-1 convolution of x (batch and channels swapped, so the sum
 * over n becomes the conv's channel reduction) with dy as the filter, dilated
 * by the forward stride. It runs on the wasm backend's own XNNPACK Conv2D.
 */
export function conv2DBackpropFilterNhwc(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: [number, number],
  padTop: number,
  padLeft: number,
): tf.Tensor4D {
  const [fh, fw] = filterShape;
  const [sh, sw] = strides;
  const [, h, w] = x.shape;
  const [, ho, wo] = dy.shape;
  // The windows touch rows -padTop .. (ho-1)*sh+fh-1-padTop; anything past that is
  // cropped, anything missing is zero padding.
  const bottom = (ho - 1) * sh + fh - padTop - h;
  const right = (wo - 1) * sw + fw - padLeft - w;
  const xp = padOrCrop(padOrCrop(x, 1, padTop, bottom), 2, padLeft, right);
  const xT = tf.transpose(xp, [3, 1, 2, 0]); // [ci, H', W', n]
  const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [ho, wo, n, co]
  const dW = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', [sh, sw]); // [ci, fh, fw, co]
  return tf.transpose(dW, [1, 2, 0, 3]);
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: kernelFunc(({ inputs, backend, attrs }) => {
    const name = tf.Conv2DBackpropFilter;
    const xInfo = input(inputs, 'x', name);
    const dyInfo = input(inputs, 'dy', name);
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
      attrs as unknown as Conv2DBackpropFilterAttrs;
    const fmt = tf.backend_util.convertConv2DDataFormat(dataFormat);
    const info = tf.backend_util.computeConv2DInfo(
      xInfo.shape as [number, number, number, number], filterShape, strides, 1, pad,
      dimRoundingMode, false, fmt);
    return tf.tidy(() => {
      let x = borrow<tf.Rank.R4>(xInfo, backend);
      let dy = borrow<tf.Rank.R4>(dyInfo, backend);
      if (fmt === 'channelsFirst') {
        x = tf.transpose(x, [0, 2, 3, 1]);
        dy = tf.transpose(dy, [0, 2, 3, 1]);
      }
      return conv2DBackpropFilterNhwc(
        x, dy, filterShape, [info.strideHeight, info.strideWidth], info.padInfo.top, info.padInfo.left);
    });
  }),
};
