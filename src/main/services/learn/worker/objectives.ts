/**
 * Pretraining objectives as a weighted list. objectives/catalog.ts describes each kind (its
 * settings, defaults and inputs); this file maps every kind to its implementation. An instance
 * may own extra variables (a decoder, an auxiliary head…), which the trainer optimises with the
 * backbone and saves in checkpoints under `obj/<kind>/…`. The total loss is Σ weight·loss. A new
 * objective is a catalog entry plus an implementation here and needs no trainer changes, beyond
 * any extra inputs it reads from the batch.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { ObjectiveSpec } from '../config';
import { infoNce, temporalMargin } from './losses';
import type { AuModel } from './model';
import { resolveObjectives, type ObjectiveKind } from '../objectives/catalog';
import { createCrossIdentity } from './objectives/cross-identity';
import { createFlow } from './objectives/flow';
import { createGeometry } from './objectives/geometry';
import { createRoiInpaint } from './objectives/roi-inpaint';
import type { CreateObjective, Objective } from '../objectives/types';

const IMPLEMENTATIONS: Record<ObjectiveKind, CreateObjective> = {
  infonce: (p) => ({
    kind: 'infonce',
    variables: new Map(),
    loss: (b) => infoNce(b.z1, b.z2, p.temperature!, b.mask),
    dispose: () => {},
  }),
  'temporal-margin': (p) => ({
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
  'cross-identity': createCrossIdentity,
  'roi-inpaint': createRoiInpaint,
  flow: createFlow,
  geometry: createGeometry,
};

export function createObjectives(specs: readonly ObjectiveSpec[], model: AuModel): { objective: Objective; weight: number }[] {
  return resolveObjectives(specs).map((s) => ({ objective: IMPLEMENTATIONS[s.kind](s.params, model), weight: s.weight }));
}
