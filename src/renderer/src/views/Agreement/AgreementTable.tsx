import { auColumn, auInfo, levelText } from '@shared/aus';
import type { AgreementReport, CoderDisagreement } from '@shared/types';
import { fixed as fmt } from '@shared/numbers';
import { fewFramesText } from '@shared/agreement';

/**
 * Per AU and on average; a figure that is undefined (no variation, no pairs) shows as –. ICC
 * and κ from fewer frames than the report's minimum carry a ⚠ and a note under the table.
 */
export function AgreementTable({ report, aus }: { report: AgreementReport; aus: readonly number[] }) {
  const scope = report.videoId === null ? 'all videos' : 'this video';
  const coded = report.perAu.filter((m) => m.n > 0);
  const few = new Set(coded.filter((m) => m.n < report.minN).map((m) => m.au));
  /** A figure from too few frames: the ⚠ is drawn by CSS, and said in the cell's name. */
  const unstable = (value: number | null, n: number) =>
    value === null ? {} : { className: 'few', 'aria-label': `${fmt(value)}, from only ${n} frame${n === 1 ? '' : 's'} (fewer than ${report.minN})`, title: `From only ${n} frame${n === 1 ? '' : 's'}: unstable below ${report.minN}` };
  const meanFew = few.size > 0;
  const ci = (c: [number, number] | null) => (c ? `[${fmt(c[0])}, ${fmt(c[1])}]` : '–');
  const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)} %`);
  const at = levelText(report.presenceAt);
  return (
    <table className="metrics agreement-table" aria-label={`Agreement of ${report.coderA} and ${report.coderB}`}>
      <caption>
        {report.coderA} and {report.coderB} <span className="muted small">({report.frames} frames both labelled, {scope})</span>
        <span className="muted small agreement-legend">95 % intervals: bootstrap over frames · occurrence: present at {at} or above</span>
      </caption>
      <thead>
        <tr>
          <th scope="col">AU</th>
          <th scope="col" title="Frames where both coders labelled this AU">
            n
          </th>
          <th scope="col" title="Two-way mixed, consistency, single rater (Shrout & Fleiss 1979)">
            ICC(3,1)
          </th>
          <th scope="col" className="ci" title="95 % interval of the ICC, bootstrap over frames">
            95 % CI
          </th>
          <th scope="col">r</th>
          <th scope="col" title="Mean absolute difference, in intensity levels">
            MAE
          </th>
          <th scope="col" title="Cohen's kappa with linear weights over the levels 0–5">
            κ (linear)
          </th>
          <th scope="col" className="ci" title="95 % interval of κ, bootstrap over frames">
            95 % CI
          </th>
          <th scope="col" title={`Occurrence: share of frames where both coders agree the AU is present (at ${at} or above) or absent`}>
            Occ. agree
          </th>
          <th scope="col" title={`Occurrence: Cohen's kappa on present (at ${at} or above) vs absent`}>
            Occ. κ
          </th>
        </tr>
      </thead>
      <tbody>
        {aus.map((au) => {
          const m = report.perAu.find((x) => x.au === au);
          return (
            <tr key={au} data-au={au} data-few={few.has(au) ? 'true' : undefined}>
              <th scope="row" title={auInfo(au).name}>
                {auColumn(au)}
              </th>
              <td className={few.has(au) ? 'muted few-n' : 'muted'}>{m?.n ?? 0}</td>
              <td {...(m && few.has(au) ? unstable(m.icc, m.n) : {})}>
                <span className="icc-bar" aria-hidden="true">
                  <i style={{ width: `${Math.max(0, Math.min(1, m?.icc ?? 0)) * 100}%` }} />
                </span>
                {fmt(m?.icc ?? null)}
              </td>
              <td className={few.has(au) && m?.iccCi ? 'ci muted few' : 'ci muted'}>{ci(m?.iccCi ?? null)}</td>
              <td>{fmt(m?.r ?? null)}</td>
              <td>{fmt(m?.mae ?? null)}</td>
              <td {...(m && few.has(au) ? unstable(m.kappa, m.n) : {})}>{fmt(m?.kappa ?? null)}</td>
              <td className={few.has(au) && m?.kappaCi ? 'ci muted few' : 'ci muted'}>{ci(m?.kappaCi ?? null)}</td>
              <td>{pct(m?.occurrence ?? null)}</td>
              <td>{fmt(m?.occurrenceKappa ?? null)}</td>
            </tr>
          );
        })}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">mean</th>
          <td className="muted">{report.mean.aus} AUs</td>
          <td className={meanFew && report.mean.icc !== null ? 'few' : undefined}>{fmt(report.mean.icc)}</td>
          <td />
          <td>{fmt(report.mean.r)}</td>
          <td>{fmt(report.mean.mae)}</td>
          <td className={meanFew && report.mean.kappa !== null ? 'few' : undefined}>{fmt(report.mean.kappa)}</td>
          <td />
          <td>{pct(report.mean.occurrence)}</td>
          <td>{fmt(report.mean.occurrenceKappa)}</td>
        </tr>
        {meanFew && (
          <tr className="few-note">
            <td colSpan={10}>
              <p role="note" aria-label="Too few frames">
                <span aria-hidden="true">⚠ </span>
                {fewFramesText(few.size, coded.length, report.minN)}
              </p>
            </td>
          </tr>
        )}
      </tfoot>
    </table>
  );
}

/** The largest disagreements, each a button that opens the frame (and AU) in the Label view. */
export function Disagreements({ report, onOpen }: { report: AgreementReport; onOpen: (d: CoderDisagreement) => void }) {
  return (
    <section className="disagreements" aria-labelledby="disagreements-title">
      <h3 id="disagreements-title">Largest disagreements</h3>
      {report.disagreements.length === 0 ? (
        <p className="muted small">None: the two coders gave the same value on every frame and AU both coded.</p>
      ) : (
        <ol>
          {report.disagreements.map((d) => (
            <li key={`${d.videoId}:${d.frame}:${d.au}`}>
              <button
                type="button"
                className="disagreement"
                onClick={() => onOpen(d)}
                aria-label={`Open frame ${d.frame} of ${d.videoName} in the Label view: ${auColumn(d.au)}, ${report.coderA} ${levelText(d.a)}, ${report.coderB} ${levelText(d.b)}`}
              >
                <span className="au-code">{auColumn(d.au)}</span>
                <span className="mono">
                  {report.coderA} <strong>{levelText(d.a)}</strong> · {report.coderB} <strong>{levelText(d.b)}</strong>
                </span>
                <span className="muted">
                  {d.videoName} #{d.frame}
                </span>
                <span className="diff mono">|Δ| {d.diff}</span>
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
