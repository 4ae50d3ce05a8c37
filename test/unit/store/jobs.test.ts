import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/shared/errors';
import { getJob, insertJob, listJobs, markInterrupted, nextQueuedJob, updateJob } from '../../../src/main/services/store/jobs';
import { Project } from '../../../src/main/services/store/project';
import { caught, tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-jobstore-');
let project: Project;

beforeEach(() => {
  project = Project.create(path.join(tmp.make(), 'proj'), { name: 'Jobs', auSet: { preset: 'disfa' } });
});

afterEach(() => {
  project.close();
  tmp.cleanup();
});

describe('jobs table', () => {
  it('queues jobs in order and round-trips their params', () => {
    const a = insertJob(project.db, 'ingest', { videoId: 3, options: { fast: true } });
    const b = insertJob(project.db, 'pretrain', {});
    expect(a).toMatchObject({ kind: 'ingest', state: 'queued', progress: 0, params: { videoId: 3, options: { fast: true } }, startedAt: null });
    expect(nextQueuedJob(project.db, ['ingest', 'pretrain'])?.id).toBe(a.id);
    // A lane asks for its own kinds only; `except` finds the kinds no lane has.
    expect(nextQueuedJob(project.db, ['pretrain'])?.id).toBe(b.id);
    expect(nextQueuedJob(project.db, ['predict'])).toBeNull();
    expect(nextQueuedJob(project.db, ['ingest'], { except: true })?.id).toBe(b.id);
    expect(nextQueuedJob(project.db, ['ingest', 'pretrain'], { except: true })).toBeNull();
    expect(listJobs(project.db, 10).map((j) => j.id)).toEqual([b.id, a.id]);
    expect(listJobs(project.db, 1)).toHaveLength(1);
    expect((caught(() => getJob(project.db, 999)) as ApiError).code).toBe('not_found');
  });

  it('stamps start and finish times, clamps progress and appends to the log', () => {
    const job = insertJob(project.db, 'ingest', {});
    const running = updateJob(project.db, job.id, { state: 'running', progress: 1.7, appendLog: 'first' });
    expect(running.progress).toBe(1);
    expect(running.startedAt).not.toBeNull();
    expect(running.finishedAt).toBeNull();
    updateJob(project.db, job.id, { progress: -3, appendLog: 'second' });
    expect(getJob(project.db, job.id).progress).toBe(0);
    const done = updateJob(project.db, job.id, { state: 'done' });
    expect(done.finishedAt).not.toBeNull();
    expect(done.startedAt).toBe(running.startedAt);
    const log = (project.db.prepare('SELECT log FROM jobs WHERE id = ?').get(job.id) as { log: string }).log;
    expect(log).toBe('first\nsecond\n');
  });

  it('reads a row whose params are JSON but not an object as no params, so listing jobs still works', () => {
    const bad = insertJob(project.db, 'pretrain', {});
    const list = insertJob(project.db, 'pretrain', {});
    project.db.prepare('UPDATE jobs SET params = ? WHERE id = ?').run('null', bad.id);
    project.db.prepare('UPDATE jobs SET params = ? WHERE id = ?').run('[1, 2]', list.id);
    expect(listJobs(project.db, 10).map((j) => j.params)).toEqual([{}, {}]);
  });

  it('refuses an unknown state at the SQL level', () => {
    const job = insertJob(project.db, 'ingest', {});
    expect(() => project.db.prepare("UPDATE jobs SET state = 'paused' WHERE id = ?").run(job.id)).toThrow(/CHECK constraint failed/);
  });
});

describe('markInterrupted', () => {
  it('turns only running jobs into interrupted ones, with a message saying how to go on', () => {
    const running = insertJob(project.db, 'pretrain', {});
    updateJob(project.db, running.id, { state: 'running', progress: 0.4 });
    const queued = insertJob(project.db, 'finetune', {});
    const done = insertJob(project.db, 'ingest', {});
    updateJob(project.db, done.id, { state: 'done' });

    expect(markInterrupted(project.db)).toBe(1);
    const after = getJob(project.db, running.id);
    expect(after).toMatchObject({ state: 'interrupted', progress: 0.4 });
    expect(after.message).toMatch(/resume/);
    expect(after.finishedAt).not.toBeNull();
    expect(getJob(project.db, queued.id).state).toBe('queued');
    expect(getJob(project.db, done.id).state).toBe('done');
    expect(markInterrupted(project.db)).toBe(0);
  });

  it('survives a reopen: a job left running by a crash is found interrupted', () => {
    const job = insertJob(project.db, 'pretrain', {});
    updateJob(project.db, job.id, { state: 'running' });
    const dir = project.dir;
    project.close();
    project = Project.open(dir);
    expect(getJob(project.db, job.id).state).toBe('running');
    expect(markInterrupted(project.db)).toBe(1);
    expect(getJob(project.db, job.id).state).toBe('interrupted');
  });
});
