import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { CurvePoint } from '@shared/types';

const H = 220;
const COLORS = ['#5b9cff', '#f0a04b', '#3fbf7f', '#c678dd', '#e06c75', '#56b6c2'];
const VAL_COLOR = '#fff';
/** Tick spacings for the step axis: whole steps only. */
const STEP_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];

interface Series {
  /** Objectives whose parts are drawn (none when the loss has only one part). */
  parts: string[];
  data: uPlot.AlignedData;
  best: CurvePoint | null;
}

/** Columns for uPlot: steps, total loss, each part, validation loss (null where not evaluated). */
function series(points: readonly CurvePoint[]): Series {
  const names = [...new Set(points.flatMap((p) => Object.keys(p.parts ?? {})))];
  const parts = names.length > 1 ? names : [];
  const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
  const data: uPlot.AlignedData = [
    points.map((p) => p.step),
    points.map((p) => finite(p.loss)),
    ...parts.map((k) => points.map((p) => finite(p.parts?.[k]))),
    points.map((p) => finite(p.valLoss)),
  ];
  const best = points.reduce<CurvePoint | null>((b, p) => (p.valLoss !== undefined && (b === null || p.valLoss < b.valLoss!) ? p : b), null);
  return { parts, data, best };
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** The best evaluation as a dashed line with its step, drawn over the series. */
function bestMarker(best: () => CurvePoint | null): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const b = best();
        if (!b) return;
        const x = u.valToPos(b.step, 'x', true);
        const { top, height, left, width } = u.bbox;
        const ctx = u.ctx;
        const ok = cssVar('--ok', '#3fbf7f');
        ctx.save();
        ctx.strokeStyle = ok;
        ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
        ctx.lineWidth = devicePixelRatio;
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        const right = x > left + width / 2;
        ctx.fillStyle = ok;
        ctx.font = `${11 * devicePixelRatio}px sans-serif`;
        ctx.textAlign = right ? 'right' : 'left';
        ctx.fillText(`best · step ${b.step}`, x + (right ? -4 : 4) * devicePixelRatio, top + 12 * devicePixelRatio);
        ctx.restore();
      },
    },
  };
}

function options(width: number, parts: readonly string[], best: () => CurvePoint | null): uPlot.Options {
  const muted = cssVar('--muted', '#9aa3b2');
  const line = cssVar('--line', '#2a2f3a');
  const axis = { stroke: muted, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 }, font: '10px sans-serif' };
  return {
    width,
    height: H,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: false },
      // From zero, as a loss is read: how far it came down, not just its wiggle.
      y: { range: (_u, min, max) => [Math.min(0, min), max > Math.min(0, min) ? max : Math.min(0, min) + 1e-6] },
    },
    axes: [{ ...axis, incrs: STEP_INCRS }, { ...axis, size: 48 }],
    series: [
      { label: 'step' },
      { label: 'loss', stroke: COLORS[0], width: 1.6 },
      ...parts.map((k, i) => ({ label: k, stroke: COLORS[(i + 1) % COLORS.length], width: 1, alpha: 0.8 })),
      { label: 'validation loss', stroke: VAL_COLOR, paths: () => null, points: { show: true, size: 6, fill: VAL_COLOR, stroke: VAL_COLOR } },
    ],
    plugins: [bestMarker(best)],
  };
}

/**
 * Training loss over steps: the total, each objective's part, validation loss as dots, and the
 * best evaluation marked, so a researcher sees at a glance whether a run converged. Drawn by
 * uPlot, which redraws a growing series cheaply on every progress event of a live run.
 */
export function LossPlot({ points, title }: { points: CurvePoint[]; title: string }) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const s = useMemo(() => series(points), [points]);
  // The newest series, for a chart built (or rebuilt) between two data updates.
  const latest = useRef(s);
  useEffect(() => {
    latest.current = s;
  }, [s]);
  // A new set of parts means other series: the chart is rebuilt; otherwise only its data changes.
  const partsKey = s.parts.join('\n');
  const empty = points.length === 0;

  useEffect(() => {
    const el = host.current;
    if (!el || empty) return;
    const u = new uPlot(options(el.clientWidth || 640, latest.current.parts, () => latest.current.best), latest.current.data, el);
    chart.current = u;
    const ro = new ResizeObserver(() => {
      if (el.clientWidth > 0 && el.clientWidth !== u.width) u.setSize({ width: el.clientWidth, height: H });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      chart.current = null;
    };
  }, [partsKey, empty]);

  useEffect(() => {
    chart.current?.setData(s.data);
  }, [s]);

  if (empty) return <p className="muted small plot-empty">The loss curve appears here once training starts.</p>;
  const evals = points.filter((p) => p.valLoss !== undefined);
  const last = points[points.length - 1]!;
  return (
    <figure className="loss-plot">
      <div
        ref={host}
        className="plot"
        role="img"
        aria-label={`${title}: ${points.length} steps, last loss ${last.loss.toFixed(4)}${s.best ? `, best validation loss ${s.best.valLoss!.toFixed(4)} at step ${s.best.step}` : ''}`}
      />
      <figcaption className="legend small">
        <span>
          <i style={{ background: COLORS[0] }} /> loss
        </span>
        {s.parts.map((k, i) => (
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
