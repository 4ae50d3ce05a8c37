import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Handlers } from '../../../src/shared/contract';
import { ApiError, type Envelope } from '../../../src/shared/errors';
import type { ProjectSummary } from '../../../src/shared/types';
import { dispatch } from '../../../src/main/api/dispatch';
import { compose } from '../../../src/main/compose';
import type { Workbench } from '../../../src/main/workbench';
import type { EventBus } from '../../../src/main/events';
import { addVideo } from '../../helpers/project';
import { recordEvents } from '../../helpers/events';
import { tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-dispatch-');
let root: string;
let backend: Workbench;
let handlers: Handlers;
let events: EventBus;

beforeEach(() => {
  root = tmp.make();
  const settingsDir = tmp.make();
  ({ workbench: backend, handlers, events } = compose({ shell: 'browser', roots: [root], settingsDir, demoDir: null }));
});

afterEach(async () => {
  await backend.close();
  vi.restoreAllMocks();
  tmp.cleanup();
});

function failure(envelope: Envelope<unknown>): { code: string; message: string } {
  expect(envelope.ok).toBe(false);
  if (envelope.ok) throw new Error('unreachable');
  return envelope.error;
}

function success<T>(envelope: Envelope<unknown>): T {
  if (!envelope.ok) throw new Error(`expected success, got ${envelope.error.code}: ${envelope.error.message}`);
  return envelope.result as T;
}

describe('dispatch envelopes', () => {
  it('wraps a result', async () => {
    const info = success<{ shell: string; browseRoots: string[] }>(await dispatch(handlers, 'app/info', {}));
    expect(info.shell).toBe('browser');
    expect(info.browseRoots).toEqual([fs.realpathSync(root)]);
  });

  it('turns an undefined result into null', async () => {
    expect(await dispatch(handlers, 'projects/close', {})).toEqual({ ok: true, result: null });
    expect(await dispatch(handlers, 'projects/current', {})).toEqual({ ok: true, result: null });
  });

  it('wraps validation failures', async () => {
    expect(failure(await dispatch(handlers, 'no/such', {})).code).toBe('unknown_method');
    const bad = failure(await dispatch(handlers, 'labels/set', { videoId: 1 }));
    expect(bad.code).toBe('invalid_argument');
    expect(bad.message).toMatch(/frame/);
  });

  it('wraps an ApiError thrown by a handler, keeping its code and message', async () => {
    const e = failure(await dispatch(handlers, 'videos/list', {}));
    expect(e).toEqual({ code: 'no_project', message: 'No project is open. Create or open a project first.' });
    expect(failure(await dispatch(handlers, 'projects/openDemo', {})).code).toBe('unavailable');
  });

  it('wraps unexpected errors as internal, with a readable message, and logs them', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const broken: Handlers = {
      ...handlers,
      'app/info': () => {
        throw new TypeError('cannot read x of undefined');
      },
      'projects/recent': async () => {
        throw 'a bare string';
      },
    };
    const e = failure(await dispatch(broken, 'app/info', {}));
    expect(e.code).toBe('internal');
    expect(e.message).toBe('Something went wrong in app/info: cannot read x of undefined. The details are in the app log.');
    expect(e).not.toHaveProperty('stack');
    expect(failure(await dispatch(broken, 'projects/recent', {})).message).toContain('a bare string');
    expect(log).toHaveBeenCalledTimes(2);
    expect(String(log.mock.calls[0]![0])).toContain('[api] app/info failed');
  });

  it('does not call the handler when validation fails', async () => {
    const called = vi.fn(() => null);
    const spied: Handlers = { ...handlers, 'projects/close': called as unknown as Handlers['projects/close'] };
    failure(await dispatch(spied, 'projects/close', { force: true }));
    expect(called).not.toHaveBeenCalled();
  });
});

describe('handlers behind dispatch', () => {
  async function createProject(): Promise<ProjectSummary> {
    return success<ProjectSummary>(await dispatch(handlers, 'projects/create', { dir: path.join(root, 'study'), name: 'Study' }));
  }

  it('creates a project with the default AU set, remembers it and emits data/changed', async () => {
    const rec = recordEvents(events);
    const summary = await createProject();
    expect(summary).toMatchObject({ name: 'Study', auSet: { name: 'DISFA (12 AUs)', aus: [1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26] }, cropSize: 64 });
    expect(rec.all).toContainEqual({ event: 'data/changed', payload: { domain: 'project' } });
    const recent = success<{ dir: string }[]>(await dispatch(handlers, 'projects/recent', {}));
    expect(recent.map((r) => r.dir)).toEqual([summary.dir]);
    expect(success<ProjectSummary>(await dispatch(handlers, 'projects/current', {})).dir).toBe(summary.dir);
  });

  it('refuses a path outside the roots, and a relative path', async () => {
    const outside = tmp.make();
    const e = failure(await dispatch(handlers, 'projects/create', { dir: path.join(outside, 'p'), name: 'x' }));
    expect(e.code).toBe('invalid_argument');
    expect(e.message).toMatch(/outside the folders AU Workbench may use/);
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(failure(await dispatch(handlers, 'fs/list', { dir: 'relative/dir' })).message).toMatch(/not an absolute path/);
    expect(failure(await dispatch(handlers, 'projects/open', { dir: path.join(root, '..', '..', 'etc') })).code).toBe('invalid_argument');
  });

  it('refuses a symlink that leads out of the roots', async () => {
    const outside = tmp.make();
    fs.symlinkSync(outside, path.join(root, 'sneaky'));
    const e = failure(await dispatch(handlers, 'projects/create', { dir: path.join(root, 'sneaky', 'p'), name: 'x' }));
    expect(e.code).toBe('invalid_argument');
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('lists folders inside the roots and marks projects', async () => {
    const summary = await createProject();
    fs.mkdirSync(path.join(root, 'videos'));
    fs.writeFileSync(path.join(root, 'videos', 'a.mp4'), '');
    fs.writeFileSync(path.join(root, 'notes.txt'), '');
    const listing = success<{ dir: string; parent: string | null; entries: { name: string; isProject: boolean }[] }>(
      await dispatch(handlers, 'fs/list', { dir: root }),
    );
    expect(listing.entries.map((e) => [e.name, e.isProject])).toEqual([
      [path.basename(summary.dir), true],
      ['videos', false],
    ]);
    expect(listing.parent).toBeNull();
    const sub = success<{ parent: string | null; entries: { name: string }[] }>(await dispatch(handlers, 'fs/list', { dir: path.join(root, 'videos') }));
    expect(sub.entries.map((e) => e.name)).toEqual(['a.mp4']);
    expect(sub.parent).toBe(fs.realpathSync(root));
  });

  it('maps label errors to API error codes (intensity 7, AU outside the set, frame past the end, unknown video)', async () => {
    await createProject();
    const videoId = addVideo(backend.requireProject().db, { frameCount: 50 });
    const label = { videoId, frame: 10, au: 12, intensity: 3, annotator: 'ann' };
    const rec = recordEvents(events);

    const ok = success<{ intensity: number }>(await dispatch(handlers, 'labels/set', label));
    expect(ok.intensity).toBe(3);
    expect(rec.all).toContainEqual({ event: 'data/changed', payload: { domain: 'labels', videoId } });

    const seven = failure(await dispatch(handlers, 'labels/set', { ...label, intensity: 7 }));
    expect(seven.code).toBe('invalid_argument');
    expect(seven.message).toContain('intensity: intensity is 0 (absent) to 5 (E)');

    const au = failure(await dispatch(handlers, 'labels/set', { ...label, au: 7 }));
    expect(au).toMatchObject({ code: 'invalid_argument' });
    expect(au.message).toMatch(/AU7 is not in this project's AU set/);

    const past = failure(await dispatch(handlers, 'labels/set', { ...label, frame: 50 }));
    expect(past.code).toBe('invalid_argument');
    expect(past.message).toMatch(/past the end/);

    expect(failure(await dispatch(handlers, 'labels/set', { ...label, videoId: videoId + 100 })).code).toBe('not_found');

    // Only the one good write reached the database.
    const labels = success<unknown[]>(await dispatch(handlers, 'labels/forVideo', { videoId }));
    expect(labels).toHaveLength(1);
    const history = success<unknown[]>(await dispatch(handlers, 'labels/history', { videoId }));
    expect(history).toHaveLength(1);
  });

  it('reports ApiError instances, not plain objects, from the services', () => {
    // Guard for the envelope mapping: codes must survive as ApiError across module boundaries.
    expect(() => backend.requireProject()).toThrow(ApiError);
  });
});
