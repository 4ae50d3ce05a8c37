import { auColumn, auInfo } from '@shared/aus';
import type { MetricsTable as Table } from '@shared/types';
import { fixed as fmt } from '@shared/numbers';

/** ICC(3,1), Pearson r and MAE per AU, with a bar for ICC so weak AUs stand out. */
export function MetricsTable({ table, caption }: { table: Table; caption: string }) {
  return (
    <table className="metrics" aria-label={caption}>
      <caption>
        {caption} <span className="muted small">({table.frames} frames)</span>
      </caption>
      <thead>
        <tr>
          <th scope="col">AU</th>
          <th scope="col">ICC(3,1)</th>
          <th scope="col">r</th>
          <th scope="col">MAE</th>
          <th scope="col">n</th>
        </tr>
      </thead>
      <tbody>
        {table.perAu.map((m) => (
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
            <td>{fmt(m.r)}</td>
            <td>{fmt(m.mae)}</td>
            <td className="muted">{m.n}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">mean</th>
          <td>{fmt(table.mean.icc)}</td>
          <td>{fmt(table.mean.r)}</td>
          <td>{fmt(table.mean.mae)}</td>
          <td className="muted">{table.mean.aus} AUs</td>
        </tr>
      </tfoot>
    </table>
  );
}
