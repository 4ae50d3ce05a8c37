import { auColumn, auInfo } from '@shared/aus';
import type { AuBlend, Interval, MetricsTable as Table, ModelComparison, ModelRow } from '@shared/types';

const fmt = (v: number | null | undefined, digits = 2) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const withInterval = (i: Interval | null | undefined, fallback?: number | null) => (i ? `${fmt(i.estimate)} [${fmt(i.low)}, ${fmt(i.high)}]` : fmt(fallback));
const SOURCE: Record<AuBlend['source'], string> = { network: 'network', baseline: 'baseline', blend: 'mix' };

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

export function comparisonOf(model: ModelRow | null): Comparison | null {
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

/**
 * The network's ICC per AU beside the OpenFace-style baseline's (HOG + landmark geometry, ridge)
 * trained on the same labels and scored on the same frames, and the delivered mix with where
 * each AU's track comes from. Only AUs whose labels vary are scored.
 */
export function BaselineComparison({ comparison: c }: { comparison: Comparison }) {
  const base = new Map((c.baseline?.perAu ?? []).map((m) => [m.au, m]));
  const delivered = new Map((c.delivered?.perAu ?? []).map((m) => [m.au, m]));
  const blend = new Map((c.blend ?? []).map((b) => [b.au, b]));
  const scored = c.intervals ? new Set(c.intervals.aus) : null;
  const auIntervals = new Map((c.intervals?.perAu ?? []).map((x) => [x.au, x]));
  const tip = (i: Interval | null | undefined) => (i ? `95 % interval ${fmt(i.low)} to ${fmt(i.high)}` : undefined);
  const rows = c.network.perAu.filter((m) => !scored || scored.has(m.au));
  const bar = (v: number | null | undefined, kind = '') => (
    <span className={`icc-bar ${kind}`} aria-hidden="true">
      <i style={{ width: `${Math.max(0, Math.min(1, v ?? 0)) * 100}%` }} />
    </span>
  );
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
            {c.delivered && <th scope="col">Delivered ICC</th>}
            {c.blend && <th scope="col">Track from</th>}
            <th scope="col">Network MAE</th>
            <th scope="col">Baseline MAE</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((m) => {
            const b = base.get(m.au);
            const d = delivered.get(m.au);
            const mix = blend.get(m.au);
            const ci = auIntervals.get(m.au);
            return (
              <tr key={m.au}>
                <th scope="row" title={auInfo(m.au).name}>
                  {auColumn(m.au)}
                </th>
                <td title={tip(ci?.network)}>
                  {bar(m.icc)}
                  {fmt(m.icc)}
                </td>
                <td title={tip(ci?.baseline)}>
                  {bar(b?.icc, 'baseline')}
                  {fmt(b?.icc)}
                </td>
                {c.delivered && (
                  <td title={tip(ci?.delivered)}>
                    {bar(d?.icc, 'delivered')}
                    {fmt(d?.icc)}
                  </td>
                )}
                {c.blend && <td title={mix ? `network weight ${fmt(mix.networkWeight, 1)}, range ×${fmt(mix.scale)}` : undefined}>{mix ? `${SOURCE[mix.source]}${mix.source === 'blend' ? ` ${Math.round(mix.networkWeight * 100)} %` : ''}` : '–'}</td>}
                <td>{fmt(m.mae)}</td>
                <td>{fmt(b?.mae)}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">mean (95 % interval)</th>
            <td>{withInterval(c.intervals?.network, c.network.mean.icc)}</td>
            <td>{withInterval(c.intervals?.baseline, c.baseline?.mean.icc)}</td>
            {c.delivered && <td>{withInterval(c.intervals?.delivered, c.delivered.mean.icc)}</td>}
            {c.blend && <td />}
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
