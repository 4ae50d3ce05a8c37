import * as tf from '@tensorflow/tfjs';
import type {
  DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropInputAttrs,
  KernelConfig,
} from '@tensorflow/tfjs';
import { borrow, input, kernelFunc, padOrCrop, zeroInterleave } from './util';

type Shape4 = [number, number, number, number];

/**
 * dx is a stride-1 depthwise correlation of the zero-interleaved dy with the
 * spatially flipped filter. Treating every (c, m) pair as its own channel keeps
 * it a plain multiplier-1 depthwise conv on wasm; the m copies are summed after.
 */
export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: kernelFunc(({ inputs, backend, attrs }) => {
    const name = tf.DepthwiseConv2dNativeBackpropInput;
    const dyInfo = input(inputs, 'dy', name);
    const filterInfo = input(inputs, 'filter', name);
    const { strides, dilations, pad, dimRoundingMode, inputShape } =
      attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
    const filterShape = filterInfo.shape as Shape4;
    const info = tf.backend_util.computeConv2DInfo(
      inputShape, filterShape, strides, dilations, pad, dimRoundingMode, true);
    const [n, h, w, c] = inputShape;
    const [fh, fw, , m] = filterShape;
    const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    const { effectiveFilterHeight: efh, effectiveFilterWidth: efw } = info;
    return tf.tidy(() => {
      const dy = borrow<tf.Rank.R4>(dyInfo, backend);
      const filter = borrow<tf.Rank.R4>(filterInfo, backend);
      const up = zeroInterleave(zeroInterleave(dy, 1, sh), 2, sw);
      const top = efh - 1 - info.padInfo.top;
      const left = efw - 1 - info.padInfo.left;
      const padded = padOrCrop(
        padOrCrop(up, 1, top, h + efh - 1 - top - up.shape[1]), 2, left, w + efw - 1 - left - up.shape[2]);
      const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [fh, fw, c * m, 1]) as tf.Tensor4D;
      const dx = tf.depthwiseConv2d(padded, flipped, 1, 'valid', 'NHWC', [dh, dw]);
      return m === 1 ? dx : tf.sum(tf.reshape(dx, [n, h, w, c, m]), 4);
    });
  }),
};

/**
 * dW[i,j,c,m] = sum over n,oy,ox of x[n, oy*sh+i*dh-top, ox*sw+j*dw-left, c] * dy[n,oy,ox,c*M+m],
 * computed one filter tap at a time: a strided slice of the padded input times dy,
 * reduced over batch and space. Depthwise filters are small (k*k taps), so the
 * loop is short and never materialises an im2col buffer.
 */
export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: kernelFunc(({ inputs, backend, attrs }) => {
    const name = tf.DepthwiseConv2dNativeBackpropFilter;
    const xInfo = input(inputs, 'x', name);
    const dyInfo = input(inputs, 'dy', name);
    const { strides, dilations, pad, dimRoundingMode, filterShape } =
      attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
    const info = tf.backend_util.computeConv2DInfo(
      xInfo.shape as Shape4, filterShape, strides, dilations, pad, dimRoundingMode, true);
    const [fh, fw, c, m] = filterShape;
    const [n, h, w] = xInfo.shape as Shape4;
    const [, ho, wo] = dyInfo.shape as Shape4;
    const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    return tf.tidy(() => {
      const x = borrow<tf.Rank.R4>(xInfo, backend);
      const dy = borrow<tf.Rank.R4>(dyInfo, backend);
      const spanH = (ho - 1) * sh + 1;
      const spanW = (wo - 1) * sw + 1;
      const top = info.padInfo.top;
      const left = info.padInfo.left;
      const xp = padOrCrop(
        padOrCrop(x, 1, top, (fh - 1) * dh + spanH - top - h), 2, left, (fw - 1) * dw + spanW - left - w);
      const dy5 = tf.reshape(dy, [n, ho, wo, c, m]);
      const taps: tf.Tensor[] = [];
      for (let i = 0; i < fh; i++) {
        for (let j = 0; j < fw; j++) {
          const xs = tf.stridedSlice(
            xp, [0, i * dh, j * dw, 0], [n, i * dh + spanH, j * dw + spanW, c], [1, sh, sw, 1]);
          taps.push(tf.sum(tf.mul(tf.expandDims(xs, 4), dy5), [0, 1, 2]));
        }
      }
      return tf.reshape(tf.stack(taps), filterShape);
    });
  }),
};
