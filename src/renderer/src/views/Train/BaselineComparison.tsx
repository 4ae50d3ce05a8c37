import { auColumn, auInfo } from '@shared/aus';
import { fixed as fmt } from '@shared/numbers';
import { verdict, type Comparison } from '@shared/comparison';

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
