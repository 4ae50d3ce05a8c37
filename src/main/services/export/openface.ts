/**
 * Intensity CSVs in the layout of OpenFace 2's FeatureExtraction output, so scripts written for
 * OpenFace read ours unchanged: `frame, face_id, timestamp, confidence, success, AU01_r, …`,
 * a comma and a space between fields (OpenFace's habit; its readers trim), frames numbered
 * from 1, and faceless frames written as success 0 with zero intensities, as OpenFace does.
 *
 * The app (and labels.csv) numbers frames from 0, so track frame = labels frame + 1; both files
 * carry the same `timestamp` (frameTimestamp: the 0-based frame over the frame rate, in seconds
 * to 3 decimals), so they join on it as written.
 */
import { stringify } from 'csv-stringify/sync';
import { auColumn } from '../../../shared/aus';
import type { PredictionTrack } from '../../../shared/types';

export interface FrameFaces {
  /** 1 where a face was found, per frame. */
  face: Uint8Array;
  /** Detector confidence per frame (0 where none). */
  score: Float32Array;
}

const CSV_OPTIONS = { delimiter: ', ', record_delimiter: 'unix' } as const;

function openFaceColumns(aus: readonly number[]): string[] {
  return ['frame', 'face_id', 'timestamp', 'confidence', 'success', ...aus.map((au) => `${auColumn(au)}_r`)];
}

/** A 0-based frame's time in seconds, as both export files write it (OpenFace: frame 1 is 0.000). */
export function frameTimestamp(frame: number, fps: number): string {
  return (frame / fps).toFixed(3);
}

export function openFaceHeader(aus: readonly number[]): string {
  return stringify([openFaceColumns(aus)], CSV_OPTIONS).trimEnd();
}

export function openFaceCsv(track: PredictionTrack, fps: number, faces: FrameFaces): string {
  const lanes = track.aus.map((au) => track.values[au] ?? []);
  const rows = [openFaceColumns(track.aus)];
  for (let f = 0; f < track.frameCount; f++) {
    const values = lanes.map((lane) => lane[f] ?? null);
    const success = faces.face[f] === 1 && values.every((v) => v !== null);
    const cells = [
      String(f + 1),
      '0',
      frameTimestamp(f, fps),
      (success ? (faces.score[f] ?? 0) : 0).toFixed(2),
      success ? '1' : '0',
      ...values.map((v) => (success && v !== null ? Math.min(5, Math.max(0, v)) : 0).toFixed(2)),
    ];
    rows.push(cells);
  }
  return stringify(rows, CSV_OPTIONS);
}
