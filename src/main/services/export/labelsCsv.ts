/**
 * Labels CSV in and out, in the two shapes coders use:
 *   long:  video,frame,timestamp,AU,intensity,annotator   (one label per row, any number of videos)
 *   wide:  frame,timestamp,AU01,AU02,…                    (one video per file, one row per frame)
 * Frames are numbered from 0, as the app shows them; `timestamp` (seconds, written on export,
 * ignored on import) is the frame's time exactly as the OpenFace-style track CSV writes it, whose
 * frames count from 1 as OpenFace's do: the two files join on timestamp (or frame + 1).
 * Import is all-or-nothing: every row is checked first, problems are reported by row number
 * (1 = the header) and column, and only a file without problems is written, in one transaction.
 */
import { parse as parseCsv, CsvError } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import type { Db } from '../store/db';
import { allLabels, labelsInWriteOrder, upsertLabels } from '../store/labels';
import { ApiError } from '../../../shared/errors';
import { annotatorNameProblem } from '../../../shared/names';
import { auColumn } from '../../../shared/aus';
import { parseInteger } from '../../../shared/numbers';
import { frameTimestamp } from './openface';
export { decodeCsvBytes } from './encoding';

export type LabelsCsvFormat = 'long' | 'wide';

export interface CsvLabel {
  videoId: number;
  frame: number;
  au: number;
  intensity: number;
  annotator: string;
  /** 1-based line in the file, for messages. */
  row: number;
}

export interface VideoRef {
  id: number;
  name: string;
  frameCount: number;
}

/** What an export needs of a video: its frame rate gives each frame's timestamp. */
export interface ExportVideoRef extends VideoRef {
  fps: number;
}

export interface ParseOptions {
  format?: LabelsCsvFormat | 'auto';
  videos: readonly VideoRef[];
  /** Video of a wide file (required for wide). */
  videoId?: number;
  /** Annotator for rows (or files) that name none. */
  annotator: string;
  aus: readonly number[];
}

export interface ParseResult {
  format: LabelsCsvFormat;
  labels: CsvLabel[];
  /** Empty wide cells: frames × AUs left unlabelled. */
  skippedEmpty: number;
}

const MAX_REPORTED = 12;

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab or CR) as a formula, so a video
 * or annotator named "=HYPERLINK(…)" would become live in Excel. Such text gets a leading ',
 * as OWASP advises; so does text that already starts with ', so that import can undo exactly
 * this one quote and an export always re-imports to the same labels.
 */
export function neutraliseFormula(s: string): string {
  return /^[=+\-@\t\r']/.test(s) ? `'${s}` : s;
}

/** Undoes neutraliseFormula on import. */
export function restoreFormulaText(s: string): string {
  return /^'[=+\-@\t\r']/.test(s) ? s.slice(1) : s;
}

/** CSV text with every text cell neutralised and quoted where it holds a comma, quote or line break. */
export function csvText(rows: readonly (readonly (string | number)[])[]): string {
  return stringifyCsv(
    rows.map((r) => r.map((v) => (typeof v === 'string' ? neutraliseFormula(v) : v))),
    { record_delimiter: 'unix' },
  );
}

/**
 * Records with the 1-based line each starts on. Quoted fields may hold commas and line breaks
 * (what our own exports write); the space OpenFace puts after each comma is trimmed. `what`
 * names the file in the error a malformed one gets.
 */
export function csvRecords(text: string, what = 'The labels file'): { fields: string[]; line: number }[] {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parseCsv(text, { relax_column_count: true, relax_quotes: true, ltrim: true, rtrim: true, skip_empty_lines: true, info: true, bom: true }) as unknown as typeof parsed;
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      throw new ApiError('invalid_argument', `${what} is not valid CSV${line ? ` at row ${line}` : ''}: ${err.message.replace(/^Invalid Record Length: |^[^:]*: /, '')}. Fix it and import again.`);
    }
    throw err;
  }
  return parsed
    .map((p) => ({ fields: p.record, line: p.info.lines - p.record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0) }))
    .filter((r) => r.fields.some((f) => f.trim() !== ''));
}

/** 'AU01', 'AU1', 'au12_r', '12' → 12; anything else → null. */
export function parseAu(s: string): number | null {
  const m = /^(?:AU)?0*(\d{1,2})(?:_r)?$/i.exec(s.trim());
  return m ? Number(m[1]) : null;
}

const LETTERS: Record<string, number> = { A: 1, B: 2, C: 3, D: 4, E: 5 };

/** 0–5, or the FACS letters A–E; '' → undefined (no label). */
function parseIntensity(s: string): number | undefined | 'bad' {
  const t = s.trim();
  if (t === '') return undefined;
  const letter = LETTERS[t.toUpperCase()];
  if (letter !== undefined) return letter;
  // One decimal digit: "0x3", "3e0" or "3.0" are refused rather than read as something else.
  const n = parseInteger(t, { min: 0, max: 5 });
  return n === null || t.startsWith('+') || t.startsWith('-') ? 'bad' : n;
}

function resolveVideo(raw: string, videos: readonly VideoRef[]): VideoRef | 'ambiguous' | null {
  const t = raw.trim();
  if (/^\d+$/.test(t)) {
    const byId = videos.find((v) => v.id === Number(t));
    if (byId) return byId;
  }
  const stem = (n: string) => n.replace(/\.[^.]+$/, '');
  const matches = videos.filter((v) => v.name === t || stem(v.name) === t || stem(v.name) === stem(t));
  if (matches.length > 1) return 'ambiguous';
  return matches[0] ?? null;
}

export function parseLabelsCsv(text: string, o: ParseOptions): ParseResult {
  const records = csvRecords(text);
  if (!records.length) throw new ApiError('invalid_argument', 'The labels file is empty.');
  const header = records[0]!.fields.map((h) => h.trim());
  const lower = header.map((h) => h.toLowerCase());
  const looksLong = lower.includes('video') && lower.includes('au') && lower.includes('intensity');
  const format: LabelsCsvFormat = o.format && o.format !== 'auto' ? o.format : looksLong ? 'long' : 'wide';
  const errors: string[] = [];
  const err = (row: number, msg: string) => {
    errors.push(`row ${row}: ${msg}`);
  };
  const labels: CsvLabel[] = [];
  let skippedEmpty = 0;
  const allowed = new Set(o.aus);

  if (format === 'long') {
    const col = (name: string) => lower.indexOf(name);
    const [cv, cf, ca, ci, cn] = [col('video'), col('frame'), col('au'), col('intensity'), col('annotator')];
    const missing = [['video', cv], ['frame', cf], ['AU', ca], ['intensity', ci]].filter(([, i]) => i === -1).map(([n]) => n);
    if (missing.length) {
      throw new ApiError('invalid_argument', `The header (row 1) lacks the column(s) ${missing.join(', ')}. A long labels file has: video,frame,AU,intensity,annotator.`);
    }
    for (const rec of records.slice(1)) {
      const row = rec.line;
      const f = rec.fields.map(restoreFormulaText);
      const video = resolveVideo(f[cv] ?? '', o.videos);
      if (video === null) {
        err(row, `no video "${(f[cv] ?? '').trim()}" in this project (use its id or file name)`);
        continue;
      }
      if (video === 'ambiguous') {
        err(row, `"${(f[cv] ?? '').trim()}" names more than one video; use the video id`);
        continue;
      }
      const label = checkCell(row, video, f[cf] ?? '', f[ca] ?? '', f[ci] ?? '', cn >= 0 ? (f[cn] ?? '').trim() || o.annotator : o.annotator, allowed, err);
      if (label === undefined) err(row, 'intensity is empty');
      else if (label) labels.push(label);
    }
  } else {
    if (o.videoId === undefined) throw new ApiError('invalid_argument', 'A wide labels file (frame,AU01,AU02,…) holds one video: say which video it belongs to.');
    const video = o.videos.find((v) => v.id === o.videoId);
    if (!video) throw new ApiError('not_found', `There is no video ${o.videoId} in this project.`);
    const cf = lower.indexOf('frame');
    if (cf === -1) throw new ApiError('invalid_argument', 'The header (row 1) has no "frame" column. A wide labels file has: frame,AU01,AU02,…');
    const auCols = header.flatMap((h, i) => {
      const au = i === cf ? null : parseAu(h);
      return au === null ? [] : [{ au, i, name: h }];
    });
    if (!auCols.length) throw new ApiError('invalid_argument', 'The header (row 1) has no AU columns (AU01, AU02, …).');
    const foreign = auCols.filter((c) => !allowed.has(c.au));
    if (foreign.length) {
      throw new ApiError('invalid_argument', `Row 1: the column(s) ${foreign.map((c) => c.name).join(', ')} are not in this project's AU set (${o.aus.map(auColumn).join(', ')}).`);
    }
    for (const rec of records.slice(1)) {
      const row = rec.line;
      const f = rec.fields;
      for (const c of auCols) {
        const label = checkCell(row, video, f[cf] ?? '', String(c.au), f[c.i] ?? '', o.annotator, allowed, (rw, m) => err(rw, `${c.name}: ${m}`));
        if (label === undefined) skippedEmpty++;
        else if (label) labels.push(label);
      }
    }
  }

  const seen = new Map<string, number>();
  for (const l of labels) {
    const key = `${l.videoId}:${l.frame}:${l.au}:${l.annotator}`;
    const first = seen.get(key);
    if (first !== undefined) err(l.row, `frame ${l.frame} AU${l.au} by ${l.annotator} was already given in row ${first}`);
    else seen.set(key, l.row);
  }
  if (errors.length) {
    const shown = errors.slice(0, MAX_REPORTED).join('; ');
    const more = errors.length > MAX_REPORTED ? ` … and ${errors.length - MAX_REPORTED} more` : '';
    throw new ApiError('invalid_argument', `The labels file has ${errors.length} problem(s), so nothing was imported: ${shown}${more}. Fix them and import again.`);
  }
  return { format, labels, skippedEmpty };
}

/** Validates one label cell; null = an error was reported, undefined = empty intensity. */
function checkCell(
  row: number,
  video: VideoRef,
  frameRaw: string,
  auRaw: string,
  intensityRaw: string,
  annotator: string,
  allowed: Set<number>,
  err: (row: number, msg: string) => void,
): CsvLabel | null | undefined {
  const frameText = frameRaw.trim();
  const frame = /^\d+$/.test(frameText) ? parseInteger(frameText, { min: 0 }) : null;
  if (frame === null) {
    const hint = /^0x|e|\./i.test(frameText) ? ' in decimal digits; hex, exponents and fractions are not frame numbers' : '';
    err(row, `frame "${frameText.slice(0, 40)}" is not a frame number (0, 1, 2, …${hint})`);
    return null;
  }
  if (frame >= video.frameCount) {
    err(row, `frame ${frame} is past the end of ${video.name} (${video.frameCount} frames, numbered from 0)`);
    return null;
  }
  const au = parseAu(auRaw);
  if (au === null) {
    err(row, `"${auRaw.trim()}" is not an AU (write AU01, AU12, or 12)`);
    return null;
  }
  if (!allowed.has(au)) {
    err(row, `AU${au} is not in this project's AU set`);
    return null;
  }
  const intensity = parseIntensity(intensityRaw);
  if (intensity === 'bad') {
    err(row, `intensity "${intensityRaw.trim()}" is not 0–5 (or A–E)`);
    return null;
  }
  if (intensity === undefined) return undefined;
  const nameProblem = annotatorNameProblem(annotator);
  if (nameProblem) {
    err(row, nameProblem);
    return null;
  }
  return { videoId: video.id, frame, au, intensity, annotator, row };
}

/** Writes all labels in one transaction: either every row lands or none does. */
export function writeLabels(db: Db, labels: readonly CsvLabel[]): number {
  upsertLabels(db, labels);
  return labels.length;
}

export function exportLong(db: Db, videos: readonly ExportVideoRef[], videoIds?: readonly number[]): string {
  const byId = new Map(videos.map((v) => [v.id, v]));
  const wanted = videoIds ? new Set(videoIds) : null;
  const rows = allLabels(db).filter((r) => !wanted || wanted.has(r.videoId));
  return csvText([
    ['video', 'frame', 'timestamp', 'AU', 'intensity', 'annotator'],
    ...rows.map((r) => {
      const v = byId.get(r.videoId);
      return [v?.name ?? r.videoId, r.frame, v ? frameTimestamp(r.frame, v.fps) : '', auColumn(r.au), r.intensity, r.annotator];
    }),
  ]);
}

/**
 * One video's labels as frame,AU01,…: one row per labelled frame, empty cells where an AU is
 * unlabelled. With several annotators on one frame and AU, `annotator` picks one; otherwise
 * the most recently changed label wins.
 */
export function exportWide(db: Db, video: ExportVideoRef, aus: readonly number[], annotator?: string): string {
  const videoId = video.id;
  const byFrame = new Map<number, Map<number, number>>();
  for (const r of labelsInWriteOrder(db, videoId, annotator)) {
    let m = byFrame.get(r.frame);
    if (!m) byFrame.set(r.frame, (m = new Map()));
    m.set(r.au, r.intensity); // ordered by updated_at: the last write wins
  }
  const out: (string | number)[][] = [['frame', 'timestamp', ...aus.map(auColumn)]];
  for (const [frame, m] of byFrame) out.push([frame, frameTimestamp(frame, video.fps), ...aus.map((au) => (m.has(au) ? m.get(au)! : ''))]);
  return csvText(out);
}
