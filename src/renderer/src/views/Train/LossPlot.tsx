import type { CurvePoint } from '@shared/types';

const W = 640;
const H = 220;
const PAD = { l: 48, r: 12, t: 12, b: 28 };
const COLORS = ['#5b9cff', '#f0a04b', '#3fbf7f', '#c678dd', '#e06c75', '#56b6c2'];

function niceTicks(min: number, max: number, n = 4): number[] {
  if (!(max > min)) return [min];
  const step = 10 ** Math.floor(Math.log10((max - min) / n));
  const unit = [1, 2, 5, 10].map((m) => m * step).find((s) => (max - min) / s <= n) ?? step * 10;
  const out: number[] = [];
  for (let v = Math.ceil(min / unit) * unit; v <= max + 1e-12; v += unit) out.push(Number(v.toPrecision(6)));
  return out;
}

/**
 * Training loss over steps: the total, each objective's part, validation loss as dots, and the
 * best evaluation marked, so a researcher sees at a glance whether a run converged.
 */
export function LossPlot({ points, title }: { points: CurvePoint[]; title: string }) {
  if (!points.length) return <p className="muted small plot-empty">The loss curve appears here once training starts.</p>;
  const steps = points.map((p) => p.step);
  const parts = [...new Set(points.flatMap((p) => Object.keys(p.parts ?? {})))];
  const showParts = parts.length > 1;
  const values = points.flatMap((p) => [p.loss, ...(showParts ? Object.values(p.parts ?? {}) : []), ...(p.valLoss !== undefined ? [p.valLoss] : [])]).filter(Number.isFinite);
  const x0 = Math.min(...steps);
  const x1 = Math.max(...steps, x0 + 1);
  const y0 = Math.min(0, ...values);
  const y1 = Math.max(...values, y0 + 1e-6);
  const sx = (s: number) => PAD.l + ((s - x0) / (x1 - x0)) * (W - PAD.l - PAD.r);
  const sy = (v: number) => H - PAD.b - ((v - y0) / (y1 - y0)) * (H - PAD.t - PAD.b);
  const line = (get: (p: CurvePoint) => number | undefined) =>
    points
      .map((p) => [p.step, get(p)] as const)
      .filter((d): d is readonly [number, number] => d[1] !== undefined && Number.isFinite(d[1]))
      .map(([s, v], i) => `${i ? 'L' : 'M'}${sx(s).toFixed(1)},${sy(v).toFixed(1)}`)
      .join('');
  const evals = points.filter((p) => p.valLoss !== undefined);
  const best = evals.reduce<CurvePoint | null>((b, p) => (b === null || p.valLoss! < b.valLoss! ? p : b), null);
  const last = points[points.length - 1]!;
  return (
    <figure className="loss-plot">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${points.length} steps, last loss ${last.loss.toFixed(4)}${best ? `, best validation loss ${best.valLoss!.toFixed(4)} at step ${best.step}` : ''}`}>
        {niceTicks(y0, y1).map((v) => (
          <g key={`y${v}`}>
            <line x1={PAD.l} x2={W - PAD.r} y1={sy(v)} y2={sy(v)} className="grid" />
            <text x={PAD.l - 6} y={sy(v) + 4} textAnchor="end" className="tick">
              {v}
            </text>
          </g>
        ))}
        {niceTicks(x0, x1, 6).map((s) => (
          <text key={`x${s}`} x={sx(s)} y={H - 8} textAnchor="middle" className="tick">
            {s}
          </text>
        ))}
        {showParts &&
          parts.map((k, i) => <path key={k} d={line((p) => p.parts?.[k])} className="part" stroke={COLORS[(i + 1) % COLORS.length]} />)}
        <path d={line((p) => p.loss)} className="total" stroke={COLORS[0]} />
        {evals.map((p) => (
          <circle key={`v${p.step}`} cx={sx(p.step)} cy={sy(p.valLoss!)} r={3} className="val" />
        ))}
        {best && (
          <g className="best">
            <line x1={sx(best.step)} x2={sx(best.step)} y1={PAD.t} y2={H - PAD.b} />
            <text x={sx(best.step) + (sx(best.step) > W / 2 ? -4 : 4)} y={PAD.t + 10} textAnchor={sx(best.step) > W / 2 ? 'end' : 'start'}>
              best · step {best.step}
            </text>
          </g>
        )}
      </svg>
      <figcaption className="legend small">
        <span>
          <i style={{ background: COLORS[0] }} /> loss
        </span>
        {showParts &&
          parts.map((k, i) => (
            <span key={k}>
              <i style={{ background: COLORS[(i + 1) % COLORS.length] }} /> {k}
            </span>
          ))}
        {evals.length > 0 && (
          <span>
            <i className="dot" /> validation loss
          </span>
        )}
        <span className="muted">step {last.step}</span>
      </figcaption>
    </figure>
  );
}
