/**
 * The loss curve of a training run, one JSON line per step next to its checkpoint, so a live
 * plot can be redrawn after a reload or a restart. Plain file IO, no tfjs: the backend reads it.
 */
import fs from 'node:fs';
import path from 'node:path';

export function appendCurve(dir: string, point: Record<string, unknown>): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.appendFileSync(path.join(dir, 'curve.jsonl'), `${JSON.stringify(point)}\n`);
}

/** Removes the curve (a run that starts over). */
export function clearCurve(dir: string): void {
  fs.rmSync(path.join(dir, 'curve.jsonl'), { force: true });
}

/** Drops curve points after `step` (a resume replays them). */
export function truncateCurve(dir: string, step: number): void {
  const file = path.join(dir, 'curve.jsonl');
  if (!fs.existsSync(file)) return;
  const kept = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => {
      if (!l.trim()) return false;
      try {
        return (JSON.parse(l) as { step: number }).step <= step;
      } catch {
        return false;
      }
    });
  fs.writeFileSync(file, kept.length ? `${kept.join('\n')}\n` : '');
}

export function readCurve(dir: string): Record<string, unknown>[] {
  const file = path.join(dir, 'curve.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}
