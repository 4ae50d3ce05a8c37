/** What an objective implementation sees and provides; types only, so any file may import them. */
import type * as tfjs from '@tensorflow/tfjs';
import type { AuModel } from '../worker/model';

/** What one pretraining step exposes to the objectives. */
export interface PretrainBatch {
  model: AuModel;
  /** Inputs of both views, view 1's clips first: [2B,T,S,S,1]. */
  clips: tfjs.Tensor5D;
  /**
   * The same frames as plain (augmented) crops, laid out like `clips`: differs from `clips` when
   * the model reads reference-subtracted input. Absent = use `clips`.
   */
  pixels?: Float32Array;
  /** Temporal features of both views [2B,T,F]. */
  h: tfjs.Tensor3D;
  /** Per-frame encoder features of both views before the temporal module [2B,T,F], if exposed. */
  f?: tfjs.Tensor3D;
  /** Projections of view 1 and view 2 [B,T,P]. */
  z1: tfjs.Tensor3D;
  z2: tfjs.Tensor3D;
  /** 1 where the frame has a face [B,T] (same for both views). */
  mask: tfjs.Tensor2D;
  /** Video id per clip (identity comes from the video's subject). */
  videoIds: number[];
  subjects: (string | null)[];
  /**
   * Landmark displacements from each video's median shape, as seen in each view [2B,T,136],
   * and where they exist [2B,T]; present when an objective `needs.geometry`.
   */
  geometry?: { target: tfjs.Tensor3D; mask: tfjs.Tensor2D };
}

export interface Objective {
  readonly kind: string;
  /** Extra trainable variables, keyed by logical name (saved as obj/<kind>/<name>). */
  readonly variables: Map<string, tfjs.Variable>;
  loss(batch: PretrainBatch): tfjs.Scalar;
  dispose(): void;
}

/** Builds an objective from its resolved settings (objectives/catalog.ts holds their ranges and defaults). */
export type CreateObjective = (params: Record<string, number>, model: AuModel) => Objective;
