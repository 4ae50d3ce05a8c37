/**
 * What a finetuned model's stored metrics say about it, read the same way by the Train view and
 * the CLI (`auw metrics`, `auw models`): the network against the OpenFace-style baseline on
 * people it never saw (cross-validation, or held-out people without it), the delivered per-AU
 * mix, 95 % intervals, and one verdict that names a winner only when the interval allows it.
 */
import { fixed } from './numbers';
import type { AuBlend, Interval, MetricsTable as Table, ModelComparison, ModelRow } from './types';

const fmt = (v: number | null | undefined, digits = 2) => fixed(v, digits);
/** "0.23 [0.10, 0.35]": an estimate with its 95 % interval, or the bare number where there is none. */
export const withInterval = (i: Interval | null | undefined, fallback?: number | null) => (i ? `${fmt(i.estimate)} [${fmt(i.low)}, ${fmt(i.high)}]` : fmt(fallback));

/** How a finetuned model was scored against the baseline, as the finetune job stored it. */
export interface Comparison {
  caption: string;
  /** Where the numbers come from, in one line a user can weigh. */
  footing: string;
  network: Table;
  baseline: Table | null;
  /** The delivered per-AU mix of the two, scored the same way (models from before the mix: null). */
  delivered: Table | null;
  /** 95 % intervals and the verdict they allow (models from before the intervals: null). */
  intervals: ModelComparison | null;
  blend: AuBlend[] | null;
}

interface CrossValidation {
  folds: number;
  people: number;
  frames: number;
  network: Table;
  baseline: Table | null;
  delivered?: Table;
  comparison?: ModelComparison;
}

export function comparisonOf(model: Pick<ModelRow, 'metrics' | 'params'> | null): Comparison | null {
  const m = (model?.metrics ?? {}) as { crossValidation?: CrossValidation; heldOutLabels?: Table | null; baselineHeldOut?: Table | null };
  if (m.crossValidation) {
    const cv = m.crossValidation;
    return {
      caption: 'People the model never saw: network vs baseline',
      footing: `Cross-validation over ${cv.people} people (${cv.folds} folds, ${cv.frames} labelled frames): each person scored by a network and a baseline trained without them.`,
      network: cv.network,
      baseline: cv.baseline,
      delivered: cv.delivered ?? null,
      intervals: cv.comparison ?? null,
      blend: (model?.params.blend as AuBlend[] | undefined) ?? null,
    };
  }
  if (m.heldOutLabels) {
    const few = m.heldOutLabels.frames < 100;
    return {
      caption: 'Held-out people: network vs baseline',
      footing: `${m.heldOutLabels.frames} labelled frames of the validation people${few ? ' — few frames: read the numbers as rough' : ''}.`,
      network: m.heldOutLabels,
      baseline: m.baselineHeldOut ?? null,
      delivered: null,
      intervals: null,
      blend: null,
    };
  }
  return null;
}

/** One sentence: does the network beat the simple model here, and can these labels tell? */
export function verdict(c: Comparison): string {
  const i = c.intervals;
  if (i?.difference) {
    const d = i.difference;
    const range = `${fmt(d.low)} to ${fmt(d.high)}`;
    const delivered = i.delivered ? ` The delivered tracks take each AU from the network, the baseline or a mix, as the folds chose: mean ICC ${withInterval(i.delivered)}.` : '';
    if (i.verdict === 'tie') return `Can't tell the network and the baseline apart on these labels: the 95 % interval of the difference (${range}) includes 0. More labelled people narrow it.${delivered}`;
    const [winner, loser] = i.verdict === 'network' ? ['network', 'baseline'] : ['baseline', 'network'];
    return `The ${winner} beats the ${loser} by ${fmt(Math.abs(d.estimate))} mean ICC (95 % interval of the difference ${range}).${delivered}`;
  }
  const n = c.network.mean.icc;
  const b = c.baseline?.mean.icc;
  if (n === null) return 'Too few varying labels to score the network.';
  if (b === null || b === undefined) return `Network mean ICC ${fmt(n)}; no baseline score.`;
  const d = n - b;
  if (Math.abs(d) < 0.02) return `The network and the baseline score about the same here (mean ICC ${fmt(n)} vs ${fmt(b)}).`;
  return d > 0
    ? `The network beats the baseline by ${fmt(d)} mean ICC (${fmt(n)} vs ${fmt(b)}); no interval for this model, so read it as rough.`
    : `The baseline beats the network by ${fmt(-d)} mean ICC (${fmt(b)} vs ${fmt(n)}); no interval for this model, so read it as rough.`;
}
