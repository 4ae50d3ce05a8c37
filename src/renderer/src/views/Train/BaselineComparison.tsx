import { auColumn, auInfo } from '@shared/aus';
import type { MetricsTable as Table, ModelRow } from '@shared/types';
import { fixed as fmt } from '@shared/numbers';

/** How a finetuned model was scored against the baseline, as the finetune job stored it. */
export interface Comparison {
  caption: string;
  /** Where the numbers come from, in one line a user can weigh. */
  footing: string;
  network: Table;
  baseline: Table | null;
}

interface CrossValidation {
  folds: number;
  people: number;
  frames: number;
  network: Table;
  baseline: Table | null;
}

export function comparisonOf(model: ModelRow | null): Comparison | null {
  const m = (model?.metrics ?? {}) as { crossValidation?: CrossValidation; heldOutLabels?: Table | null; baselineHeldOut?: Table | null };
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

/**
 * The network's ICC per AU beside the OpenFace-style baseline's (HOG + landmark geometry, ridge)
 * trained on the same labels and scored on the same frames.
 */
export function BaselineComparison({ comparison: c }: { comparison: Comparison }) {
  const base = new Map((c.baseline?.perAu ?? []).map((m) => [m.au, m]));
  return (
    <div className="comparison">
      <table className="metrics" aria-label={c.caption}>
        <caption>
          {c.caption}
          <span className="muted small block">{c.footing}</span>
        </caption>
        <thead>
          <tr>
            <th scope="col">AU</th>
            <th scope="col">Network ICC</th>
            <th scope="col">Baseline ICC</th>
            <th scope="col">Network MAE</th>
            <th scope="col">Baseline MAE</th>
          </tr>
        </thead>
        <tbody>
          {c.network.perAu.map((m) => {
            const b = base.get(m.au);
            return (
              <tr key={m.au}>
                <th scope="row" title={auInfo(m.au).name}>
                  {auColumn(m.au)}
                </th>
                <td>
                  <span className="icc-bar" aria-hidden="true">
                    <i style={{ width: `${Math.max(0, Math.min(1, m.icc ?? 0)) * 100}%` }} />
                  </span>
                  {fmt(m.icc)}
                </td>
                <td>
                  <span className="icc-bar baseline" aria-hidden="true">
                    <i style={{ width: `${Math.max(0, Math.min(1, b?.icc ?? 0)) * 100}%` }} />
                  </span>
                  {fmt(b?.icc)}
                </td>
                <td>{fmt(m.mae)}</td>
                <td>{fmt(b?.mae)}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">mean</th>
            <td>{fmt(c.network.mean.icc)}</td>
            <td>{fmt(c.baseline?.mean.icc)}</td>
            <td>{fmt(c.network.mean.mae)}</td>
            <td>{fmt(c.baseline?.mean.mae)}</td>
          </tr>
        </tfoot>
      </table>
      <p className="verdict" role="status">
        {verdict(c)}
      </p>
    </div>
  );
}
