/**
 * Reads an OpenFace 2 FeatureExtraction CSV (`frame, face_id, timestamp, confidence, success,
 * …, AU01_r, …`; the layout this project exports too) into one intensity lane per AU, and checks
 * that it belongs to the video it is imported for: one row per frame, numbered 1…N as OpenFace
 * does, N equal to the video's frame count, and timestamps that advance at the video's frame
 * rate. The file is streamed through csv-parse (a full OpenFace CSV has ~700 columns), keeping
 * only the columns read. Any problem rejects the whole file, with row numbers.
 */
import fs from 'node:fs';
import { parse, CsvError, type InfoRecord, type Options } from 'csv-parse';
import { ApiError } from '../../../shared/errors';
import { auColumn } from '../../../shared/aus';
import { decodeCsvBytes, utf16WithoutBom } from '../export/encoding';

export interface TargetVideo {
  name: string;
  frameCount: number;
  fps: number;
}

export interface ParsedOpenFace {
  /** Project AUs the file has an intensity column for, in project order. */
  aus: number[];
  /** AU intensity columns of the file that are not in the project's AU set. */
  ignoredAus: number[];
  frameCount: number;
  /** From a least-squares fit of timestamp on frame number. */
  fps: number;
  /** Frames with success 1. */
  faces: number;
  /** AU-major float32, NaN where success is 0 (OpenFace writes 0 there; it is not a measurement). */
  data: Float32Array;
}

/** Relative frame-rate difference still taken as the same video (timestamps are rounded to ms). */
export const FPS_TOLERANCE = 0.01;
const MAX_REPORTED = 12;
/** 1 GiB: a full OpenFace CSV of about an hour at 30 fps; an AU-only one (-aus) is far smaller. */
export const MAX_OPENFACE_BYTES = 1024 ** 3;
/**
 * Longest row read, in characters: a full FeatureExtraction row (about 700 columns) is under
 * 10 KB. Without a cap, one huge line under the file cap grows a single string until V8 refuses
 * it ("Cannot create a string longer than …").
 */
export const MAX_OPENFACE_LINE_CHARS = 1024 * 1024;

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const num = (s: string | undefined): number | null => (s !== undefined && NUMBER.test(s) ? Number(s) : null);

interface Columns {
  frame: number;
  faceId: number;
  timestamp: number;
  success: number;
  /** Every AUxx_r column of the file. */
  aus: { au: number; i: number }[];
}

function headerColumns(header: string[], label: string): Columns {
  const lower = header.map((h) => h.trim().toLowerCase());
  const find = (n: string) => lower.indexOf(n);
  const cols = { frame: find('frame'), faceId: find('face_id'), timestamp: find('timestamp'), success: find('success') };
  const missing = Object.entries({ frame: cols.frame, face_id: cols.faceId, timestamp: cols.timestamp, success: cols.success })
    .filter(([, i]) => i < 0)
    .map(([n]) => n);
  if (missing.length) {
    throw new ApiError(
      'invalid_argument',
      `${label} is not an OpenFace FeatureExtraction CSV: its header (row 1) lacks ${missing.join(', ')}. Import the .csv that OpenFace's FeatureExtraction wrote for this video (it starts "frame, face_id, timestamp, confidence, success"). Nothing was imported.`,
    );
  }
  const aus = header.flatMap((h, i) => {
    const m = /^AU0*(\d{1,2})_r$/i.exec(h.trim());
    return m ? [{ au: Number(m[1]), i }] : [];
  });
  if (!aus.length) {
    throw new ApiError('invalid_argument', `${label} has no AU intensity columns (AU01_r, AU02_r, …). Run FeatureExtraction with -aus (or without any output flags) and import its CSV. Nothing was imported.`);
  }
  return { ...cols, aus };
}

/** Stops with the collected problems, numbered by row. */
function fail(label: string, problems: string[]): never {
  const shown = problems.slice(0, MAX_REPORTED).join('; ');
  const more = problems.length > MAX_REPORTED ? ` … and ${problems.length - MAX_REPORTED} more` : '';
  throw new ApiError('invalid_argument', `${label} has ${problems.length} problem(s), so nothing was imported: ${shown}${more}. Fix them, or export the CSV again from OpenFace.`);
}

export async function parseOpenFaceFile(
  file: string,
  video: TargetVideo,
  projectAus: readonly number[],
  label = 'The OpenFace file',
  maxLineChars = MAX_OPENFACE_LINE_CHARS,
): Promise<ParsedOpenFace> {
  // The start is decoded strictly: a UTF-16 or Latin-1 file is named as such instead of failing later as "no header".
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(64 * 1024);
    const got = fs.readSync(fd, head, 0, head.length, 0);
    if (got === 0) throw new ApiError('invalid_argument', `${label} is empty. Choose the CSV that OpenFace wrote for this video. Nothing was imported.`);
    const start = head.subarray(0, got);
    if ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff) || utf16WithoutBom(start)) {
      throw new ApiError('invalid_argument', `${label} is UTF-16 text; OpenFace writes plain ASCII CSV. Import the file OpenFace wrote, unconverted. Nothing was imported.`);
    }
    // A multi-byte character cut at the chunk's end is not an error: decode up to the last line break.
    const lastBreak = start.lastIndexOf(0x0a);
    decodeCsvBytes(got < head.length || lastBreak < 0 ? start : start.subarray(0, lastBreak + 1), label);
  } finally {
    fs.closeSync(fd);
  }

  let cols: Columns | null = null;
  const problems: string[] = [];
  const frames: number[] = [];
  const times: number[] = [];
  const success: number[] = [];
  const values: number[][] = [];
  const faceIds = new Set<number>();
  type Picked = { line: number; cells: (string | undefined)[] };
  const options: Options<Picked, string[]> = {
    ltrim: true,
    rtrim: true,
    bom: true,
    skip_empty_lines: true,
    max_record_size: maxLineChars,
    // Each record shrinks to the columns read before the next is parsed.
    on_record: (record: string[], context: InfoRecord) => {
      if (!cols) {
        cols = headerColumns(record, label);
        return null;
      }
      const c = cols;
      return { line: context.lines, cells: [record[c.frame], record[c.faceId], record[c.timestamp], record[c.success], ...c.aus.map((a) => record[a.i])] };
    },
  };
  // csv-parse's overloads without `columns` type on_record as returning the raw record; it may return anything.
  const parser = fs.createReadStream(file).pipe(parse(options as unknown as Options));
  try {
    for await (const rec of parser as AsyncIterable<Picked>) {
      const c = cols!;
      const [frameText, faceText, timeText, successText, ...auTexts] = rec.cells;
      const row = rec.line;
      const frame = num(frameText);
      if (frame === null || !Number.isInteger(frame) || frame < 1) {
        problems.push(`row ${row}: frame "${frameText ?? ''}" is not a frame number (OpenFace numbers frames 1, 2, 3, …)`);
        continue;
      }
      const face = num(faceText);
      const time = num(timeText);
      const ok = successText === '1' ? 1 : successText === '0' ? 0 : null;
      if (face === null || !Number.isInteger(face) || face < 0) problems.push(`row ${row}: face_id "${faceText ?? ''}" is not a face number`);
      else faceIds.add(face);
      if (time === null || time < 0) problems.push(`row ${row}: timestamp "${timeText ?? ''}" is not a time in seconds`);
      if (ok === null) problems.push(`row ${row}: success "${successText ?? ''}" is not 0 or 1`);
      const lane: number[] = [];
      auTexts.forEach((t, k) => {
        const v = num(t);
        if (v === null || v < 0 || v > 5) problems.push(`row ${row}: ${auColumn(c.aus[k]!.au)}_r "${t ?? ''}" is not an intensity 0–5`);
        lane.push(v ?? Number.NaN);
      });
      frames.push(frame);
      times.push(time ?? Number.NaN);
      success.push(ok ?? 0);
      values.push(lane);
      if (problems.length > MAX_REPORTED * 4) break; // plenty to show; the rest is likely the same
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof CsvError && err.code === 'CSV_MAX_RECORD_SIZE') {
      const line = (err as CsvError & { lines?: number }).lines;
      const limit = maxLineChars >= 1024 * 1024 ? `${maxLineChars / 1024 / 1024} MiB` : `${maxLineChars} characters`;
      throw new ApiError(
        'invalid_argument',
        `${label}: row ${line ?? '?'} is longer than ${limit}, far more than an OpenFace row (a few KB), so it is not FeatureExtraction's output or it is damaged (line breaks lost?). Import the CSV that OpenFace wrote, unchanged. Nothing was imported.`,
      );
    }
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      throw new ApiError('invalid_argument', `${label} is not valid CSV${line ? ` at row ${line}` : ''}: ${err.message.replace(/^[^:]*: /, '')}. Nothing was imported.`);
    }
    throw err;
  }
  if (!cols) throw new ApiError('invalid_argument', `${label} is empty. Choose the CSV that OpenFace wrote for this video. Nothing was imported.`);
  const c: Columns = cols;
  if (problems.length) fail(label, problems);
  if (!frames.length) throw new ApiError('invalid_argument', `${label} has a header but no rows. Nothing was imported.`);
  if (faceIds.size > 1) {
    fail(label, [`it holds ${faceIds.size} faces (face_id ${[...faceIds].sort((x, y) => x - y).join(', ')}); import FeatureExtraction's output, which tracks one face per frame`]);
  }

  const wanted = new Set(projectAus);
  const aus = projectAus.filter((au) => c.aus.some((a) => a.au === au));
  const ignoredAus = [...new Set(c.aus.map((a) => a.au).filter((au) => !wanted.has(au)))].sort((x, y) => x - y);
  if (!aus.length) {
    throw new ApiError(
      'invalid_argument',
      `${label} has intensities for ${c.aus.map((a) => auColumn(a.au)).join(', ')}, none of which is in this project's AU set (${projectAus.map(auColumn).join(', ')}). Nothing was imported.`,
    );
  }
  // One row per frame, 1…N, in order: anything else is not FeatureExtraction's output of one video.
  for (let k = 0; k < frames.length; k++) {
    if (frames[k] !== k + 1) {
      problems.push(frames[k]! <= k ? `frame ${frames[k]} appears twice or out of order (near row ${k + 2})` : `frame ${k + 1} is missing (row ${k + 2} is frame ${frames[k]})`);
      if (problems.length >= MAX_REPORTED) break;
    }
  }
  if (problems.length) fail(label, problems);
  const n = frames.length;
  if (n !== video.frameCount) {
    throw new ApiError(
      'invalid_argument',
      `${label} has ${n} frames, but ${video.name} has ${video.frameCount}: it is not this video's OpenFace output (another video, or a different cut). Choose the CSV made from ${video.name}. Nothing was imported.`,
    );
  }
  const fps = fittedFps(frames, times);
  if (fps === null) {
    throw new ApiError('invalid_argument', `${label}: its timestamps do not advance, so it cannot be matched to ${video.name}'s ${video.fps.toFixed(2)} fps. Import FeatureExtraction's output of the video file (not of an image folder). Nothing was imported.`);
  }
  if (Math.abs(fps - video.fps) / video.fps > FPS_TOLERANCE) {
    throw new ApiError(
      'invalid_argument',
      `${label} runs at ${fps.toFixed(2)} fps (by its timestamps), but ${video.name} plays at ${video.fps.toFixed(2)} fps: it is not this video's OpenFace output (or OpenFace read it at another rate). Choose the CSV made from ${video.name}. Nothing was imported.`,
    );
  }

  const data = new Float32Array(aus.length * n).fill(Number.NaN);
  aus.forEach((au, lane) => {
    const k = c.aus.findIndex((a) => a.au === au);
    for (let f = 0; f < n; f++) if (success[f] === 1) data[lane * n + f] = values[f]![k]!;
  });
  return { aus, ignoredAus, frameCount: n, fps, faces: success.reduce((s, x) => s + x, 0), data };
}

/** Frames per second from the slope of timestamp on frame number; null when time does not advance. */
export function fittedFps(frames: readonly number[], times: readonly number[]): number | null {
  const n = frames.length;
  if (n < 2) return null;
  let mf = 0;
  let mt = 0;
  for (let k = 0; k < n; k++) {
    mf += frames[k]!;
    mt += times[k]!;
  }
  mf /= n;
  mt /= n;
  let sft = 0;
  let sff = 0;
  for (let k = 0; k < n; k++) {
    sft += (frames[k]! - mf) * (times[k]! - mt);
    sff += (frames[k]! - mf) ** 2;
  }
  const slope = sft / sff;
  return slope > 1e-9 ? 1 / slope : null;
}
