/**
 * Pretraining objectives as a weighted list. Each objective is a factory registered by kind;
 * an instance may own extra variables (a decoder, an auxiliary head…), which the trainer
 * optimises with the backbone and saves in checkpoints under `obj/<kind>/…`. The total loss is
 * Σ weight·loss. New objectives (issue 6: cross-identity reconstruction, RoI inpainting, flow)
 * register here and need no trainer changes, beyond any extra inputs they read from the batch.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { ObjectiveSpec } from './config';
import { infoNce, temporalMargin } from './losses';
import type { AuModel } from './model';
import { crossIdentityFactory } from './objectives/cross-identity';
import { flowFactory } from './objectives/flow';
import { geometryFactory } from './objectives/geometry';
import { roiInpaintFactory } from './objectives/roi-inpaint';

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

export interface ParamSpec {
  default: number;
  min: number;
  max: number;
  help: string;
}

export interface ObjectiveFactory {
  kind: string;
  label: string;
  description: string;
  params: Record<string, ParamSpec>;
  /** Extra inputs the trainer must put in the batch. */
  needs?: { geometry?: boolean };
  create(params: Record<string, number>, model: AuModel): Objective;
}

const registry = new Map<string, ObjectiveFactory>();

export function registerObjective(f: ObjectiveFactory): void {
  registry.set(f.kind, f);
}

export function objectiveFactories(): ObjectiveFactory[] {
  return [...registry.values()];
}

/** Checks a spec list and fills defaults; errors name the objective and the setting. */
export function resolveObjectives(specs: readonly ObjectiveSpec[]): { kind: string; weight: number; params: Record<string, number> }[] {
  if (!specs.length) throw new Error('Choose at least one pretraining objective.');
  return specs.map((s) => {
    const f = registry.get(s.kind);
    if (!f) throw new Error(`There is no pretraining objective "${s.kind}" (known: ${[...registry.keys()].join(', ')}).`);
    if (!(s.weight >= 0) || !Number.isFinite(s.weight)) throw new Error(`The weight of ${s.kind} must be a number ≥ 0.`);
    const params: Record<string, number> = {};
    for (const [name, spec] of Object.entries(f.params)) {
      const raw = s.params[name];
      const v = raw === undefined ? spec.default : Number(raw);
      if (!Number.isFinite(v) || v < spec.min || v > spec.max) throw new Error(`${s.kind}: ${name} must be between ${spec.min} and ${spec.max} (got ${String(raw)}).`);
      params[name] = v;
    }
    const unknown = Object.keys(s.params).filter((k) => !(k in f.params));
    if (unknown.length) throw new Error(`${s.kind} has no setting ${unknown.join(', ')} (it has ${Object.keys(f.params).join(', ') || 'none'}).`);
    return { kind: s.kind, weight: s.weight, params };
  });
}

/** Whether any of these objectives reads the landmark geometry. */
export function needsGeometry(specs: readonly ObjectiveSpec[]): boolean {
  return specs.some((s) => s.weight > 0 && registry.get(s.kind)?.needs?.geometry === true);
}

export function createObjectives(specs: readonly ObjectiveSpec[], model: AuModel): { objective: Objective; weight: number }[] {
  return resolveObjectives(specs).map((s) => ({ objective: registry.get(s.kind)!.create(s.params, model), weight: s.weight }));
}

registerObjective({
  kind: 'infonce',
  label: 'Temporal InfoNCE (Sanchez et al. 2020)',
  description:
    'Each frame must pick out the same frame in the other augmented view among the other frames of its clip and all frames of the other clips in the batch.',
  params: { temperature: { default: 0.1, min: 0.01, max: 2, help: 'Softmax temperature; lower makes the task sharper.' } },
  create: (p) => ({
    kind: 'infonce',
    variables: new Map(),
    loss: (b) => infoNce(b.z1, b.z2, p.temperature!, b.mask),
    dispose: () => {},
  }),
});

registerObjective({
  kind: 'temporal-margin',
  label: 'Margin temporal contrast (Li & Shan 2023)',
  description: 'Inside a clip, a frame stays more similar to nearer frames than to farther ones, by a margin.',
  // 0.05 was met almost everywhere after a few hundred steps (final loss 0.003 on the 12-video demo), leaving no gradient.
  params: { margin: { default: 0.2, min: 0, max: 2, help: 'Required gap in cosine similarity between a nearer and a farther frame.' } },
  create: (p) => ({
    kind: 'temporal-margin',
    variables: new Map(),
    // Anchors in one view, candidates in the other (and back): the anchor's own frame in the
    // other view is the nearest positive, so every frame stays distinct from the rest of its
    // clip, and the ordering must hold whatever the augmentation.
    loss: (b) => {
      const l1 = temporalMargin(b.z1, p.margin!, b.mask, b.z2);
      const l2 = temporalMargin(b.z2, p.margin!, b.mask, b.z1);
      return l1.add(l2).mul(0.5) as tfjs.Scalar;
    },
    dispose: () => {},
  }),
});

// Issue 6: the objectives of Li & Shan (b) and WSRTL, one module each.
registerObjective(crossIdentityFactory);
registerObjective(roiInpaintFactory);
registerObjective(flowFactory);
registerObjective(geometryFactory);
