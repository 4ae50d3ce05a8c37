import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';
import { conv3DBackpropFilterV2Config, conv3DBackpropInputV2Config } from './conv3d-backprop';
import {
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
} from './depthwise-backprop';
import { maxPool3DGradConfig, maxPoolGradConfig } from './max-pool-grad';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';

/**
 * Kernels that tfjs-core's gradient functions dispatch but tfjs-backend-wasm 4.22
 * does not ship. Found by diffing getKernelsForBackend('cpu') against 'wasm' and
 * keeping the names reachable from tfjs-core/src/gradients; the rest of the diff
 * (FFT, complex numbers, ragged/string ops, Einsum, Draw) is never hit by backprop.
 */
export const WASM_MISSING_KERNELS: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
];

/**
 * Kernels tfjs-backend-wasm 4.22 ships but that training cannot use as they are:
 * the Conv3D backprops and both max-pool grads give wrong results (checked
 * against tfjs-cpu and finite differences; max-pool only for windows whose values
 * are all negative); Conv2DBackpropInput is a scalar loop that dominated a step.
 */
export const WASM_REPLACED_KERNELS: readonly KernelConfig[] = [
  conv2DBackpropInputConfig,
  maxPoolGradConfig,
  maxPool3DGradConfig,
  conv3DBackpropFilterV2Config,
  conv3DBackpropInputV2Config,
];

/**
 * Registers the project's gradient kernels for the 'wasm' backend. Idempotent.
 * A missing kernel that a future tfjs-backend-wasm ships itself is left alone;
 * the known-broken ones are always replaced. Returns the names this call changed.
 */
export function registerWasmGradients(): string[] {
  const changed: string[] = [];
  for (const config of WASM_MISSING_KERNELS) {
    if (tf.getKernel(config.kernelName, 'wasm') != null) continue;
    tf.registerKernel(config);
    changed.push(config.kernelName);
  }
  for (const config of WASM_REPLACED_KERNELS) {
    if (tf.getKernel(config.kernelName, 'wasm')?.kernelFunc === config.kernelFunc) continue;
    // unregister first: registerKernel only warns and overwrites, noisily
    if (tf.getKernel(config.kernelName, 'wasm') != null) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
    changed.push(config.kernelName);
  }
  return changed;
}
