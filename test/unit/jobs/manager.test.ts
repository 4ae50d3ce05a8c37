import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventMessage } from '../../../src/shared/contract';
import { ApiError, DISK_FULL_MESSAGE } from '../../../src/shared/errors';
import type { Job, JobState } from '../../../src/shared/types';
import { EventBus } from '../../../src/main/events';
import { z } from 'zod';
import { JobManager, type JobContext, type Runners } from '../../../src/main/services/jobs/manager';
import type { KindRegistry } from '../../../src/main/services/jobs/kinds';
import { getJob, insertJob, updateJob } from '../../../src/main/services/store/jobs';
import { Project } from '../../../src/main/services/store/project';
import { compose } from '../../../src/main/compose';
import { recordEvents } from '../../helpers/events';
import { caught, deferred, tmpDirs, type Deferred } from '../../helpers/tmp';

// Runners here wait on promises the test resolves; nothing sleeps. A hang is a bug.
vi.setConfig({ testTimeout: 10_000 });

const tmp = tmpDirs('auw-jobs-');
let project: Project;
let events: EventBus;
let rec: ReturnType<typeof recordEvents>;
let manager: JobManager<typeof kinds>;

/** Per job id: resolved when its runner starts (with its context), and a gate the test opens. */
interface Step {
  started: Deferred<JobContext>;
  finish: Deferred<void>;
}
let steps: Map<number, Step>;
let startOrder: number[];
let active: number;
let maxActive: number;

function step(id: number): Step {
  let s = steps.get(id);
  if (!s) {
    s = { started: deferred<JobContext>(), finish: deferred<void>() };
    steps.set(id, s);
  }
  return s;
}

/** A runner that announces its start and then waits for the test (or its abort signal). */
function gated(onAbort: 'reject' | 'ignore') {
  return async (ctx: JobContext): Promise<void> => {
    active += 1;
    maxActive = Math.max(maxActive, active);
    startOrder.push(ctx.job.id);
    const s = step(ctx.job.id);
    s.started.resolve(ctx);
    try {
      if (onAbort === 'reject') {
        await Promise.race([
          s.finish.promise,
          new Promise<never>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true })),
        ]);
      } else {
        await s.finish.promise;
      }
    } finally {
      active -= 1;
    }
  };
}

// One lane: these tests are about the order and states within a lane (lanes.test.ts: across lanes).
const anyParams = z.record(z.string(), z.unknown());
const kinds = {
  work: { lane: 'media', params: anyParams, redo: 'Add it again.' },
  stubborn: { lane: 'media', params: anyParams, redo: 'Add it again.' },
  other: { lane: 'media', params: anyParams, redo: 'Add it again.' },
  fail: { lane: 'media', params: anyParams, redo: 'Add it again.' },
} satisfies KindRegistry;

const runners: Runners<typeof kinds> = {
  work: gated('reject'),
  stubborn: gated('ignore'),
  other: gated('reject'),
  fail: async (ctx) => {
    step(ctx.job.id).started.resolve(ctx);
    ctx.log('about to fail');
    throw new Error('The disk is full (ENOSPC).');
  },
};

function reaches(id: number, state: JobState): Promise<Job> {
  return rec
    .when((m: EventMessage) => m.event === 'jobs/progress' && (m.payload as Job).id === id && (m.payload as Job).state === state)
    .then((m) => m.payload as Job);
}

beforeEach(() => {
  project = Project.create(path.join(tmp.make(), 'proj'), { name: 'Jobs', auSet: { preset: 'disfa' } });
  events = new EventBus();
  rec = recordEvents(events);
  manager = new JobManager(project, events, kinds, runners);
  steps = new Map();
  startOrder = [];
  active = 0;
  maxActive = 0;
});

afterEach(async () => {
  for (const s of steps.values()) s.finish.resolve();
  await manager.shutdown();
  rec.stop();
  project.close();
  tmp.cleanup();
});

describe('queue', () => {
  it('runs queued jobs one at a time, in the order they were added', async () => {
    const a = manager.add('work', { n: 1 });
    const b = manager.add('other', { n: 2 });
    const c = manager.add('work', { n: 3 });
    expect([a, b, c].map((j) => j.state)).toEqual(['queued', 'queued', 'queued']);

    await step(a.id).started.promise;
    expect(getJob(project.db, a.id).state).toBe('running');
    expect(getJob(project.db, b.id).state).toBe('queued');
    expect(getJob(project.db, c.id).state).toBe('queued');

    step(a.id).finish.resolve();
    await step(b.id).started.promise;
    expect(getJob(project.db, a.id)).toMatchObject({ state: 'done', progress: 1, message: 'Done.', etaSeconds: null });
    expect(getJob(project.db, c.id).state).toBe('queued');

    step(b.id).finish.resolve();
    step(c.id).finish.resolve();
    await reaches(c.id, 'done');
    await manager.idle();

    expect(startOrder).toEqual([a.id, b.id, c.id]);
    expect(maxActive).toBe(1);
    for (const j of [a, b, c]) {
      const row = getJob(project.db, j.id);
      expect(row.state).toBe('done');
      expect(row.startedAt).not.toBeNull();
      expect(row.finishedAt).not.toBeNull();
    }
    expect(manager.list(10).map((j) => j.id)).toEqual([c.id, b.id, a.id]);
    // Each job announced: queued, running, done.
    const statesOfA = rec.all.filter((m) => m.event === 'jobs/progress' && (m.payload as Job).id === a.id).map((m) => (m.payload as Job).state);
    expect(statesOfA).toEqual(['queued', 'running', 'done']);
  });

  it('passes the params and project to the runner', async () => {
    const job = manager.add('work', { videoId: 7, note: 'x' });
    const ctx = await step(job.id).started.promise;
    expect(ctx.job).toMatchObject({ id: job.id, kind: 'work', state: 'running', params: { videoId: 7, note: 'x' } });
    expect(ctx.project).toBe(project);
    expect(ctx.signal.aborted).toBe(false);
  });

  it('refuses an unknown job kind', () => {
    const err = caught(() => manager.add('nope' as keyof typeof kinds, {}));
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('invalid_argument');
    expect(manager.list(10)).toEqual([]);
  });
});

describe('progress', () => {
  it('emits progress events with an ETA derived from the rate, and writes them (throttled) to the table', async () => {
    const t0 = Date.now();
    const job = manager.add('work', {});
    const ctx = await step(job.id).started.promise;

    ctx.progress(0.005, 'Warming up');
    const early = rec.all.at(-1)!.payload as Job;
    expect(early).toMatchObject({ id: job.id, progress: 0.005, message: 'Warming up', etaSeconds: null });

    ctx.progress(0.5, 'Half way');
    const half = rec.all.at(-1)!.payload as Job;
    const elapsed = (Date.now() - t0) / 1000;
    expect(half).toMatchObject({ id: job.id, state: 'running', progress: 0.5, message: 'Half way' });
    expect(half.etaSeconds).not.toBeNull();
    // Half done after `elapsed` seconds: about as long again to go, never more.
    expect(half.etaSeconds!).toBeGreaterThanOrEqual(0);
    expect(half.etaSeconds!).toBeLessThanOrEqual(elapsed + 0.001);

    ctx.progress(1.5);
    expect((rec.all.at(-1)!.payload as Job).progress).toBe(1);
    expect(getJob(project.db, job.id).progress).toBe(1);

    ctx.log('line one');
    step(job.id).finish.resolve();
    const done = await reaches(job.id, 'done');
    expect(done.etaSeconds).toBeNull();
    const log = (project.db.prepare('SELECT log FROM jobs WHERE id = ?').get(job.id) as { log: string }).log;
    expect(log).toMatch(/^\d{4}-\d\d-\d\dT[^ ]+ line one\n$/);
  });

  // A progress update inside the 250 ms write throttle must not lose its message.
  it('keeps the message of a throttled update for later updates without one', async () => {
    const job = manager.add('work', {});
    const ctx = await step(job.id).started.promise;
    ctx.progress(0.1, 'Decoding');
    ctx.progress(0.2, 'Detecting faces'); // inside 250 ms of the first: emitted only
    ctx.progress(1); // written (p = 1 is never throttled)
    expect((rec.all.at(-1)!.payload as Job).message).toBe('Detecting faces');
    expect(getJob(project.db, job.id).message).toBe('Detecting faces');
  });

  it('writes progress to the table at most every 250 ms but still emits every update', async () => {
    const job = manager.add('work', {});
    const ctx = await step(job.id).started.promise;
    ctx.progress(0.2);
    const written = getJob(project.db, job.id).progress;
    expect(written).toBe(0.2);
    const before = rec.all.length;
    const t0 = Date.now();
    for (let i = 1; i <= 20; i++) ctx.progress(0.2 + i * 0.01);
    const took = Date.now() - t0;
    expect(rec.all.length - before).toBe(20);
    expect((rec.all.at(-1)!.payload as Job).progress).toBeCloseTo(0.4);
    // The loop takes far less than 250 ms, so the table still holds the first write.
    if (took < 200) expect(getJob(project.db, job.id).progress).toBe(written);
    else expect(getJob(project.db, job.id).progress).toBeLessThanOrEqual(0.4 + 1e-9);
  });
});

describe('cancel', () => {
  it('aborts the running job through its signal and marks it cancelled; the queue goes on', async () => {
    const a = manager.add('work', {});
    const b = manager.add('work', {});
    const ctx = await step(a.id).started.promise;
    manager.cancel(a.id);
    expect(ctx.signal.aborted).toBe(true);
    const cancelled = await reaches(a.id, 'cancelled');
    expect(cancelled).toMatchObject({ message: 'Cancelled.', etaSeconds: null });
    expect(getJob(project.db, a.id).finishedAt).not.toBeNull();
    await step(b.id).started.promise;
    expect(getJob(project.db, b.id).state).toBe('running');
  });

  it('marks a runner that ignores the signal but returns cancelled, not done', async () => {
    const a = manager.add('stubborn', {});
    const ctx = await step(a.id).started.promise;
    manager.cancel(a.id);
    expect(ctx.signal.aborted).toBe(true);
    step(a.id).finish.resolve();
    expect((await reaches(a.id, 'cancelled')).state).toBe('cancelled');
    expect(getJob(project.db, a.id).state).toBe('cancelled');
  });

  it('cancels a queued job without ever running it', async () => {
    const a = manager.add('work', {});
    const b = manager.add('work', {});
    await step(a.id).started.promise;
    expect(manager.cancel(b.id)).toMatchObject({ id: b.id, state: 'cancelled' });
    step(a.id).finish.resolve();
    await reaches(a.id, 'done');
    await manager.idle();
    expect(startOrder).toEqual([a.id]);
    expect(getJob(project.db, b.id).state).toBe('cancelled');
  });

  it('refuses to cancel a finished job (conflict) or an unknown one (not_found)', async () => {
    const a = manager.add('work', {});
    await step(a.id).started.promise;
    step(a.id).finish.resolve();
    await reaches(a.id, 'done');
    const err = caught(() => manager.cancel(a.id));
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('conflict');
    expect((err as ApiError).message).toMatch(/already done/);
    expect((caught(() => manager.cancel(9999)) as ApiError).code).toBe('not_found');
  });
});

describe('failure', () => {
  it('marks a throwing runner failed with its message and keeps the stack in the log', async () => {
    const f = manager.add('fail', {});
    const next = manager.add('work', {});
    const failed = await reaches(f.id, 'failed');
    // A full disk reads as what to do, not as an errno; the original stays in the log.
    expect(failed).toMatchObject({ error: DISK_FULL_MESSAGE, message: 'Failed.', etaSeconds: null });
    const log = (project.db.prepare('SELECT log FROM jobs WHERE id = ?').get(f.id) as { log: string }).log;
    expect(log).toContain('about to fail');
    expect(log).toContain('Error: The disk is full (ENOSPC).');
    expect((caught(() => manager.cancel(f.id)) as ApiError).code).toBe('conflict');
    // A failure does not stall the queue.
    await step(next.id).started.promise;
  });
});

describe('recovery and shutdown', () => {
  it('recover() marks jobs left running by a crash as interrupted, which can then be cancelled', () => {
    const crashed = insertJob(project.db, 'work', {});
    updateJob(project.db, crashed.id, { state: 'running', progress: 0.3 });
    const queued = insertJob(project.db, 'work', {});
    const fresh = new JobManager(project, events, kinds, runners);
    expect(fresh.recover()).toBe(1);
    expect(getJob(project.db, crashed.id)).toMatchObject({ state: 'interrupted', progress: 0.3 });
    expect(getJob(project.db, queued.id).state).toBe('queued');
    expect(fresh.cancel(crashed.id).state).toBe('cancelled');
  });

  it('start() takes up the jobs an earlier session left queued', async () => {
    const queued = insertJob(project.db, 'work', {});
    const fresh = new JobManager(project, events, kinds, runners);
    fresh.recover();
    expect(getJob(project.db, queued.id).state).toBe('queued');
    fresh.start();
    await step(queued.id).started.promise;
    step(queued.id).finish.resolve();
    await fresh.idle();
    expect(getJob(project.db, queued.id).state).toBe('done');
  });

  it('shutdown() interrupts the running job (resumable), leaves queued ones queued and starts nothing new', async () => {
    const a = manager.add('work', {});
    const b = manager.add('work', {});
    const ctx = await step(a.id).started.promise;
    await manager.shutdown();
    expect(ctx.signal.aborted).toBe(true);
    expect(getJob(project.db, a.id).state).toBe('interrupted');
    expect(getJob(project.db, b.id).state).toBe('queued');
    manager.add('work', {});
    await Promise.resolve();
    await manager.idle();
    expect(startOrder).toEqual([a.id]);
  });

  it('opening a project through the backend recovers jobs a crash left running', async () => {
    const crashed = insertJob(project.db, 'import', {});
    updateJob(project.db, crashed.id, { state: 'running', progress: 0.6 });
    const dir = project.dir;
    project.close();
    const { workbench: backend } = compose({ shell: 'cli', roots: [path.dirname(dir)], settingsDir: tmp.make(), demoDir: null });
    try {
      const reopened = await backend.open(dir);
      expect(getJob(reopened.db, crashed.id)).toMatchObject({ state: 'interrupted', progress: 0.6 });
    } finally {
      await backend.close();
      project = Project.open(dir);
    }
  });
});
