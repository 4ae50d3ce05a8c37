/**
 * Issue 24 §1, §8, §9, with real files, real symbolic links and an injected full disk:
 * - no write path goes through a symbolic link (where a link could be re-pointed into a
 *   project); the real folder is what is checked against "never into a project";
 * - an export (export/run, export/copy) that fails part-way leaves no folder that looks
 *   complete, and an existing destination as it was;
 * - a refused name is refused before any folder is made, and folders made for a write that then
 *   failed are removed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../src/shared/errors';
import { copyExport } from '../../../src/main/services/export/copy';
import { exportLabelsFile } from '../../../src/main/services/export/labelsFile';
import { exportPredictions } from '../../../src/main/services/export/run';
import { checkWriteTarget, makeFolders } from '../../../src/main/services/files/safe-write';
import { Project } from '../../../src/main/services/store/project';
import { setVideoStatus } from '../../../src/main/services/store/videos';
import { addFrames, addVideo } from '../../helpers/project';
import { caught, tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-safewrite-');
let root: string;
let a: Project;
let b: Project;
let modelId: number;

function withModel(p: Project, videoIds: number[], frames: number): number {
  const id = Number(
    p.db.prepare("INSERT INTO models (stage, name, checkpoint, params, created_at) VALUES ('finetune', 'm', 'models/m', '{}', ?)").run(new Date().toISOString()).lastInsertRowid,
  );
  const aus = p.auSet().aus;
  for (const v of videoIds) {
    p.db
      .prepare('INSERT INTO predictions (model_id, video_id, aus, frame_count, data, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, v, JSON.stringify(aus), frames, Buffer.from(new Float32Array(aus.length * frames).fill(1).buffer), new Date().toISOString());
  }
  return id;
}

/** The nth call (1-based) of fs.writeFileSync from now on fails as a full disk does. */
function diskFullAt(n: number) {
  const real = fs.writeFileSync.bind(fs);
  let calls = 0;
  return vi.spyOn(fs, 'writeFileSync').mockImplementation((...args: Parameters<typeof fs.writeFileSync>) => {
    calls += 1;
    if (calls >= n) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return real(...args);
  });
}

const visible = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);

beforeEach(() => {
  root = fs.realpathSync(tmp.make());
  a = Project.create(path.join(root, 'A'), { name: 'A', auSet: { preset: 'disfa' } });
  b = Project.create(path.join(root, 'B'), { name: 'B', auSet: { preset: 'disfa' } });
  const ids = [1, 2, 3].map((n) => {
    const id = addVideo(a.db, { path: `/videos/v${n}.mp4`, frameCount: 20 });
    addFrames(a.db, id, 20);
    setVideoStatus(a.db, id, 'ready');
    return id;
  });
  modelId = withModel(a, ids, 20);
  fs.mkdirSync(path.join(b.dir, 'models', 'pt1'));
  fs.writeFileSync(path.join(b.dir, 'models', 'pt1', 'model.json'), '{"original":true}');
});

afterEach(() => {
  vi.restoreAllMocks();
  a.close();
  b.close();
  tmp.cleanup();
});

describe('§1 no write through a symbolic link', () => {
  it('export/copy with overwrite into a linked folder that leads into another project is refused; the model there is untouched', () => {
    const { relDir } = exportPredictions(a, modelId);
    fs.symlinkSync(path.join(b.dir, 'models'), path.join(root, 'mdir'));
    const err = caught(() => copyExport(a, relDir, path.join(root, 'mdir', 'pt1'), { overwrite: true })) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toMatch(/symbolic link/);
    expect(fs.readFileSync(path.join(b.dir, 'models', 'pt1', 'model.json'), 'utf8')).toBe('{"original":true}');
    expect(fs.readdirSync(path.join(b.dir, 'models', 'pt1'))).toEqual(['model.json']);
  });

  it('labels/export through a linked folder into a project media folder is refused, and so is one to a plain folder', () => {
    fs.symlinkSync(path.join(b.dir, 'media'), path.join(root, 'mlink'));
    const err = caught(() => exportLabelsFile(a, path.join(root, 'mlink', 'x.csv'), { format: 'long', overwrite: true })) as ApiError;
    expect(err.message).toMatch(/symbolic link/);
    expect(fs.readdirSync(path.join(b.dir, 'media'))).toEqual([]);
    // Deeper: the link is a middle part of the path, with folders still to be made after it.
    expect((caught(() => exportLabelsFile(a, path.join(root, 'mlink', 'new', 'x.csv'), { format: 'long', overwrite: false })) as ApiError).message).toMatch(/symbolic link/);
    expect(fs.readdirSync(path.join(b.dir, 'media'))).toEqual([]);
    const plain = tmp.make();
    fs.symlinkSync(plain, path.join(root, 'plain'));
    expect((caught(() => checkWriteTarget(path.join(root, 'plain', 'x.csv'), { extensions: ['.csv'] })) as ApiError).message).toMatch(/symbolic link/);
  });

  it('checks "never into a project" on the real folder: a name spelt without links lands only where it says', () => {
    expect(checkWriteTarget(path.join(root, 'out', 'x.csv'), { extensions: ['.csv'] })).toBe(path.join(root, 'out', 'x.csv'));
    expect((caught(() => checkWriteTarget(path.join(b.dir, 'models', 'pt1', 'model.csv'), { extensions: ['.csv'] })) as ApiError).message).toMatch(/inside the project/);
  });

  it('a project is not created inside another through a linked folder', () => {
    fs.symlinkSync(path.join(b.dir, 'media'), path.join(root, 'plink'));
    const err = caught(() => Project.create(path.join(root, 'plink', 'nested'), { name: 'N', auSet: { preset: 'disfa' } })) as ApiError;
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(/inside the project/);
    expect(fs.readdirSync(path.join(b.dir, 'media'))).toEqual([]);
  });
});

describe('§8 an export that fails part-way leaves nothing that looks complete', () => {
  it('export/run: a full disk at the second file leaves no export folder (not even a hidden one)', () => {
    diskFullAt(2);
    expect(() => exportPredictions(a, modelId)).toThrow(/ENOSPC|full/);
    vi.restoreAllMocks();
    expect(visible(a.path('exports'))).toEqual([]);
    // With space again it works, and leaves only the finished folder.
    const r = exportPredictions(a, modelId);
    expect(visible(a.path('exports'))).toEqual([r.relDir]);
    expect(visible(r.dir).sort()).toEqual(['labels.csv', 'model.json', 'v1.csv', 'v2.csv', 'v3.csv']);
  });

  it('export/copy: a full disk leaves no new target folder, and an existing one as it was', () => {
    const { relDir } = exportPredictions(a, modelId);
    const fresh = path.join(root, 'n1', 'n2', 'copy');
    diskFullAt(3);
    expect(() => copyExport(a, relDir, fresh, { overwrite: false })).toThrow(/ENOSPC|full/);
    vi.restoreAllMocks();
    expect(fs.existsSync(path.join(root, 'n1')), 'the folders made for the copy are removed').toBe(false);
    expect(visible(root).sort()).toEqual(['A', 'B']);

    const existing = path.join(root, 'old');
    fs.mkdirSync(existing);
    fs.writeFileSync(path.join(existing, 'v1.csv'), 'old v1');
    fs.writeFileSync(path.join(existing, 'notes.txt'), 'mine');
    diskFullAt(3);
    expect(() => copyExport(a, relDir, existing, { overwrite: true })).toThrow(/ENOSPC|full/);
    vi.restoreAllMocks();
    expect(visible(existing).sort()).toEqual(['notes.txt', 'v1.csv']);
    expect(fs.readFileSync(path.join(existing, 'v1.csv'), 'utf8')).toBe('old v1');

    expect(copyExport(a, relDir, existing, { overwrite: true })).toBe(existing);
    expect(visible(existing).sort()).toEqual(['labels.csv', 'model.json', 'notes.txt', 'v1.csv', 'v2.csv', 'v3.csv']);
    expect(copyExport(a, relDir, fresh, { overwrite: false })).toBe(fresh);
    expect(visible(fresh)).toHaveLength(5);
  });
});

describe('§9 a refused name makes no folders', () => {
  const long = 'x'.repeat(300);

  it('labels/export and export/copy refuse a name over 255 bytes before creating deep/a/b/c', () => {
    const { relDir } = exportPredictions(a, modelId);
    const e1 = caught(() => exportLabelsFile(a, path.join(root, 'deep', 'a', 'b', 'c', `${long}.csv`), { format: 'long', overwrite: false })) as ApiError;
    expect(e1.code).toBe('invalid_argument');
    expect(e1.message).toMatch(/at most 255/);
    expect(fs.existsSync(path.join(root, 'deep'))).toBe(false);
    const e2 = caught(() => exportLabelsFile(a, path.join(root, 'deep', long, 'c', 'x.csv'), { format: 'long', overwrite: false })) as ApiError;
    expect(e2.message).toMatch(/at most 255/);
    expect(fs.existsSync(path.join(root, 'deep'))).toBe(false);
    const e3 = caught(() => copyExport(a, relDir, path.join(root, 'deep', 'a', 'b', long), { overwrite: false })) as ApiError;
    expect(e3.message).toMatch(/at most 255/);
    expect(fs.existsSync(path.join(root, 'deep'))).toBe(false);
  });

  it('makeFolders undoes exactly the folders it made', () => {
    fs.mkdirSync(path.join(root, 'keep'));
    const made = makeFolders(path.join(root, 'keep', 'x', 'y'));
    expect(fs.statSync(made.real).isDirectory()).toBe(true);
    made.undo();
    expect(fs.existsSync(path.join(root, 'keep', 'x'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'keep'))).toBe(true);
  });

  it('a labels export that fails after making its folders removes them', () => {
    diskFullAt(1);
    expect(() => exportLabelsFile(a, path.join(root, 'made', 'for', 'it', 'x.csv'), { format: 'long', overwrite: false })).toThrow(/ENOSPC/);
    vi.restoreAllMocks();
    expect(fs.existsSync(path.join(root, 'made'))).toBe(false);
  });
});
