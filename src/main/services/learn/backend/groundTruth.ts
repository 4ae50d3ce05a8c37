/**
 * Ground truth for every frame, where a video comes with it: the demo generator writes a
 * manifest.json next to its videos ({ format: 'au-workbench-demo', videos: [{ file,
 * groundTruth }] }) and a CSV per video (`frame,AU01,AU02,…`). Any folder laid out the same
 * way (e.g. a converted DISFA) is picked up too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { csvRecords } from '../../export/labelsCsv';

interface Manifest {
  format?: string;
  videos?: { file: string; groundTruth?: string; subjectId?: string; subject?: string }[];
}

export interface GroundTruth {
  file: string;
  frameCount: number;
  /** Per AU number: intensity per frame (NaN where the CSV has none). */
  values: Map<number, Float32Array>;
}

export function groundTruthFileFor(videoPath: string): string | null {
  const dir = path.dirname(videoPath);
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) return null;
  try {
    const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
    const entry = m.videos?.find((v) => v.file === path.basename(videoPath) || path.resolve(dir, v.file) === path.resolve(videoPath));
    if (!entry?.groundTruth) return null;
    const file = path.resolve(dir, entry.groundTruth);
    return fs.existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

export function readGroundTruth(file: string): GroundTruth {
  const records = csvRecords(fs.readFileSync(file, 'utf8'), `The ground truth ${file}`).map((r) => r.fields);
  const header = (records[0] ?? []).map((h) => h.trim());
  const frameCol = header.findIndex((h) => h.toLowerCase() === 'frame');
  if (frameCol < 0) throw new Error(`${file}: no "frame" column`);
  const auCols = header.flatMap((h, i) => {
    const m = /^AU0*(\d+)(?:_r)?$/i.exec(h);
    return m ? [{ au: Number(m[1]), i }] : [];
  });
  const rows = records.slice(1);
  const frames = rows.map((r) => Number(r[frameCol]));
  const frameCount = frames.reduce((a, b) => Math.max(a, b + 1), 0);
  const values = new Map<number, Float32Array>();
  for (const { au, i } of auCols) {
    const lane = new Float32Array(frameCount).fill(NaN);
    rows.forEach((r, k) => {
      const f = frames[k]!;
      const v = Number((r[i] ?? '').trim());
      if (Number.isInteger(f) && f >= 0 && (r[i] ?? '').trim() !== '' && Number.isFinite(v)) lane[f] = v;
    });
    values.set(au, lane);
  }
  return { file, frameCount, values };
}
