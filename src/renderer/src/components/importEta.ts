import type { Job } from '@shared/types';

export interface ImportQueue {
  /** Imports running or waiting. */
  count: number;
  /** Seconds until the last of them is done, or null while there is no rate to go by yet. */
  etaSeconds: number | null;
}

const sizeOf = (job: Job): number | null => {
  const s = (job.params as { sizeBytes?: unknown }).sizeBytes;
  return typeof s === 'number' && s > 0 ? s : null;
};

/**
 * When the whole import queue will be done. Imports run one at a time in their own lane (training
 * runs beside them, in the other), so it is the running import's own ETA plus each waiting
 * file's size at the running import's bytes per second: exact for a batch of similar
 * recordings, a rough figure when bitrates differ (hence "≈" in the panel).
 */
export function importQueueEta(jobs: readonly Job[], now: number = Date.now()): ImportQueue | null {
  const imports = jobs.filter((j) => j.kind === 'import' && (j.state === 'running' || j.state === 'queued'));
  if (imports.length === 0) return null;
  const running = imports.find((j) => j.state === 'running');
  const queued = imports.filter((j) => j.state === 'queued');
  if (!running || running.etaSeconds === null || !running.startedAt) return { count: imports.length, etaSeconds: null };
  if (queued.length === 0) return { count: 1, etaSeconds: running.etaSeconds };
  const size = sizeOf(running);
  const elapsed = (now - Date.parse(running.startedAt)) / 1000;
  const waiting = queued.map(sizeOf);
  if (size === null || !(elapsed > 0) || running.progress <= 0 || waiting.some((s) => s === null)) return { count: imports.length, etaSeconds: null };
  const bytesPerSecond = (size * running.progress) / elapsed;
  const rest = (waiting as number[]).reduce((a, b) => a + b, 0) / bytesPerSecond;
  return { count: imports.length, etaSeconds: running.etaSeconds + rest };
}
