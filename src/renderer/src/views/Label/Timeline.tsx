/**
 * The labelling timeline: wavesurfer.js v7 draws the audio peaks (a flat track when the video has
 * no audio) with its timeline plugin; below it one canvas marks the sampled frames in three
 * states (shape and colour), and an overview bar shows the whole video with the visible window,
 * which can be dragged to pan. Only the visible markers are drawn, so a one-hour video with
 * 1,800 sampled frames costs the same as a short one. Ctrl+wheel zooms around the pointer, the
 * wheel pans, a click seeks.
 */
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import WaveSurfer from 'wavesurfer.js';
import type { Peaks } from '@shared/types';
import { lowerBound } from '@shared/sorted';
import { formatTime } from './format';
import { frameAtTime, rulerTicks } from './ruler';

export const STATE_NAMES = ['unlabelled', 'partly labelled', 'labelled'] as const;
const COLORS = { none: '#a3acbd', part: '#f0b443', full: '#43c98a', suggested: '#c58cff', cursor: '#ffcc4d', grid: 'rgba(255,255,255,0.07)' };

interface Props {
  duration: number;
  fps: number;
  frameCount: number;
  hasAudio: boolean;
  peaks: Peaks | null | undefined;
  /** Sampled frames, ascending. */
  sampled: Int32Array;
  /** Per sampled frame: 0 unlabelled, 1 partly labelled, 2 labelled. */
  states: Uint8Array;
  /** Per sampled frame: 1 where *Suggest frames* put it in the queue (drawn with a violet ring). */
  suggested: Uint8Array;
  statesVersion: number;
  frame: number;
  onSeek: (frame: number) => void;
}

/** The marker glyphs, shared with the legend so the two can never disagree; a suggested frame gets an outer ring of its own colour. */
export function drawMarker(ctx: CanvasRenderingContext2D, x: number, y: number, state: number, r = 4.5, suggested = false): void {
  if (suggested) {
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = COLORS.suggested;
    ctx.beginPath();
    ctx.arc(x, y, r + 2.5, 0, 2 * Math.PI);
    ctx.stroke();
  }
  ctx.lineWidth = 1.5;
  if (state === 2) {
    ctx.fillStyle = COLORS.full;
    ctx.beginPath();
    ctx.moveTo(x, y - r - 1);
    ctx.lineTo(x + r + 1, y);
    ctx.lineTo(x, y + r + 1);
    ctx.lineTo(x - r - 1, y);
    ctx.closePath();
    ctx.fill();
  } else if (state === 1) {
    ctx.strokeStyle = COLORS.part;
    ctx.fillStyle = COLORS.part;
    ctx.beginPath();
    ctx.arc(x, y, r, Math.PI / 2, (3 * Math.PI) / 2);
    ctx.closePath();
    ctx.fill();
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.stroke();
  } else {
    ctx.strokeStyle = COLORS.none;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.stroke();
  }
}

export function MarkerGlyph({ state, suggested = false }: { state: number; suggested?: boolean }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = 14 * dpr;
    c.height = 14 * dpr;
    ctx.scale(dpr, dpr);
    drawMarker(ctx, 7, 7, state, suggested ? 3.5 : 4.5, suggested);
  }, [state, suggested]);
  return <canvas ref={ref} className="glyph" width={14} height={14} aria-hidden="true" />;
}

/** A mirrored envelope: max |peak| per pixel column, linearly interpolated when zoomed past the data. */
function drawPeaks(channels: ArrayLike<number>[], ctx: CanvasRenderingContext2D, scale: number): void {
  const w = ctx.canvas.width;
  const h = ctx.canvas.height;
  const mid = h / 2;
  const n = Math.max(0, ...channels.map((c) => c.length));
  const at = (i: number) => {
    let v = 0;
    for (const c of channels) v = Math.max(v, Math.abs(c[i] ?? 0));
    return v;
  };
  const top = new Float32Array(w);
  if (n >= w) {
    for (let i = 0; i < n; i++) {
      const x = Math.min(w - 1, Math.floor((i * w) / n));
      const v = at(i);
      if (v > top[x]!) top[x] = v;
    }
  } else if (n > 0) {
    for (let x = 0; x < w; x++) {
      const pos = Math.max(0, ((x + 0.5) * n) / w - 0.5);
      const i0 = Math.min(n - 1, Math.floor(pos));
      const i1 = Math.min(n - 1, i0 + 1);
      const t = pos - i0;
      top[x] = at(i0) * (1 - t) + at(i1) * t;
    }
  }
  const amp = mid * 0.92 * scale;
  ctx.beginPath();
  ctx.moveTo(0, mid - top[0]! * amp);
  for (let x = 1; x < w; x++) ctx.lineTo(x, mid - top[x]! * amp);
  for (let x = w - 1; x >= 0; x--) ctx.lineTo(x, mid + top[x]! * amp);
  ctx.closePath();
  ctx.fill();
  // The zero line, so silence and a video without audio still read as a track.
  ctx.fillRect(0, Math.round(mid) - 1, w, Math.max(1, Math.round(window.devicePixelRatio || 1)));
}

function sizeCanvas(c: HTMLCanvasElement): CanvasRenderingContext2D | null {
  const dpr = window.devicePixelRatio || 1;
  const w = c.clientWidth;
  const h = c.clientHeight;
  if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
  }
  const ctx = c.getContext('2d');
  ctx?.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx?.clearRect(0, 0, w, h);
  return ctx;
}

function TimelineImpl({ duration, fps, frameCount, hasAudio, peaks, sampled, states, suggested, statesVersion, frame, onSeek }: Props) {
  const waveRef = useRef<HTMLDivElement>(null);
  const stripRef = useRef<HTMLCanvasElement>(null);
  const overviewRef = useRef<HTMLCanvasElement>(null);
  const wsRef = useRef<WaveSurfer | null>(null);
  const zoomRef = useRef(0);
  const rulerRef = useRef<HTMLCanvasElement>(null);
  const [zoomInfo, setZoomInfo] = useState({ visible: duration, atMax: false, atMin: true });
  const live = useRef({ frame, sampled, states, suggested, onSeek, duration, fps, frameCount });
  live.current = { frame, sampled, states, suggested, onSeek, duration, fps, frameCount };

  /** Geometry of the wavesurfer scroll area: total width in px and the left edge in view. */
  const view = useCallback(() => {
    const ws = wsRef.current;
    const width = waveRef.current?.clientWidth ?? 0;
    if (!ws) return { total: width, left: 0, width };
    return { total: Math.max(width, ws.getWrapper().clientWidth), left: ws.getScroll(), width };
  }, []);

  const frameToX = (f: number, v: { total: number; left: number }) => ((f + 0.5) / live.current.fps / live.current.duration) * v.total - v.left;

  const drawn = useRef(0);
  const maxZoom = fps * 24;
  const draw = useCallback(() => {
    if (drawn.current) return;
    drawn.current = requestAnimationFrame(() => {
      drawn.current = 0;
      const { frame: cur, sampled: s, states: st, suggested: sg, frameCount: n, duration: d } = live.current;
      const v = view();
      // Time ruler: integer-ms ticks (ruler.ts) over the visible window.
      const ruler = rulerRef.current;
      const rctx = ruler && sizeCanvas(ruler);
      if (ruler && rctx && v.total > 0 && d > 0) {
        const h = ruler.clientHeight;
        rctx.fillStyle = '#9aa3b2';
        rctx.font = '10px Inter, system-ui, sans-serif';
        rctx.textBaseline = 'top';
        for (const t of rulerTicks((v.left / v.total) * d, (v.width / v.total) * d, v.width, d)) {
          const x = Math.round(t.x);
          rctx.globalAlpha = t.label ? 0.9 : 0.35;
          rctx.fillRect(x, t.label ? 0 : h - 5, 1, t.label ? h : 5);
          if (t.label) rctx.fillText(t.label, x + 3, 3);
        }
        rctx.globalAlpha = 1;
      }
      // Samples strip.
      const strip = stripRef.current;
      const ctx = strip && sizeCanvas(strip);
      if (strip && ctx) {
        const h = strip.clientHeight;
        const pxPerFrame = v.total / Math.max(1, n);
        if (pxPerFrame >= 6) {
          ctx.fillStyle = COLORS.grid;
          const first = Math.max(0, Math.floor((v.left / v.total) * n));
          const last = Math.min(n - 1, Math.ceil(((v.left + v.width) / v.total) * n));
          for (let f = first; f <= last; f++) ctx.fillRect(Math.round((f / n) * v.total - v.left), 0, 1, h);
        }
        const cx = frameToX(cur, v);
        if (pxPerFrame >= 3) {
          ctx.fillStyle = 'rgba(255, 204, 77, 0.16)';
          ctx.fillRect(cx - pxPerFrame / 2, 0, pxPerFrame, h);
        }
        const lo = lowerBound(s, Math.floor(((v.left - 8) / v.total) * n));
        const hi = lowerBound(s, Math.ceil(((v.left + v.width + 8) / v.total) * n));
        // Dense (zoomed far out): ticks whose height tells the state (short, half, full), so it
        // still does not rest on colour alone; otherwise the full glyphs.
        if (hi > lo && v.width / (hi - lo) < 9) {
          const colors = [COLORS.none, COLORS.part, COLORS.full];
          const heights = [0.35, 0.65, 1];
          for (const state of [0, 1, 2]) {
            ctx.fillStyle = colors[state]!;
            const th = (h - 6) * heights[state]!;
            for (let i = lo; i < hi; i++) if ((st[i] ?? 0) === state) ctx.fillRect(Math.round(frameToX(s[i]!, v)), h - 3 - th, 1, th);
          }
          // Suggested frames: a violet cap above their tick.
          ctx.fillStyle = COLORS.suggested;
          for (let i = lo; i < hi; i++) if (sg[i]) ctx.fillRect(Math.round(frameToX(s[i]!, v)) - 1, 1, 3, 3);
        } else for (let i = lo; i < hi; i++) drawMarker(ctx, frameToX(s[i]!, v), h / 2, st[i] ?? 0, 4.5, sg[i] === 1);
        ctx.fillStyle = COLORS.cursor;
        ctx.fillRect(Math.round(cx) - 1, 0, 2, h);
        const at = lowerBound(s, cur);
        if (s[at] === cur) {
          ctx.strokeStyle = '#ffffff';
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.arc(cx, h / 2, 8, 0, 2 * Math.PI);
          ctx.stroke();
        }
      }
      // Overview: the whole video, the visible window, and every sampled frame as a tick.
      const ov = overviewRef.current;
      const octx = ov && sizeCanvas(ov);
      if (ov && octx) {
        const w = ov.clientWidth;
        const h = ov.clientHeight;
        const colors = [COLORS.none, COLORS.part, COLORS.full];
        for (let i = 0; i < s.length; i++) {
          octx.fillStyle = colors[st[i] ?? 0]!;
          octx.globalAlpha = st[i] ? 0.95 : 0.55;
          octx.fillRect(Math.floor(((s[i]! + 0.5) / n) * w), 3, 1, h - 6);
          if (sg[i]) {
            octx.globalAlpha = 1;
            octx.fillStyle = COLORS.suggested;
            octx.fillRect(Math.floor(((s[i]! + 0.5) / n) * w), 0, 1, 3);
          }
        }
        octx.globalAlpha = 1;
        const x0 = (v.left / v.total) * w;
        const x1 = ((v.left + v.width) / v.total) * w;
        octx.fillStyle = 'rgba(91, 156, 255, 0.18)';
        octx.fillRect(x0, 0, Math.max(2, x1 - x0), h);
        octx.strokeStyle = 'rgba(91, 156, 255, 0.85)';
        octx.lineWidth = 1;
        octx.strokeRect(x0 + 0.5, 0.5, Math.max(2, x1 - x0) - 1, h - 1);
        octx.fillStyle = COLORS.cursor;
        octx.fillRect(Math.round(((cur + 0.5) / n) * w) - 1, 0, 2, h);
      }
      const visible = (v.width / v.total) * d;
      setZoomInfo((z) => {
        const atMax = zoomRef.current >= maxZoom - 1e-6;
        const atMin = v.total <= v.width + 1;
        return Math.abs(z.visible - visible) > 1e-3 || z.atMax !== atMax || z.atMin !== atMin ? { visible, atMax, atMin } : z;
      });
    });
  }, [view, maxZoom]);


  // Build wavesurfer once per video (peaks arrive once).
  useEffect(() => {
    const container = waveRef.current;
    if (!container || peaks === undefined || !(duration > 0)) return;
    const raw = peaks?.channels?.length ? peaks.channels : null;
    const flat = [new Float32Array(Math.max(2, Math.ceil(duration * 20)))];
    const channels = raw ?? flat;
    let max = 0;
    for (const ch of channels) for (const x of ch) if (x > max) max = x;
    const width = container.clientWidth || 800;
    zoomRef.current = Math.max(width / duration, width / Math.min(duration, 60));
    const ws = WaveSurfer.create({
      container,
      height: 52,
      waveColor: '#5a7fc0',
      progressColor: '#5a7fc0',
      cursorColor: COLORS.cursor,
      cursorWidth: 2,
      // Our own drawing: wavesurfer's line renderer notches the waveform at every canvas chunk
      // when the peaks are sparser than the pixels (zoomed in on 50 peaks/s).
      renderFunction: (chs, ctx) => drawPeaks(chs, ctx, max > 0 ? 1 / max : 0),
      peaks: channels,
      duration,
      minPxPerSec: zoomRef.current,
      fillParent: true,
      autoScroll: true,
      autoCenter: true,
      hideScrollbar: true,
      dragToSeek: false,
    });
    wsRef.current = ws;
    const subs = [
      ws.on('interaction', (t: number) => {
        const { fps: r, frameCount: n } = live.current;
        live.current.onSeek(frameAtTime(t, r, n));
      }),
      ws.on('scroll', draw),
      ws.on('zoom', draw),
      ws.on('redraw', draw),
      ws.on('resize', draw),
      ws.on('ready', () => {
        ws.setTime((live.current.frame + 0.5) / live.current.fps);
        draw();
      }),
    ];
    return () => {
      subs.forEach((u) => u());
      ws.destroy();
      wsRef.current = null;
    };
  }, [peaks, duration, draw]);

  // Cursor follows the current frame; wavesurfer scrolls it into view (centred) when it leaves.
  useEffect(() => {
    const ws = wsRef.current;
    if (ws && ws.getDuration() > 0) ws.setTime((frame + 0.5) / fps);
    draw();
  }, [frame, fps, draw]);
  useEffect(draw, [statesVersion, sampled, suggested, draw]);

  useEffect(() => {
    const ro = new ResizeObserver(() => draw());
    if (stripRef.current) ro.observe(stripRef.current);
    return () => ro.disconnect();
  }, [draw]);

  const zoomTo = useCallback(
    (px: number, anchorX?: number) => {
      const ws = wsRef.current;
      const el = waveRef.current;
      if (!ws || !el) return;
      const width = el.clientWidth;
      const next = Math.max(width / duration, Math.min(maxZoom, px));
      const v = view();
      const ax = anchorX ?? ((frame + 0.5) / fps / duration) * v.total - v.left;
      const t = ((v.left + ax) / v.total) * duration;
      zoomRef.current = next;
      ws.zoom(next);
      const total = Math.max(width, next * duration);
      ws.setScroll(Math.max(0, (t / duration) * total - ax));
      draw();
    },
    [duration, fps, frame, view, draw, maxZoom],
  );

  // Ctrl+wheel zooms around the pointer; the plain wheel pans.
  const body = useRef<HTMLDivElement>(null);
  const zoomToRef = useRef(zoomTo);
  zoomToRef.current = zoomTo;
  useEffect(() => {
    const el = body.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      const ws = wsRef.current;
      const wave = waveRef.current;
      if (!ws || !wave) return;
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        const x = e.clientX - wave.getBoundingClientRect().left;
        zoomToRef.current(zoomRef.current * Math.exp(-e.deltaY * 0.0025), x);
      } else if (Math.abs(e.deltaY) > Math.abs(e.deltaX)) {
        e.preventDefault();
        ws.setScroll(ws.getScroll() + e.deltaY);
      }
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, []);

  const stripClick = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const x = e.clientX - e.currentTarget.getBoundingClientRect().left;
    const v = view();
    const { sampled: s, frameCount: n } = live.current;
    const f = Math.max(0, Math.min(n - 1, Math.floor(((v.left + x) / v.total) * n)));
    // Snap to a sampled marker within 7 px.
    const i = lowerBound(s, f);
    let best = f;
    let bestD = 7;
    for (const j of [i - 1, i, i + 1]) {
      const sf = s[j];
      if (sf === undefined) continue;
      const d = Math.abs(frameToX(sf, v) - x);
      if (d <= bestD) {
        bestD = d;
        best = sf;
      }
    }
    onSeek(best);
  };

  const stripHover = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const x = e.clientX - e.currentTarget.getBoundingClientRect().left;
    const v = view();
    const { sampled: s, states: st, suggested: sg, frameCount: n } = live.current;
    const f = Math.floor(((v.left + x) / v.total) * n);
    const i = lowerBound(s, f - 2);
    const sf = s[i];
    e.currentTarget.title =
      sf !== undefined && Math.abs(frameToX(sf, v) - x) <= 7 ? `${sg[i] ? 'Suggested' : 'Sampled'} frame ${sf}: ${STATE_NAMES[st[i] ?? 0]}` : `Frame ${Math.max(0, Math.min(n - 1, f))}`;
  };

  // Dragging on the overview pans the window.
  const panFromOverview = (clientX: number, target: HTMLCanvasElement) => {
    const ws = wsRef.current;
    if (!ws) return;
    const r = target.getBoundingClientRect();
    const v = view();
    const centre = ((clientX - r.left) / r.width) * v.total;
    ws.setScroll(Math.max(0, centre - v.width / 2));
  };

  const counts = useMemo(() => {
    const c = [0, 0, 0];
    for (let i = 0; i < states.length; i++) c[states[i]!]!++;
    return c;
  }, [states, statesVersion]); // eslint-disable-line react-hooks/exhaustive-deps -- states is filled in place; statesVersion says when
  const suggestedCount = useMemo(() => suggested.reduce((n, x) => n + x, 0), [suggested]);

  return (
    <section className="timeline" aria-label="Timeline">
      <div className="timeline-tools">
        <div className="legend" aria-label="Sampled frame markers">
          {STATE_NAMES.map((name, st) => (
            <span key={name} className="legend-item">
              <MarkerGlyph state={st} /> {name} <span className="muted">({counts[st]})</span>
            </span>
          ))}
          {suggestedCount > 0 && (
            <span className="legend-item">
              <MarkerGlyph state={0} suggested /> suggested <span className="muted">({suggestedCount})</span>
            </span>
          )}
        </div>
        <div className="zoom-tools" role="group" aria-label="Timeline zoom">
          <span className="muted small" aria-live="polite">
            {formatTime(zoomInfo.visible, true)} visible
          </span>
          <button type="button" className="icon" aria-label="Zoom out" title="Zoom out (Ctrl+wheel)" disabled={zoomInfo.atMin} onClick={() => zoomTo(zoomRef.current / 1.6)}>
            −
          </button>
          <button type="button" className="icon" aria-label="Zoom in" title="Zoom in (Ctrl+wheel)" disabled={zoomInfo.atMax} onClick={() => zoomTo(zoomRef.current * 1.6)}>
            +
          </button>
          <button type="button" className="small-btn" aria-label="Zoom to fit the whole video" disabled={zoomInfo.atMin} onClick={() => zoomTo(0)}>
            Fit
          </button>
        </div>
      </div>
      <div
        ref={body}
        className="timeline-body"
        role="slider"
        tabIndex={0}
        aria-label="Timeline: audio waveform and sampled frames"
        aria-valuemin={0}
        aria-valuemax={Math.max(0, frameCount - 1)}
        aria-valuenow={frame}
        aria-valuetext={`Frame ${frame} of ${frameCount}, ${formatTime(frame / fps, true)}`}
      >
        <div className="track-head">{hasAudio ? 'Audio' : 'No audio'}</div>
        <div ref={waveRef} className={hasAudio ? 'wave' : 'wave flat'} />
        <div className="track-head">Time</div>
        <canvas ref={rulerRef} className="ruler" role="img" aria-label="Time ruler" />
        <div className="track-head">Samples</div>
        <canvas ref={stripRef} className="strip" aria-label={`Sampled frames: ${counts[0]} unlabelled, ${counts[1]} partly labelled, ${counts[2]} labelled${suggestedCount ? `; ${suggestedCount} of them suggested by a model` : ''}. Click to seek.`} role="img" onClick={stripClick} onMouseMove={stripHover} />
        <div className="track-head">Overview</div>
        <canvas
          ref={overviewRef}
          className="overview"
          role="img"
          aria-label="Whole video overview with the visible window; drag to pan"
          onPointerDown={(e) => {
            e.currentTarget.setPointerCapture(e.pointerId);
            panFromOverview(e.clientX, e.currentTarget);
          }}
          onPointerMove={(e) => {
            if (e.buttons & 1) panFromOverview(e.clientX, e.currentTarget);
          }}
        />
      </div>
    </section>
  );
}

export const Timeline = memo(TimelineImpl);
