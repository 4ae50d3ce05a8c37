/**
 * The app's job registry (jobs/kinds.ts) driving the manager: two lanes side by side, rows read
 * through their kind's schema, cancel through the AbortSignal. Runners here are small real
 * functions registered for the app's kinds; each waits on a promise the test resolves.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventMessage } from '../../../src/shared/contract';
import { ApiError } from '../../../src/shared/errors';
import type { Job, JobState } from '../../../src/shared/types';
import { EventBus } from '../../../src/main/events';
import { JobManager, type JobContext, type Runners } from '../../../src/main/services/jobs/manager';
import { JOB_KINDS, jobParams, type JobKinds } from '../../../src/main/services/jobs/kinds';
import { getJob, insertJob } from '../../../src/main/services/store/jobs';
import { Project } from '../../../src/main/services/store/project';
import { insertVideo, setVideoStatus } from '../../../src/main/services/store/videos';
import { noteStillImporting } from '../../../src/main/services/learn/backend/jobs';
import { recordEvents } from '../../helpers/events';
import { caught, deferred, tmpDirs, type Deferred } from '../../helpers/tmp';

vi.setConfig({ testTimeout: 10_000 });

const tmp = tmpDirs('auw-lanes-');
let project: Project;
let events: EventBus;
let rec: ReturnType<typeof recordEvents>;
let manager: JobManager;

interface Step {
  started: Deferred<JobContext>;
  finish: Deferred<void>;
}
let steps: Map<number, Step>;

function step(id: number): Step {
  let s = steps.get(id);
  if (!s) {
    s = { started: deferred<JobContext>(), finish: deferred<void>() };
    steps.set(id, s);
  }
  return s;
}

/** Announces its start, waits for the test or its signal, then resolves with `result`. */
function gated<T>(result: T) {
  return async (ctx: JobContext): Promise<T> => {
    const s = step(ctx.job.id);
    s.started.resolve(ctx);
    const aborted = new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([s.finish.promise, aborted]);
    // The standard way out: a DOMException named AbortError, no error class of our own.
    ctx.signal.throwIfAborted();
    return result;
  };
}

const runners: Runners<JobKinds> = {
  import: gated({ videoId: 1 }),
  pretrain: gated({ modelId: 1 }),
  finetune: gated({ modelId: 2 }),
  predict: gated(undefined),
  suggest: gated({ frames: 0 }),
};

const importParams = (file: string) => ({ path: `/videos/${file}`, alreadyAligned: false, detectEvery: 3, subject: null });
const finetuneParams = (name: string) => ({ name, preset: 'tiny' as const, parentId: null, overrides: {}, valFraction: 0.2, cvFolds: 3, splitSeed: 1, predict: false, labelRule: { kind: 'mean' as const } });

function reaches(id: number, state: JobState): Promise<Job> {
  return rec
    .when((m: EventMessage) => m.event === 'jobs/progress' && (m.payload as Job).id === id && (m.payload as Job).state === state)
    .then((m) => m.payload as Job);
}

beforeEach(() => {
  project = Project.create(path.join(tmp.make(), 'proj'), { name: 'Lanes', auSet: { preset: 'disfa' } });
  events = new EventBus();
  rec = recordEvents(events);
  manager = new JobManager(project, events, JOB_KINDS, runners);
  steps = new Map();
});

afterEach(async () => {
  for (const s of steps.values()) s.finish.resolve();
  await manager.shutdown();
  rec.stop();
  project.close();
  tmp.cleanup();
});

describe('lanes', () => {
  it('runs an import while a training runs, and each lane one job at a time', async () => {
    const train = manager.add('finetune', finetuneParams('m1'));
    const a = manager.add('import', importParams('a.mp4'));
    const b = manager.add('import', importParams('b.mp4'));
    const predict = manager.add('predict', { modelId: 9 });

    // The training queued first does not hold up the imports queued after it.
    await Promise.all([step(train.id).started.promise, step(a.id).started.promise]);
    expect([train, a, b, predict].map((j) => getJob(project.db, j.id).state)).toEqual(['running', 'running', 'queued', 'queued']);

    // The import finishing starts the next import, not the queued prediction.
    step(a.id).finish.resolve();
    await step(b.id).started.promise;
    expect(getJob(project.db, a.id).state).toBe('done');
    expect(getJob(project.db, train.id).state).toBe('running');
    expect(getJob(project.db, predict.id).state).toBe('queued');

    step(train.id).finish.resolve();
    await step(predict.id).started.promise;
    expect(getJob(project.db, train.id).state).toBe('done');
    step(b.id).finish.resolve();
    step(predict.id).finish.resolve();
    await manager.idle();
    expect([train, a, b, predict].map((j) => getJob(project.db, j.id).state)).toEqual(['done', 'done', 'done', 'done']);
  });

  it('cancels through the signal: the job is cancelled, the other lane runs on', async () => {
    const train = manager.add('pretrain', { name: 'p1', preset: 'tiny', overrides: {} });
    const imp = manager.add('import', importParams('a.mp4'));
    const [trainCtx, importCtx] = await Promise.all([step(train.id).started.promise, step(imp.id).started.promise]);
    expect(manager.cancel(train.id).message).toBe('Cancelling…');
    expect(trainCtx.signal.aborted).toBe(true);
    expect(trainCtx.signal.reason).toMatchObject({ name: 'AbortError' });
    expect(await reaches(train.id, 'cancelled')).toMatchObject({ message: 'Cancelled.', etaSeconds: null, error: null });
    expect(importCtx.signal.aborted).toBe(false);
    expect(getJob(project.db, imp.id).state).toBe('running');
    step(imp.id).finish.resolve();
    expect((await reaches(imp.id, 'done')).state).toBe('done');
  });

  it('shutdown interrupts the running job of every lane', async () => {
    const train = manager.add('finetune', finetuneParams('m1'));
    const imp = manager.add('import', importParams('a.mp4'));
    await Promise.all([step(train.id).started.promise, step(imp.id).started.promise]);
    await manager.shutdown();
    expect([train, imp].map((j) => getJob(project.db, j.id).state)).toEqual(['interrupted', 'interrupted']);
  });
});

describe('stored params', () => {
  it('fails a stale row with what is wrong and what to do, and the queue goes on', async () => {
    // Rows as another version might have left them: a field of the wrong type, a kind this one lacks.
    const stale = insertJob(project.db, 'finetune', { name: 7, preset: 'tiny', parentId: null, overrides: {}, valFraction: 0.2, splitSeed: 1, predict: false });
    const gone = insertJob(project.db, 'ingest', { videoId: 3 });
    const next = manager.add('finetune', finetuneParams('m2'));

    const failed = await reaches(stale.id, 'failed');
    expect(failed.message).toBe('Failed.');
    expect(failed.error).toMatch(/^The stored settings of finetune job \d+ do not read \(name: .*\); it was probably queued by another version of AU Workbench\. Start the finetuning again from the Train view\.$/);
    expect(getJob(project.db, stale.id).startedAt).toBeNull();
    expect((await reaches(gone.id, 'failed')).error).toMatch(/has no "ingest" jobs/);
    await step(next.id).started.promise;
    expect(steps.has(stale.id)).toBe(false);
    step(next.id).finish.resolve();
    expect((await reaches(next.id, 'done')).state).toBe('done');
  });

  it('reads finetune rows queued before cvFolds and labelRule existed', async () => {
    const old = insertJob(project.db, 'finetune', { name: 'old', preset: 'quick', parentId: null, overrides: { seed: 2 }, valFraction: 0.2, splitSeed: 1, predict: true });
    manager.add('import', importParams('a.mp4')); // the manager takes queued rows when a job is added
    const ctx = await step(old.id).started.promise;
    expect(ctx.params).toEqual({ name: 'old', preset: 'quick', parentId: null, overrides: { seed: 2 }, valFraction: 0.2, splitSeed: 1, predict: true });
    expect(jobParams(old, ['finetune'])?.cvFolds).toBeUndefined();
  });

  it('refuses bad params when a job is added, and queues nothing', () => {
    const err = caught(() => manager.add('import', { ...importParams('a.mp4'), detectEvery: 0 }));
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toMatch(/^Bad import job: detectEvery: /);
    expect(manager.list(10)).toEqual([]);
  });

  it('requeues a stored job with its params, and refuses one whose params no longer read', async () => {
    const stale = insertJob(project.db, 'predict', { modelId: 'five' });
    const imp = manager.add('import', importParams('a.mp4')); // the manager takes queued rows when a job is added
    const first = await reaches(stale.id, 'failed');
    const err = caught(() => manager.requeue(first));
    expect((err as ApiError).code).toBe('invalid_argument');
    expect((err as ApiError).message).toMatch(/modelId: .*Run the prediction again from the Train view\.$/);
    expect(manager.list(10).map((j) => j.id)).toEqual([imp.id, stale.id]);

    const job = manager.add('predict', { modelId: 4, videoIds: [1, 2] });
    await step(job.id).started.promise;
    manager.cancel(job.id);
    const cancelled = await reaches(job.id, 'cancelled');
    const again = manager.requeue(cancelled);
    expect(again).toMatchObject({ kind: 'predict', state: 'queued', params: { modelId: 4, videoIds: [1, 2] } });
    expect((await step(again.id).started.promise).params).toEqual({ modelId: 4, videoIds: [1, 2] });
  });

  it('jobParams answers for the asked kinds only, and only for rows that read', () => {
    const row = (kind: string, params: Record<string, unknown>) => ({ kind, params });
    expect(jobParams(row('pretrain', { name: 'p', preset: 'tiny', overrides: {} }), ['pretrain', 'finetune'])?.name).toBe('p');
    expect(jobParams(row('predict', { modelId: 1 }), ['pretrain', 'finetune'])).toBeNull();
    expect(jobParams(row('pretrain', { name: 3, preset: 'tiny', overrides: {} }), ['pretrain'])).toBeNull();
    expect(jobParams(row('pretrain', { name: 'p', preset: 'tiny', overrides: [] }), ['pretrain'])).toBeNull();
  });
});

describe('a training that starts while imports run', () => {
  it('says in its log and progress which videos are still importing and left out', async () => {
    const video = (name: string) => ({ path: `/videos/${name}`, contentHash: name, subject: null, fps: 25, frameCount: 10, duration: 0.4, width: 64, height: 64, sizeBytes: 1, hasAudio: false, codec: 'h264', videoStartSec: 0, variableFps: false });
    const ready = insertVideo(project.db, video('ready.mp4'));
    setVideoStatus(project.db, ready, 'ready');
    const coming = insertVideo(project.db, video('coming.mp4'));
    setVideoStatus(project.db, coming, 'ingesting');
    const notes: string[] = [];
    const noting = new JobManager(project, events, JOB_KINDS, {
      ...runners,
      pretrain: async (ctx) => {
        notes.push(noteStillImporting(ctx, undefined), noteStillImporting(ctx, [ready]));
        return { modelId: 1 };
      },
    });
    const job = noting.add('pretrain', { name: 'p', preset: 'tiny', overrides: {} });
    await noting.idle();
    expect(notes).toEqual([' (1 still importing, not included)', '']);
    expect((project.db.prepare('SELECT log FROM jobs WHERE id = ?').get(job.id) as { log: string }).log).toContain('1 video(s) still importing are not in this job (coming.mp4)');
    await noting.shutdown();
  });
});
