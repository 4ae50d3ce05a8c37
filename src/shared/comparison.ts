/**
 * What a finetuned model's stored metrics say about it, read the same way by the Train view and
 * the CLI (`auw metrics`, `auw models`): the network against the OpenFace-style baseline on
 * people it never saw (cross-validation, or held-out people without it), and one verdict.
 */
import { fixed } from './numbers';
import type { MetricsTable, ModelRow } from './types';

export interface Comparison {
  caption: string;
  /** Where the numbers come from, in one line a user can weigh. */
  footing: string;
  network: MetricsTable;
  baseline: MetricsTable | null;
}

interface CrossValidation {
  folds: number;
  people: number;
  frames: number;
  network: MetricsTable;
  baseline: MetricsTable | null;
}

export function comparisonOf(model: Pick<ModelRow, 'metrics'> | null): Comparison | null {
  const m = (model?.metrics ?? {}) as { crossValidation?: CrossValidation; heldOutLabels?: MetricsTable | null; baselineHeldOut?: MetricsTable | null };
  if (m.crossValidation) {
    const cv = m.crossValidation;
    return {
      caption: 'People the model never saw: network vs baseline',
      footing: `Cross-validation over ${cv.people} people (${cv.folds} folds, ${cv.frames} labelled frames): each person scored by a network and a baseline trained without them.`,
      network: cv.network,
      baseline: cv.baseline,
    };
  }
  if (m.heldOutLabels) {
    const few = m.heldOutLabels.frames < 100;
    return {
      caption: 'Held-out people: network vs baseline',
      footing: `${m.heldOutLabels.frames} labelled frames of the validation people${few ? ' — few frames: read the numbers as rough' : ''}.`,
      network: m.heldOutLabels,
      baseline: m.baselineHeldOut ?? null,
    };
  }
  return null;
}

/** One sentence: does the network beat the simple model here? */
export function verdict(c: Comparison): string {
  const fmt = (v: number | null | undefined) => fixed(v, 2);
  const n = c.network.mean.icc;
  const b = c.baseline?.mean.icc;
  if (n === null) return 'Too few varying labels to score the network.';
  if (b === null || b === undefined) return `Network mean ICC ${fmt(n)}; no baseline score.`;
  const d = n - b;
  if (Math.abs(d) < 0.02) return `The network and the baseline score about the same here (mean ICC ${fmt(n)} vs ${fmt(b)}).`;
  return d > 0
    ? `The network beats the baseline by ${fmt(d)} mean ICC (${fmt(n)} vs ${fmt(b)}).`
    : `The baseline beats the network by ${fmt(-d)} mean ICC (${fmt(b)} vs ${fmt(n)}): more labels or a longer schedule may help.`;
}
