import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, MaxPool3DGradAttrs, MaxPoolGradAttrs } from '@tensorflow/tfjs';
import { input, kernelFunc } from './util';

/*
 * tfjs-backend-wasm 4.22's MaxPoolGrad and MaxPool3DGrad seed the running max
 * with std::numeric_limits<float>::min() (the smallest *positive* float), so a
 * window whose values are all negative never records its argmax and its
 * gradient lands on element 0 instead. Max pooling straight after a conv or a
 * norm layer hits that on about half the windows.
 *
 * The replacement routes each dy to the first strict maximum of its window
 * (TensorFlow's and tfjs-cpu's 2-D rule) with a scalar loop over the host view
 * of the tensors: one comparison per window tap, cheap next to the convolutions.
 */

interface Pool3D {
  batch: number; channels: number;
  inD: number; inH: number; inW: number;
  outD: number; outH: number; outW: number;
  strideD: number; strideH: number; strideW: number;
  effD: number; effH: number; effW: number;
  dilD: number; dilH: number; dilW: number;
  padFront: number; padTop: number; padLeft: number;
}

export function maxPoolGradHost(x: ArrayLike<number>, dy: ArrayLike<number>, p: Pool3D): Float32Array {
  const dx = new Float32Array(x.length);
  const c = p.channels;
  let o = 0;
  for (let b = 0; b < p.batch; b++)
    for (let od = 0; od < p.outD; od++)
      for (let oh = 0; oh < p.outH; oh++)
        for (let ow = 0; ow < p.outW; ow++)
          for (let ch = 0; ch < c; ch++, o++) {
            let best = -Infinity;
            let at = -1;
            for (let kd = 0; kd < p.effD; kd += p.dilD) {
              const d = od * p.strideD - p.padFront + kd;
              if (d < 0 || d >= p.inD) continue;
              for (let kh = 0; kh < p.effH; kh += p.dilH) {
                const h = oh * p.strideH - p.padTop + kh;
                if (h < 0 || h >= p.inH) continue;
                const row = ((b * p.inD + d) * p.inH + h) * p.inW;
                for (let kw = 0; kw < p.effW; kw += p.dilW) {
                  const w = ow * p.strideW - p.padLeft + kw;
                  if (w < 0 || w >= p.inW) continue;
                  const i = (row + w) * c + ch;
                  const v = x[i] as number;
                  if (v > best) {
                    best = v;
                    at = i;
                  }
                }
              }
            }
            if (at >= 0) dx[at] = (dx[at] as number) + (dy[o] as number);
          }
  return dx;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: kernelFunc(({ inputs, backend, attrs }) => {
    const x = input(inputs, 'input', tf.MaxPoolGrad);
    const dy = input(inputs, 'dy', tf.MaxPoolGrad);
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const dx = maxPoolGradHost(backend.readSync(x.dataId) as Float32Array, backend.readSync(dy.dataId) as Float32Array, {
      batch: info.batchSize, channels: info.inChannels,
      inD: 1, inH: info.inHeight, inW: info.inWidth, outD: 1, outH: info.outHeight, outW: info.outWidth,
      strideD: 1, strideH: info.strideHeight, strideW: info.strideWidth,
      effD: 1, effH: info.effectiveFilterHeight, effW: info.effectiveFilterWidth,
      dilD: 1, dilH: info.dilationHeight, dilW: info.dilationWidth,
      padFront: 0, padTop: info.padInfo.top, padLeft: info.padInfo.left,
    });
    return tf.tensor(dx, x.shape, 'float32');
  }),
};

export const maxPool3DGradConfig: KernelConfig = {
  kernelName: tf.MaxPool3DGrad,
  backendName: 'wasm',
  kernelFunc: kernelFunc(({ inputs, backend, attrs }) => {
    const x = input(inputs, 'input', tf.MaxPool3DGrad);
    const dy = input(inputs, 'dy', tf.MaxPool3DGrad);
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPool3DGradAttrs;
    const info = tf.backend_util.computePool3DInfo(
      x.shape as [number, number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const dx = maxPoolGradHost(backend.readSync(x.dataId) as Float32Array, backend.readSync(dy.dataId) as Float32Array, {
      batch: info.batchSize, channels: info.inChannels,
      inD: info.inDepth, inH: info.inHeight, inW: info.inWidth,
      outD: info.outDepth, outH: info.outHeight, outW: info.outWidth,
      strideD: info.strideDepth, strideH: info.strideHeight, strideW: info.strideWidth,
      effD: info.effectiveFilterDepth, effH: info.effectiveFilterHeight, effW: info.effectiveFilterWidth,
      dilD: info.dilationDepth, dilH: info.dilationHeight, dilW: info.dilationWidth,
      padFront: info.padInfo.front, padTop: info.padInfo.top, padLeft: info.padInfo.left,
    });
    return tf.tensor(dx, x.shape, 'float32');
  }),
};
