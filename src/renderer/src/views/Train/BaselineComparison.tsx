import { auColumn, auInfo } from '@shared/aus';
import { fixed as fmt } from '@shared/numbers';
import { withInterval, verdict, type Comparison } from '@shared/comparison';
import type { AuBlend, Interval } from '@shared/types';

const SOURCE: Record<AuBlend['source'], string> = { network: 'network', baseline: 'baseline', blend: 'mix' };

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
