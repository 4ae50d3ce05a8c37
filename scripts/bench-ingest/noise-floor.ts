/**
 * The every-frame run's own repeatability. Its landmarks follow the detector's box, and that box
 * wobbles from frame to frame even on a still face: another run, equally valid, would have had other
 * boxes. Here each of the run's boxes is moved by that wobble (its size measured on the same run,
 * see boxJitter) and the landmark net runs again: the NME to the run's own landmarks is how far
 * every-frame detection is from itself. A faster pipeline within that distance of it is as close to
 * it as a second every-frame run would be.
 */
import { decodeFrames } from '../../src/main/services/media/decode';
import { FaceEngine, shapeFrame, type FaceBox, type RgbImage } from '../../src/main/services/media/worker/faces';
import type { FrameRow } from '../../src/main/services/media/worker/ingest';
import { Rng } from '../../src/shared/rng';
import { nme } from '../demo/measure-faces';

export interface NoiseFloor {
  /** Per-frame sd of the box centre and size relative to the landmarks, in landmark RMS spreads. */
  jitter: { dx: number; dy: number; w: number; h: number };
  nme: number;
  worst: number;
}

type Rel = { dx: number; dy: number; w: number; h: number };

function boxOf(row: FrameRow, k: number): FaceBox {
  const b = row.box!;
  return { x: b[0]! * k, y: b[1]! * k, width: b[2]! * k, height: b[3]! * k };
}

function relative(box: FaceBox, lm: Float32Array): Rel {
  const f = shapeFrame(lm);
  return { dx: (box.x + box.width / 2 - f.cx) / f.s, dy: (box.y + box.height / 2 - f.cy) / f.s, w: box.width / f.s, h: box.height / f.s };
}

/**
 * The sd of one frame's box, from second differences over three consecutive frames (6 times its
 * variance for independent noise): a box relation that changes smoothly with the pose (a roll
 * widens the box) drops out to first order, so this is the detector's wobble, not the face's motion.
 */
export function boxJitter(rows: FrameRow[]): Rel {
  const rel = rows.map((r) => (r.box && r.landmarks ? relative(boxOf(r, 1), r.landmarks) : null));
  const sum: Rel = { dx: 0, dy: 0, w: 0, h: 0 };
  let n = 0;
  for (let i = 2; i < rel.length; i++) {
    const [a, b, c] = [rel[i - 2], rel[i - 1], rel[i]];
    if (!a || !b || !c) continue;
    n++;
    for (const key of ['dx', 'dy', 'w', 'h'] as const) sum[key] += (c[key] - 2 * b[key] + a[key]) ** 2;
  }
  const sd = (v: number) => (n ? Math.sqrt(v / n / 6) : 0);
  return { dx: sd(sum.dx), dy: sd(sum.dy), w: sd(sum.w), h: sd(sum.h) };
}

/** `rows`: the every-frame run of `file` (source pixels); frames are decoded at `decodeWidth` as the pipeline did. */
export async function detectorNoiseFloor(engine: FaceEngine, file: string, rows: FrameRow[], sourceWidth: number, decodeWidth: number, seed = 1): Promise<NoiseFloor> {
  const jitter = boxJitter(rows);
  const k = decodeWidth / sourceWidth;
  const rng = new Rng(seed);
  let sum = 0;
  let worst = 0;
  let n = 0;
  let batch: { image: RgbImage; moved: FaceBox; landmarks: Float32Array }[] = [];
  const flush = async () => {
    const lms = await engine.landmarks(batch.map((b) => ({ image: b.image, box: b.moved })));
    batch.forEach((b, i) => {
      // Back to source pixels, where the run's landmarks are.
      const e = nme(lms[i]!.map((v) => v / k), b.landmarks);
      sum += e;
      worst = Math.max(worst, e);
      n++;
    });
    batch = [];
  };
  const byIdx = new Map(rows.map((r) => [r.idx, r]));
  for await (const frame of decodeFrames(file, { pixFmt: 'rgb24', width: decodeWidth })) {
    const row = byIdx.get(frame.index);
    if (!row?.box || !row.landmarks) continue;
    const box = boxOf(row, k);
    const s = shapeFrame(row.landmarks).s * k;
    const cx = box.x + box.width / 2 + jitter.dx * s * rng.normal();
    const cy = box.y + box.height / 2 + jitter.dy * s * rng.normal();
    const w = box.width + jitter.w * s * rng.normal();
    const h = box.height + jitter.h * s * rng.normal();
    batch.push({ image: frame, moved: { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, landmarks: row.landmarks });
    if (batch.length === 8) await flush();
  }
  if (batch.length) await flush();
  return { jitter, nme: n ? sum / n : NaN, worst };
}
