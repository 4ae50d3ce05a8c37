/**
 * Predicted intensity tracks, one canvas lane per AU, over the whole video (or a zoomed window
 * of it). Each pixel column draws the min–max of the frames it covers, so a 90,000-frame video
 * costs one pass per redraw; the playhead lives on its own overlay canvas, so moving it never
 * redraws the lanes. Human labels are points; the compared model is a second colour.
 */
import { Fragment, memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { auColumn, auInfo, levelText, predictedText } from '@shared/aus';
import { formatTime } from '../Label/format';
import { rulerTicks } from '../Label/ruler';
import type { Track } from './predictions';
import { CURSOR, drawLane, fit } from './laneDraw';
import { COLOR_OPENFACE } from './openface';

export const COLOR_A = '#5b9cff';
export const COLOR_B = '#f0a04b';

interface Props {
  aus: readonly number[];
  frameCount: number;
  fps: number;
  a: Track | null;
  b: Track | null;
  /** The video's imported OpenFace track (read-only), when shown. */
  openface: Track | null;
  modelName: string | null;
  compareName: string | null;
  labels: ReadonlyMap<number, ReadonlyMap<number, number>>;
  labelsVersion: number;
  frame: number;
  chosenAu: number | null;
  highlight: { frame: number; au: number } | null;
  onSeek: (frame: number, au?: number) => void;
}

/** What the hover tooltip says about one frame and AU. */
interface Tip {
  x: number;
  y: number;
  frame: number;
  au: number;
}

function LanesImpl({ aus, frameCount, fps, a, b, openface, modelName, compareName, labels, labelsVersion, frame, chosenAu, highlight, onSeek }: Props) {
  const [tip, setTip] = useState<Tip | null>(null);
  const [range, setRange] = useState<[number, number]>([0, frameCount]);
  const [width, setWidth] = useState(0);
  const body = useRef<HTMLDivElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const ruler = useRef<HTMLCanvasElement>(null);
  const canvases = useRef(new Map<number, HTMLCanvasElement>());

  useEffect(() => setRange([0, frameCount]), [frameCount]);

  // Track the lanes' pixel width (and height, through the canvases' own size).
  const [heightKey, setHeightKey] = useState(0);
  useLayoutEffect(() => {
    const el = body.current;
    if (!el) return;
    const ro = new ResizeObserver(() => {
      setWidth(overlay.current?.clientWidth ?? 0);
      setHeightKey((k) => k + 1);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Keep the playhead in view when zoomed.
  useEffect(() => {
    const [s, e] = range;
    if (frame >= s && frame < e) return;
    const span = e - s;
    const ns = Math.max(0, Math.min(frameCount - span, frame - span / 2));
    setRange([ns, ns + span]);
  }, [frame]); // eslint-disable-line react-hooks/exhaustive-deps -- recentres when the playhead moves, not when a zoom or pan changes the range

  const xOf = useCallback((f: number, w: number) => ((f + 0.5 - range[0]) / (range[1] - range[0])) * w, [range]);

  // The lanes: redrawn when data, labels, zoom or size change, never for the playhead.
  useEffect(() => {
    for (const au of aus) {
      const c = canvases.current.get(au);
      if (!c) continue;
      const ctx = fit(c);
      if (!ctx) continue;
      drawLane(ctx, {
        width: c.clientWidth,
        height: c.clientHeight,
        range,
        tracks: [
          { values: a?.lanes.get(au), color: COLOR_A, area: true },
          { values: openface?.lanes.get(au), color: COLOR_OPENFACE, area: false },
          { values: b?.lanes.get(au), color: COLOR_B, area: false },
        ],
        labels,
        au,
        highlightFrame: highlight && highlight.au === au ? highlight.frame : null,
      });
    }
  }, [aus, a, b, openface, labels, labelsVersion, range, width, heightKey, highlight]);

  // Ruler and playhead: cheap, redrawn on every frame change.
  useEffect(() => {
    const c = overlay.current;
    const ctx = c && fit(c);
    if (c && ctx) {
      const x = xOf(frame, c.clientWidth);
      const span = range[1] - range[0];
      const pxPerFrame = c.clientWidth / span;
      if (pxPerFrame >= 3) {
        ctx.fillStyle = 'rgba(255, 204, 77, 0.12)';
        ctx.fillRect(x - pxPerFrame / 2, 0, pxPerFrame, c.clientHeight);
      }
      ctx.fillStyle = 'rgba(255, 204, 77, 0.7)';
      ctx.fillRect(Math.round(x) - 0.75, 0, 1.5, c.clientHeight);
    }
    const r = ruler.current;
    const rctx = r && fit(r);
    if (r && rctx) {
      const w = r.clientWidth;
      const h = r.clientHeight;
      const seconds = (range[1] - range[0]) / fps;
      rctx.fillStyle = '#9aa3b2';
      rctx.font = '10px Inter, system-ui, sans-serif';
      rctx.textBaseline = 'top';
      for (const t of rulerTicks(range[0] / fps, seconds, w)) {
        const x = Math.round(t.x);
        rctx.globalAlpha = t.label ? 0.9 : 0.35;
        rctx.fillRect(x, t.label ? 0 : h - 5, 1, t.label ? h : 5);
        if (t.label) rctx.fillText(t.label, x + 3, 2);
      }
      rctx.globalAlpha = 1;
      const px = xOf(frame, w);
      rctx.fillStyle = CURSOR;
      rctx.beginPath();
      rctx.moveTo(px - 5, 0);
      rctx.lineTo(px + 5, 0);
      rctx.lineTo(px, 7);
      rctx.closePath();
      rctx.fill();
    }
  }, [frame, range, width, heightKey, fps, xOf]);

  // Zoom (Ctrl+wheel, around the pointer) and pan (wheel) over the lanes.
  const rangeRef = useRef(range);
  rangeRef.current = range;
  const frameRef = useRef(frame);
  frameRef.current = frame;
  const zoom = useCallback(
    (factor: number, anchor?: number) => {
      const [s, e] = rangeRef.current;
      const span = e - s;
      const next = Math.max(Math.min(frameCount, 40), Math.min(frameCount, span * factor));
      const at = anchor ?? frame + 0.5;
      const k = (at - s) / span;
      const ns = Math.max(0, Math.min(frameCount - next, at - k * next));
      setRange([ns, ns + next]);
    },
    [frameCount, frame],
  );
  useEffect(() => {
    const el = body.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      const o = overlay.current;
      if (!o) return;
      const [s, en] = rangeRef.current;
      const span = en - s;
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        const rect = o.getBoundingClientRect();
        zoomRef.current(Math.exp(e.deltaY * 0.0025), s + ((e.clientX - rect.left) / rect.width) * span);
      } else if (span < frameCount) {
        e.preventDefault();
        const d = ((Math.abs(e.deltaX) > Math.abs(e.deltaY) ? e.deltaX : e.deltaY) / o.clientWidth) * span;
        const ns = Math.max(0, Math.min(frameCount - span, s + d));
        setRange([ns, ns + span]);
      }
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [frameCount]);
  const zoomRef = useRef(zoom);
  zoomRef.current = zoom;

  const frameAt = (clientX: number, el: HTMLElement) => {
    const r = el.getBoundingClientRect();
    const [s, e] = rangeRef.current;
    return Math.max(0, Math.min(frameCount - 1, Math.floor(s + ((clientX - r.left) / r.width) * (e - s))));
  };

  const labelCounts = useMemo(() => {
    const m = new Map<number, number>();
    for (const row of labels.values()) for (const au of row.keys()) m.set(au, (m.get(au) ?? 0) + 1);
    return m;
  }, [labels, labelsVersion]); // eslint-disable-line react-hooks/exhaustive-deps -- labels is filled in place; labelsVersion says when

  const zoomed = range[1] - range[0] < frameCount - 0.5;
  return (
    <section className="lanes" aria-label="Predicted intensity lanes">
      <div className="lanes-tools">
        <div className="legend">
          {a && (
            <span className="legend-item">
              <span className="swatch" style={{ background: COLOR_A }} /> model
            </span>
          )}
          {b && (
            <span className="legend-item">
              <span className="swatch" style={{ background: COLOR_B }} /> compared model
            </span>
          )}
          {openface && (
            <span className="legend-item">
              <span className="swatch" style={{ background: COLOR_OPENFACE }} /> OpenFace
            </span>
          )}
          <span className="legend-item">
            <span className="dot" /> your label
          </span>
          {a && (
            <span className="legend-item">
              <span className="dot off" /> label ≥ 1 level from the model
            </span>
          )}
        </div>
        <div className="zoom-tools" role="group" aria-label="Lane zoom">
          <span className="muted small">
            Frames {Math.floor(range[0])}–{Math.ceil(range[1]) - 1} · {formatTime((range[1] - range[0]) / fps, true)}
          </span>
          <button type="button" className="icon" aria-label="Zoom lanes out" disabled={!zoomed} onClick={() => zoom(1.6)}>
            −
          </button>
          <button type="button" className="icon" aria-label="Zoom lanes in" disabled={range[1] - range[0] <= Math.min(frameCount, 40) + 0.5} onClick={() => zoom(1 / 1.6)}>
            +
          </button>
          <button type="button" className="small-btn" aria-label="Show the whole video" disabled={!zoomed} onClick={() => setRange([0, frameCount])}>
            Whole video
          </button>
        </div>
      </div>
      <div
        ref={body}
        className="lanes-body"
        onPointerDown={(e) => {
          const target = e.target as HTMLElement;
          const lane = target.closest<HTMLElement>('[data-lane]');
          const area = overlay.current;
          if (!lane || !area) return;
          // The lane's name only chooses the AU; the track seeks (and drags to scrub).
          if (target.closest('.lane-head')) return onSeek(frameRef.current, Number(lane.dataset.lane));
          e.currentTarget.setPointerCapture(e.pointerId);
          onSeek(frameAt(e.clientX, area), Number(lane.dataset.lane));
        }}
        onPointerMove={(e) => {
          const area = overlay.current;
          if (!area) return;
          if (!(e.buttons & 1)) {
            // Hover: the tooltip reads out the frame and AU under the pointer.
            const lane = (e.target as HTMLElement).closest<HTMLElement>('[data-lane]');
            if (!lane || !(e.target as HTMLElement).classList.contains('lane-canvas')) return setTip(null);
            const box = e.currentTarget.getBoundingClientRect();
            return setTip({ x: e.clientX - box.left, y: e.clientY - box.top, frame: frameAt(e.clientX, area), au: Number(lane.dataset.lane) });
          }
          if (!e.currentTarget.hasPointerCapture(e.pointerId)) return;
          setTip(null);
          onSeek(frameAt(e.clientX, area));
        }}
        onPointerLeave={() => setTip(null)}
      >
        <div className="lane-head ruler-head" aria-hidden="true" />
        <canvas ref={ruler} className="lane-ruler" aria-hidden="true" />
        {aus.map((au) => {
          const info = auInfo(au);
          const code = auColumn(au);
          return (
            <div key={au} className={au === chosenAu ? 'lane chosen' : 'lane'} data-lane={au}>
              <div className="lane-head" title={info.description}>
                <span className="au-code">{code}</span>
                <span className="lane-name">{info.name}</span>
              </div>
              <canvas
                ref={(el) => {
                  if (el) canvases.current.set(au, el);
                  else canvases.current.delete(au);
                }}
                className="lane-canvas"
                role="img"
                aria-label={`${code} ${info.name}: predicted intensity${b ? ' for both models' : ''}${openface ? ' and OpenFace' : ''} over frames ${Math.floor(range[0])} to ${Math.ceil(range[1]) - 1}, ${labelCounts.get(au) ?? 0} of your labels. Click to seek.`}
              />
            </div>
          );
        })}
        <canvas ref={overlay} className="lane-overlay" aria-hidden="true" />
        {tip && <LaneTip tip={tip} fps={fps} width={body.current?.clientWidth ?? 0} label={labels.get(tip.frame)?.get(tip.au)} rows={[
          { name: modelName ?? 'model', color: COLOR_A, v: a?.lanes.get(tip.au)?.[tip.frame], present: !!a },
          { name: compareName ?? 'compared model', color: COLOR_B, v: b?.lanes.get(tip.au)?.[tip.frame], present: !!b },
          { name: 'OpenFace', color: COLOR_OPENFACE, v: openface?.lanes.get(tip.au)?.[tip.frame], present: !!openface },
        ]} />}
      </div>
    </section>
  );
}

/** Intensities under the pointer, each with its FACS level (labels exact, tracks nearest). */
function LaneTip({ tip, fps, width, label, rows }: { tip: Tip; fps: number; width: number; label: number | undefined; rows: { name: string; color: string; v: number | undefined; present: boolean }[] }) {
  const left = Math.min(Math.max(0, width - 230), tip.x + 14);
  return (
    <div className="lane-tip" role="tooltip" style={{ left, top: tip.y + 14 }}>
      <strong>
        {auColumn(tip.au)} · frame {tip.frame}
      </strong>{' '}
      <span className="muted">{formatTime(tip.frame / fps, true)}</span>
      <dl>
        <dt>Your label</dt>
        <dd>{label === undefined ? '—' : levelText(label)}</dd>
        {rows
          .filter((r) => r.present)
          .map((r) => (
            <Fragment key={r.name}>
              <dt>
                <span className="swatch" style={{ background: r.color }} aria-hidden="true" />
                {r.name}
              </dt>
              <dd>{r.v === undefined || Number.isNaN(r.v) ? 'no face' : predictedText(r.v)}</dd>
            </Fragment>
          ))}
      </dl>
    </div>
  );
}

export const Lanes = memo(LanesImpl);
