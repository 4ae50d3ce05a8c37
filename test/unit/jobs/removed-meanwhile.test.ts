/**
 * Issue 24 §10 and §11: a job whose video (or model) is removed under it ends cancelled with a
 * plain message, never with SQLite's "FOREIGN KEY constraint failed"; an interrupted import
 * points to Retry import, which is how an import continues, not to a resume that refuses it.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventMessage } from '../../../src/shared/contract';
import type { Job, JobState } from '../../../src/shared/types';
import { EventBus } from '../../../src/main/events';
import { JobManager, type Runners } from '../../../src/main/services/jobs/manager';
import { JOB_KINDS, type JobKinds } from '../../../src/main/services/jobs/kinds';
import { removeVideo } from '../../../src/main/services/media/backend/remove';
import { removeModel } from '../../../src/main/services/learn/backend/modelFolders';
import { insertModel } from '../../../src/main/services/store/models';
import { insertFrames } from '../../../src/main/services/store/frames';
import { getJob, insertJob, markInterrupted, updateJob } from '../../../src/main/services/store/jobs';
import { Project } from '../../../src/main/services/store/project';
import { explainSystemError } from '../../../src/main/services/system-errors';
import { compose } from '../../../src/main/compose';
import { addVideo } from '../../helpers/project';
import { recordEvents } from '../../helpers/events';
import { deferred, tmpDirs } from '../../helpers/tmp';

vi.setConfig({ testTimeout: 10_000 });

const tmp = tmpDirs('auw-removed-');
let project: Project;
let events: EventBus;
let rec: ReturnType<typeof recordEvents>;
let manager: JobManager;
let videoId: number;
const started = deferred();

const frameRow = (idx: number) => ({ idx, face: true, score: 0.9, box: null, landmarks: null });

/** An import runner that keeps writing frame rows for its video, as the real one does, until stopped. */
const writesFrames = async (ctx: { signal: AbortSignal }, stopOnAbort: boolean) => {
  started.resolve();
  for (let i = 0; ; i++) {
    if (stopOnAbort) ctx.signal.throwIfAborted();
    insertFrames(project.db, videoId, [frameRow(i)]);
    await new Promise((r) => setTimeout(r, 2));
  }
};

function reaches(id: number, state: JobState): Promise<Job> {
  return rec.when((m: EventMessage) => m.event === 'jobs/progress' && (m.payload as Job).id === id && (m.payload as Job).state === state).then((m) => m.payload as Job);
}

function managerWith(stopOnAbort: boolean): JobManager {
  const runners = { import: (ctx: { signal: AbortSignal }) => writesFrames(ctx, stopOnAbort) } as unknown as Runners<JobKinds>;
  return new JobManager(project, events, JOB_KINDS, runners);
}

beforeEach(() => {
  project = Project.create(path.join(tmp.make(), 'proj'), { name: 'Removed', auSet: { preset: 'disfa' } });
  events = new EventBus();
  rec = recordEvents(events);
  videoId = addVideo(project.db, { path: '/videos/a.mp4' });
});

afterEach(async () => {
  await manager?.shutdown();
  rec.stop();
  project.close();
  tmp.cleanup();
});

describe('a video removed during its import', () => {
  it('cancels the import first: the job ends cancelled saying the video was removed, and the video is gone', async () => {
    manager = managerWith(true);
    const job = manager.add('import', { path: '/videos/a.mp4', alreadyAligned: false, detectEvery: 3, subject: null, videoId });
    await started.promise;
    const ended = reaches(job.id, 'cancelled');
    await removeVideo(project, videoId, manager);
    expect((await ended).message).toMatch(/a\.mp4 was removed from the project/);
    expect(getJob(project.db, job.id)).toMatchObject({ state: 'cancelled', error: null });
    expect(project.db.prepare('SELECT count(*) AS n FROM videos').get()).toEqual({ n: 0 });
  });

  it('a job whose rows lost their video anyway (a runner deaf to its signal) ends cancelled, not failed with the raw SQLite text', async () => {
    manager = managerWith(false);
    const job = manager.add('import', { path: '/videos/other.mp4', alreadyAligned: false, detectEvery: 3, subject: null });
    await started.promise;
    const ended = reaches(job.id, 'cancelled');
    project.db.prepare('DELETE FROM videos WHERE id = ?').run(videoId); // removed behind the manager's back
    const final = await ended;
    expect(final.message).toMatch(/was removed from the project meanwhile/);
    expect(final.message).not.toMatch(/FOREIGN KEY/);
    expect(getJob(project.db, job.id).error).toBeNull();
  });

  it('explains the raw foreign key error wherever it reaches a person', () => {
    let raw: unknown;
    try {
      insertFrames(project.db, 999, [frameRow(0)]);
    } catch (err) {
      raw = err;
    }
    expect(String(raw)).toMatch(/FOREIGN KEY/);
    expect(explainSystemError(raw)).toMatchObject({ code: 'conflict', message: expect.stringMatching(/removed from the project meanwhile/) });
  });
});

describe('a model removed while a job reads it', () => {
  it('cancels its prediction first, saying the model was removed, then removes it', async () => {
    const modelId = insertModel(project.db, { stage: 'finetune', parentId: null, name: 'ft1', checkpoint: 'models/ft1', params: {}, metrics: null, backend: 'wasm' });
    const waiting = deferred();
    const runners = {
      predict: (ctx: { signal: AbortSignal }) =>
        new Promise<void>((_, reject) => {
          waiting.resolve();
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
        }),
    } as unknown as Runners<JobKinds>;
    manager = new JobManager(project, events, JOB_KINDS, runners);
    const job = manager.add('predict', { modelId });
    await waiting.promise;
    await removeModel(project, modelId, manager);
    expect(getJob(project.db, job.id)).toMatchObject({ state: 'cancelled', message: expect.stringMatching(/model ft1 was removed/) });
    expect(project.db.prepare('SELECT count(*) AS n FROM models').get()).toEqual({ n: 0 });
  });
});

describe('an interrupted import', () => {
  it('says to use Retry import, and resume refuses it pointing there', async () => {
    const imp = insertJob(project.db, 'import', { path: '/videos/a.mp4', alreadyAligned: false, detectEvery: 3, subject: null });
    const train = insertJob(project.db, 'pretrain', { name: 'p', preset: 'tiny', overrides: {} });
    updateJob(project.db, imp.id, { state: 'running' });
    updateJob(project.db, train.id, { state: 'running' });
    expect(markInterrupted(project.db)).toBe(2);
    expect(getJob(project.db, imp.id).message).toMatch(/Retry import/);
    expect(getJob(project.db, imp.id).message).not.toMatch(/resume/);
    expect(getJob(project.db, train.id).message).toMatch(/resume it/);

    const dir = project.dir;
    project.close();
    const { workbench, handlers } = compose({ shell: 'cli', roots: [path.dirname(dir)], settingsDir: tmp.make(), demoDir: null });
    await workbench.open(dir);
    try {
      const err = await Promise.resolve()
        .then(() => handlers['models/resume']({ jobId: imp.id }))
        .then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/Retry import/) });
    } finally {
      await workbench.close();
      project = Project.open(dir);
    }
  });
});
