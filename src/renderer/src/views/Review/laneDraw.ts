/**
 * One Review lane drawn on a 2-D canvas, with no React: each pixel column draws the min–max of the
 * frames it covers, so a 90,000-frame video costs one pass per redraw. Lanes.tsx calls it per AU;
 * `npm run bench:lanes` times it against uPlot on the same data.
 */

export const CURSOR = '#ffcc4d';

/** Sizes a canvas's backing store to its CSS box at the device pixel ratio, clears it, and returns it scaled to CSS pixels. */
export function fit(c: HTMLCanvasElement): CanvasRenderingContext2D | null {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(c.clientWidth * dpr));
  const h = Math.max(1, Math.round(c.clientHeight * dpr));
  if (c.width !== w || c.height !== h) {
    c.width = w;
    c.height = h;
  }
  const ctx = c.getContext('2d');
  ctx?.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx?.clearRect(0, 0, c.clientWidth, c.clientHeight);
  return ctx;
}

/** Min and max per pixel column over frames [start, end). */
export function decimate(values: Float32Array, start: number, end: number, width: number): { min: Float32Array; max: Float32Array } {
  const min = new Float32Array(width).fill(Number.NaN);
  const max = new Float32Array(width).fill(Number.NaN);
  const span = end - start;
  for (let c = 0; c < width; c++) {
    const f0 = Math.max(0, Math.floor(start + (c * span) / width));
    const f1 = Math.min(values.length, Math.max(f0 + 1, Math.floor(start + ((c + 1) * span) / width)));
    let lo = Infinity;
    let hi = -Infinity;
    for (let f = f0; f < f1; f++) {
      const v = values[f]!;
      if (v !== v) continue; // NaN: no face
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi >= lo) {
      min[c] = lo;
      max[c] = hi;
    }
  }
  return { min, max };
}

/**
 * The corners (x0, y0, x1, y1, …) of a stepped line over columns [from, to), column c at height
 * yAt(c), with vertices only where the height changes: zoomed in, a frame spans several columns.
 */
function steps(from: number, to: number, yAt: (c: number) => number): number[] {
  const xy = [from, yAt(from)];
  for (let c = from + 1; c < to; c++) if (yAt(c) !== yAt(c - 1)) xy.push(c, yAt(c - 1), c, yAt(c));
  xy.push(to, yAt(to - 1));
  return xy;
}

export interface LaneInput {
  /** CSS pixels (the context is already scaled for the device pixel ratio). */
  width: number;
  height: number;
  /** Frames [start, end) in view. */
  range: readonly [number, number];
  /** Drawn in order; the first is the model the labels are compared with, drawn as an area. */
  tracks: { values: Float32Array | undefined; color: string; area: boolean }[];
  /** frame → AU → level, the human labels. */
  labels: ReadonlyMap<number, ReadonlyMap<number, number>>;
  au: number;
  /** A label to ring (the disagreement the user jumped to), or null. */
  highlightFrame: number | null;
}

/** Draws one lane: level lines, each track's min–max band, the labels as points. */
export function drawLane(ctx: CanvasRenderingContext2D, o: LaneInput): void {
  const { width: w, height: h, range, au, labels } = o;
  const pad = 4;
  const y = (v: number) => h - pad - (Math.max(0, Math.min(5, v)) / 5) * (h - 2 * pad);
  const xOf = (f: number) => ((f + 0.5 - range[0]) / (range[1] - range[0])) * w;
  ctx.fillStyle = 'rgba(255,255,255,0.045)';
  for (let l = 1; l <= 5; l++) ctx.fillRect(0, Math.round(y(l)), w, 1);
  ctx.fillStyle = 'rgba(255,255,255,0.12)';
  ctx.fillRect(0, Math.round(y(0)), w, 1);
  // One path per layer: thousands of rects and dots cost one fill each, not one state change each.
  for (const { values, color, area } of o.tracks) {
    if (!values) continue;
    const { min, max } = decimate(values, range[0], range[1], Math.max(1, Math.floor(w)));
    // Each run of columns with a face is one polygon (its top edge out, its bottom edge back):
    // a rasteriser fills one outline far faster than a thousand 1-px rectangles.
    const band = new Path2D();
    const under = new Path2D();
    const gaps = new Path2D();
    const base = y(0);
    for (let col = 0; col < min.length; ) {
      if (min[col]! !== min[col]!) {
        gaps.rect(col, h - 2, 1, 2);
        col++;
        continue;
      }
      let end = col;
      while (end < min.length && min[end]! === min[end]!) end++;
      // The band is at least 2 px tall: a flat track stays visible.
      const top = (c: number) => Math.min(y(max[c]!) - 1, (y(max[c]!) + y(min[c]!)) / 2 - 1);
      const bottom = (c: number) => Math.max(y(min[c]!) + 1, (y(max[c]!) + y(min[c]!)) / 2 + 1);
      const t = steps(col, end, top);
      const b = steps(col, end, bottom);
      band.moveTo(t[0]!, t[1]!);
      for (let k = 2; k < t.length; k += 2) band.lineTo(t[k]!, t[k + 1]!);
      for (let k = b.length - 2; k >= 0; k -= 2) band.lineTo(b[k]!, b[k + 1]!);
      band.closePath();
      if (area) {
        const u = steps(col, end, (c) => y(min[c]!));
        under.moveTo(col, base);
        for (let k = 0; k < u.length; k += 2) under.lineTo(u[k]!, u[k + 1]!);
        under.lineTo(end, base);
        under.closePath();
      }
      col = end;
    }
    ctx.fillStyle = color;
    if (area) {
      ctx.globalAlpha = 0.2;
      ctx.fill(under);
      ctx.globalAlpha = 1;
      ctx.fillStyle = 'rgba(154,163,178,0.35)';
      ctx.fill(gaps);
      ctx.fillStyle = color;
    }
    ctx.globalAlpha = area ? 1 : 0.9;
    ctx.fill(band);
    ctx.globalAlpha = 1;
  }
  // Human labels as points; white when the model agrees to within one level, coral when not.
  const lane = o.tracks[0]?.values;
  // Dots shrink when they crowd (a whole one-hour video), so the track stays readable.
  let inView = 0;
  for (const [f, row] of labels) if (f >= range[0] - 1 && f <= range[1] && row.has(au)) inView++;
  const r = Math.max(1.5, Math.min(3.4, (w / Math.max(1, inView)) * 0.9));
  // Crowded dots (a whole hour's labels) are squares in one path per colour, a few dots are
  // copies of a round one drawn once: stroking and filling thousands of arcs cost most of a
  // redraw (bench:lanes).
  const lineWidth = r > 2.5 ? 1.5 : 0.75;
  const crowded = r < 2;
  const scale = ctx.getTransform().a || 1;
  const kinds = {
    agree: { fill: '#ffffff', sprite: crowded ? null : dotSprite('#ffffff', r, lineWidth, scale), outer: new Path2D(), inner: new Path2D() },
    off: { fill: '#ff7a7a', sprite: crowded ? null : dotSprite('#ff7a7a', r, lineWidth, scale), outer: new Path2D(), inner: new Path2D() },
  };
  const half = r + lineWidth;
  let ring: [number, number] | null = null;
  for (const [f, row] of labels) {
    if (f < range[0] - 1 || f > range[1]) continue;
    const v = row.get(au);
    if (v === undefined) continue;
    const x = xOf(f);
    const p = lane?.[f];
    const kind = p !== undefined && p === p && Math.abs(p - v) >= 1 ? kinds.off : kinds.agree;
    if (kind.sprite) ctx.drawImage(kind.sprite, x - half, y(v) - half, 2 * half, 2 * half);
    else {
      kind.outer.rect(x - half, y(v) - half, 2 * half, 2 * half);
      kind.inner.rect(x - r, y(v) - r, 2 * r, 2 * r);
    }
    if (o.highlightFrame === f) ring = [x, y(v)];
  }
  if (crowded) {
    ctx.fillStyle = '#0b0d11';
    for (const kind of [kinds.agree, kinds.off]) ctx.fill(kind.outer);
    for (const kind of [kinds.agree, kinds.off]) {
      ctx.fillStyle = kind.fill;
      ctx.fill(kind.inner);
    }
  }
  if (ring) {
    ctx.beginPath();
    ctx.arc(ring[0], ring[1], 7, 0, 2 * Math.PI);
    ctx.strokeStyle = CURSOR;
    ctx.lineWidth = 2;
    ctx.stroke();
  }
}

const sprites = new Map<string, OffscreenCanvas>();

/** A label dot (fill, dark outline) of radius r CSS px, rendered at `scale` device pixels per px. */
function dotSprite(fill: string, r: number, lineWidth: number, scale: number): OffscreenCanvas {
  const key = `${fill} ${r.toFixed(2)} ${lineWidth} ${scale}`;
  let c = sprites.get(key);
  if (c) return c;
  const half = r + lineWidth;
  const side = Math.ceil(2 * half * scale);
  c = new OffscreenCanvas(side, side);
  const ctx = c.getContext('2d')!;
  ctx.scale(c.width / (2 * half), c.height / (2 * half));
  ctx.beginPath();
  ctx.arc(half, half, r, 0, 2 * Math.PI);
  ctx.fillStyle = fill;
  ctx.strokeStyle = '#0b0d11';
  ctx.lineWidth = lineWidth;
  ctx.stroke();
  ctx.fill();
  if (sprites.size > 64) sprites.clear();
  sprites.set(key, c);
  return c;
}
