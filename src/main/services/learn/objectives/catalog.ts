/**
 * The pretraining objectives as the app describes them: kind, label, description, settings with
 * their defaults and ranges, and the batch inputs each needs. No TensorFlow.js here: the backend
 * lists and checks objectives from this file (Train view, CLI, API), and only the worker loads
 * their implementations (objectives.ts).
 */
import type { LearnObjectiveInfo } from '../../../../shared/types';
import type { ObjectiveSpec } from '../config';

export type ParamSpec = LearnObjectiveInfo['params'][string];

export interface ObjectiveInfo extends LearnObjectiveInfo {
  params: Record<string, ParamSpec>;
  /** Extra inputs the trainer must put in the batch. */
  needs?: { geometry?: boolean };
}

/** In the order the Train view and `auw backend` list them. */
const CATALOG = [
  {
    kind: 'infonce',
    label: 'Temporal InfoNCE (Sanchez et al. 2020)',
    description:
      'Each frame must pick out the same frame in the other augmented view among the other frames of its clip and all frames of the other clips in the batch.',
    params: { temperature: { default: 0.1, min: 0.01, max: 2, help: 'Softmax temperature; lower makes the task sharper.' } },
  },
  {
    kind: 'temporal-margin',
    label: 'Margin temporal contrast (Li & Shan 2023)',
    description: 'Inside a clip, a frame stays more similar to nearer frames than to farther ones, by a margin.',
    // 0.05 was met almost everywhere after a few hundred steps (final loss 0.003 on the 12-video demo), leaving no gradient.
    params: { margin: { default: 0.2, min: 0, max: 2, help: 'Required gap in cosine similarity between a nearer and a farther frame.' } },
  },
  // Issue 6: the objectives of Li & Shan (b) and WSRTL, one module each under objectives/.
  {
    kind: 'cross-identity',
    label: 'Cross-identity reconstruction (Li & Shan 2023)',
    description:
      'Splits each frame into an identity part and an AU part, reconstructs faces from the AU part and the identity of another frame of the same person, swaps identities across people (the swap re-encoded must give back both parts), and pulls together the AU parts of different people that are nearest. The decoder is used only in pretraining.',
    params: {
      auDim: { default: 32, min: 2, max: 512, help: 'Size of the AU (expression) part.' },
      idDim: { default: 16, min: 2, max: 512, help: 'Size of the identity part.' },
      cycle: { default: 0.5, min: 0, max: 10, help: 'Weight of the cross-swap cycle term.' },
      pull: { default: 0.1, min: 0, max: 10, help: 'Weight of the pull between nearest AU parts of different people.' },
    },
  },
  {
    kind: 'roi-inpaint',
    label: 'RoI inpainting (WSRTL 2022)',
    description:
      'Masks square patches centred on AU regions (brows, eyes, nose, mouth corners, chin) and reconstructs the masked pixels from the frame’s features; the loss counts masked pixels only. The decoder is used only in pretraining.',
    params: {
      patches: { default: 2, min: 1, max: 8, help: 'Patches masked per frame.' },
      size: { default: 0.2, min: 0.05, max: 0.5, help: 'Patch side as a fraction of the crop.' },
      seed: { default: 1, min: 0, max: 2147483647, help: 'Seed of the patch placement.' },
    },
  },
  {
    kind: 'flow',
    label: 'Single-frame optical flow (WSRTL 2022)',
    description:
      'From one frame’s features, predicts the motion to the next frame on a coarse grid; targets are Lucas–Kanade flow between consecutive aligned crops. The head is used only in training.',
    params: { grid: { default: 8, min: 2, max: 32, help: 'Flow grid cells per side.' } },
  },
  {
    kind: 'geometry',
    label: 'Landmark motion (multi-task, as JAA-Net 2018)',
    description:
      "Predicts how each frame's 68 tracked landmarks moved away from the video's median face shape, in the aligned crop: the features must hold the face's movement, not the person. Uses the landmarks ingest already found; no labels.",
    params: {},
    needs: { geometry: true },
  },
] as const satisfies readonly ObjectiveInfo[];

export type ObjectiveKind = (typeof CATALOG)[number]['kind'];

const byKind = new Map<string, ObjectiveInfo>(CATALOG.map((o) => [o.kind, o]));

export function objectiveCatalog(): readonly ObjectiveInfo[] {
  return CATALOG;
}

export function isObjectiveKind(kind: string): kind is ObjectiveKind {
  return byKind.has(kind);
}

export interface ResolvedObjective {
  kind: ObjectiveKind;
  weight: number;
  params: Record<string, number>;
}

/** Checks a spec list and fills defaults; errors name the objective and the setting. */
export function resolveObjectives(specs: readonly ObjectiveSpec[]): ResolvedObjective[] {
  if (!specs.length) throw new Error('Choose at least one pretraining objective.');
  return specs.map((s) => {
    const f = byKind.get(s.kind);
    if (!f || !isObjectiveKind(s.kind)) throw new Error(`There is no pretraining objective "${s.kind}" (known: ${[...byKind.keys()].join(', ')}).`);
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
  return specs.some((s) => s.weight > 0 && byKind.get(s.kind)?.needs?.geometry === true);
}
