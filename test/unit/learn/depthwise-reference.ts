import type * as tfjs from '@tensorflow/tfjs';
import { tf } from '../../../src/main/services/learn/worker/tfjs';
import type { HostTensor } from './kernel-harness';

/*
 * Float64 loops straight from the definition of a depthwise convolution
 *   y[n,oy,ox,c*M+m] = sum_ij x[n, oy*sh+i*dh-top, ox*sw+j*dw-left, c] * W[i,j,c,m].
 * tfjs-cpu's depthwise backprop kernels ignore dilations, so dilated cases
 * need a reference that does not.
 */

type Pad = 'valid' | 'same' | number | tfjs.backend_util.ExplicitPadding;
type Four = [number, number, number, number];

interface Geometry {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function forEachTap(
  xShape: Four, filterShape: Four, g: Geometry,
  visit: (xi: number, wi: number, yi: number) => void,
) {
  const info = tf.backend_util.computeConv2DInfo(
    xShape, filterShape, g.strides, g.dilations, g.pad, g.dimRoundingMode, true);
  const [n, h, w, c] = xShape;
  const [fh, fw, , m] = filterShape;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let i = 0; i < fh; i++) {
          const y = oy * sh + i * dh - info.padInfo.top;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < fw; j++) {
            const x = ox * sw + j * dw - info.padInfo.left;
            if (x < 0 || x >= w) continue;
            for (let ch = 0; ch < c; ch++)
              for (let k = 0; k < m; k++) {
                visit(((b * h + y) * w + x) * c + ch, ((i * fw + j) * c + ch) * m + k,
                  ((b * oh + oy) * ow + ox) * c * m + ch * m + k);
              }
          }
        }
}

export function depthwiseBackpropInputRef(
  inputShape: Four, filter: HostTensor, dy: HostTensor, g: Geometry,
): HostTensor {
  const dx = new Float64Array(inputShape.reduce((a, b) => a * b, 1));
  forEachTap(inputShape, filter.shape as Four, g, (xi, wi, yi) => {
    dx[xi] = (dx[xi] as number) + (dy.values[yi] as number) * (filter.values[wi] as number);
  });
  return { shape: inputShape, values: Float32Array.from(dx), dtype: 'float32' };
}

export function depthwiseBackpropFilterRef(
  x: HostTensor, filterShape: Four, dy: HostTensor, g: Geometry,
): HostTensor {
  const dW = new Float64Array(filterShape.reduce((a, b) => a * b, 1));
  forEachTap(x.shape as Four, filterShape, g, (xi, wi, yi) => {
    dW[wi] = (dW[wi] as number) + (dy.values[yi] as number) * (x.values[xi] as number);
  });
  return { shape: filterShape, values: Float32Array.from(dW), dtype: 'float32' };
}
