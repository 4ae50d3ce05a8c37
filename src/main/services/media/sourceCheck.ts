/**
 * A video's source file checked against the fingerprint its import took: the size, the content
 * hash (size and the first, middle and last MiB) and the modification time. A file that is gone
 * is 'missing'; one of another size or content is 'changed' (replaced, re-encoded, cut off):
 * either is never served as the video whose frames the labels belong to, and says to put the
 * original back or Relink it. The check stats the file and hashes it again only when its time
 * moved (a `touch` or a copy back keeps the video ready), so it is cheap enough to run when a
 * project opens, when the videos are listed, and before a still, playback or a job reads the file.
 * The duration the import probed stays recorded; a cut-off file already differs in size.
 */
import fs from 'node:fs';
import { ApiError } from '../../../shared/errors';
import type { Db } from '../store/db';
import { setSourceMtime, sourcePrints, type SourcePrint } from '../store/videos';
import { contentHashSync } from './probe';

export type SourceState = { state: 'ok' } | { state: 'missing' | 'changed'; message: string };

const OK: SourceState = { state: 'ok' };

/** Per project: the verdict on a changed file, by its size and time, so it is hashed once and not on every look. */
const verdicts = new WeakMap<Db, Map<number, { key: string; result: SourceState }>>();

function changed(p: SourcePrint, what: string): SourceState {
  return {
    state: 'changed',
    message: `The video file ${p.path} is not the file that was imported (${what}): stills and playback would show other frames than the ones labelled. Put the original back or Relink it; to use the new file, import it as a new video.`,
  };
}

export function checkSource(db: Db, p: SourcePrint): SourceState {
  let st: fs.Stats;
  try {
    st = fs.statSync(p.path);
  } catch {
    return { state: 'missing', message: `The video file ${p.path} is missing. Put it back, or Relink it to where it moved.` };
  }
  if (!st.isFile()) return { state: 'missing', message: `${p.path} is no longer a video file. Put the original back, or Relink it to where it moved.` };
  if (st.size !== p.sizeBytes) return changed(p, `it is ${st.size.toLocaleString('en')} bytes; the imported one was ${p.sizeBytes.toLocaleString('en')}`);
  if (p.mtimeMs !== null && st.mtimeMs === p.mtimeMs) return OK;
  const key = `${st.size}:${st.mtimeMs}`;
  let seen = verdicts.get(db);
  if (!seen) verdicts.set(db, (seen = new Map()));
  const known = seen.get(p.id);
  if (known?.key === key) return known.result;
  const result = contentHashSync(p.path) === p.contentHash ? OK : changed(p, 'its content differs');
  seen.set(p.id, { key, result });
  if (result.state === 'ok') {
    try {
      setSourceMtime(db, p.id, st.mtimeMs); // the same content: no need to hash it again
    } catch {
      /* a full disk: hashed again next time, which is only slower */
    }
  }
  return result;
}

/** The state of every ready video's source (what a project checks when it opens and lists its videos). */
export function sourceStates(db: Db): Map<number, SourceState> {
  return new Map(sourcePrints(db).filter((p) => p.status === 'ready').map((p) => [p.id, checkSource(db, p)]));
}

/** Refuses to read a video's file (a still, playback, an import) unless it is the one imported. */
export function requireSource(db: Db, videoId: number): string {
  const [p] = sourcePrints(db, videoId);
  if (!p) throw new ApiError('not_found', `There is no video ${videoId} in this project. Reload the video list.`);
  const s = checkSource(db, p);
  if (s.state === 'missing') throw new ApiError('not_found', s.message);
  if (s.state === 'changed') throw new ApiError('conflict', s.message);
  return p.path;
}

/** Records the fingerprint's time for a file just imported or relinked (whose content hash was just taken). */
export function confirmSource(db: Db, videoId: number, file: string): void {
  setSourceMtime(db, videoId, fs.statSync(file).mtimeMs);
  verdicts.get(db)?.delete(videoId);
}
