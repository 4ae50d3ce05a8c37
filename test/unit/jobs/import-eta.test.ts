/** The Jobs panel's estimate for a queue of imports (pure function; the panel shows its result). */
import { describe, expect, it } from 'vitest';
import type { Job } from '../../../src/shared/types';
import { importQueueEta } from '../../../src/renderer/src/components/importEta';
import { formatEta } from '../../../src/renderer/src/components/JobPanel';

const t0 = Date.parse('2026-12-02T10:00:00Z');
function job(id: number, state: Job['state'], sizeBytes: number | undefined, extra: Partial<Job> = {}): Job {
  return {
    id, kind: 'import', state, params: { path: `/v/${id}.mp4`, ...(sizeBytes !== undefined ? { sizeBytes } : {}) },
    progress: 0, message: null, etaSeconds: null, error: null, createdAt: new Date(t0).toISOString(), startedAt: null, finishedAt: null, ...extra,
  };
}

describe('import queue ETA', () => {
  it('is the running import’s ETA plus each queued file at the running rate', () => {
    // 40 % of a 10 MB file in 20 s: 200 kB/s; 30 s left on it; 4 MB + 6 MB queued = 50 s more.
    const running = job(1, 'running', 10e6, { progress: 0.4, etaSeconds: 30, startedAt: new Date(t0).toISOString() });
    const q = importQueueEta([running, job(2, 'queued', 4e6), job(3, 'queued', 6e6), job(4, 'done', 9e9)], t0 + 20_000);
    expect(q).toEqual({ count: 3, etaSeconds: 80 });
    expect(formatEta(q!.etaSeconds)).toBe('1 min 20 s left');
  });

  it('has no figure before the running import has a rate, and none for other jobs', () => {
    expect(importQueueEta([job(1, 'queued', 1e6), job(2, 'queued', 1e6)], t0)).toEqual({ count: 2, etaSeconds: null });
    expect(importQueueEta([{ ...job(1, 'running', 1e6), kind: 'finetune' }], t0)).toBeNull();
    // A queued job from before sizes were recorded: no made-up figure.
    const running = job(1, 'running', 10e6, { progress: 0.5, etaSeconds: 10, startedAt: new Date(t0).toISOString() });
    expect(importQueueEta([running, job(2, 'queued', undefined)], t0 + 10_000)).toEqual({ count: 2, etaSeconds: null });
    expect(importQueueEta([running], t0 + 10_000)).toEqual({ count: 1, etaSeconds: 10 });
  });
});
