/**
 * Issue 11 §3 (writes go only where the user meant), §5 (a failed action never harms the open
 * project) and §7 (clear errors for bad inputs), through the live server.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Project } from '../../src/main/services/store/project';
import { addFrames, addVideo } from '../helpers/project';
import { sha256, tmpDirs } from '../helpers/tmp';
import { api, startLiveServer, type LiveServer } from './server';

const tmp = tmpDirs('auw-faults-io-');
let server: LiveServer;
let root: string;
let dir: string;
let videoId: number;

beforeEach(async () => {
  root = fs.realpathSync(tmp.make());
  dir = path.join(root, 'study');
  const p = Project.create(dir, { name: 'IO study', auSet: { preset: 'disfa' } });
  videoId = addVideo(p.db, { path: path.join(root, '=HYPERLINK("http:__x").mp4'), frameCount: 500 });
  addFrames(p.db, videoId, 500);
  p.db.prepare("UPDATE videos SET status = 'ready' WHERE id = ?").run(videoId);
  p.close();
  server = await startLiveServer({ roots: [root], settingsDir: tmp.make(), args: ['--project', dir] });
});
afterEach(async () => server?.stop());
afterAll(() => tmp.cleanup());

const label = (frame: number, au: number, intensity: number, annotator = 'coder') => api(server, 'labels/set', { videoId, frame, au, intensity, annotator });

describe('writes go only where the user meant', () => {
  it('never writes a labels export over the project database, a non-CSV name, or an existing file unless confirmed', async () => {
    await label(3, 12, 2);
    const db = path.join(dir, 'project.sqlite');
    const before = sha256(db);
    const r = await api(server, 'labels/export', { path: db });
    expect(r.status).toBe(400);
    expect(sha256(db)).toBe(before);
    expect((await api(server, 'labels/export', { path: path.join(dir, 'media', 'x.csv') })).json.error.message).toMatch(/inside the project/);
    expect((await api(server, 'labels/export', { path: path.join(root, 'labels.txt') })).json.error.message).toMatch(/must end in \.csv/);
    const out = path.join(root, 'labels.csv');
    expect((await api(server, 'labels/export', { path: out })).status).toBe(200);
    const again = await api(server, 'labels/export', { path: out });
    expect(again.status).toBe(409);
    expect(again.json.error.message).toMatch(/already exists/);
    expect((await api(server, 'labels/export', { path: out, overwrite: true })).status).toBe(200);
    expect((await api(server, 'labels/export', { path: path.join(dir, 'exports', 'mine.csv') })).status).toBe(200);
    // No temp file left beside it.
    expect(fs.readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('does not follow a symbolic link out of the roots', async () => {
    const outside = fs.realpathSync(tmp.make());
    const link = path.join(root, 'sneaky.csv');
    fs.symlinkSync(path.join(outside, 'planted.csv'), link); // dangling: the target does not exist yet
    const r = await api(server, 'labels/export', { path: link });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(fs.existsSync(path.join(outside, 'planted.csv'))).toBe(false);
    fs.symlinkSync(outside, path.join(root, 'out-dir'));
    const viaDir = await api(server, 'labels/export', { path: path.join(root, 'out-dir', 'x.csv') });
    expect(viaDir.status).toBe(400);
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('never writes through a linked folder into another project, and a refused name leaves no folders (issue 24 §1, §9)', async () => {
    await label(3, 12, 2);
    const other = path.join(root, 'other');
    Project.create(other, { name: 'Other', auSet: { preset: 'disfa' } }).close();
    fs.mkdirSync(path.join(other, 'models', 'pt1'));
    fs.writeFileSync(path.join(other, 'models', 'pt1', 'model.json'), '{"mine":true}');
    fs.symlinkSync(path.join(other, 'models'), path.join(root, 'mdir'));
    fs.symlinkSync(path.join(other, 'media'), path.join(root, 'meddir'));
    const viaLink = await api(server, 'labels/export', { path: path.join(root, 'meddir', 'x.csv'), overwrite: true });
    expect(viaLink.status).toBe(400);
    expect(viaLink.json.error.message).toMatch(/symbolic link/);
    expect(fs.readdirSync(path.join(other, 'media'))).toEqual([]);
    const deep = await api(server, 'labels/export', { path: path.join(root, 'deep', 'a', 'b', 'c', `${'n'.repeat(300)}.csv`) });
    expect(deep.status).toBe(400);
    expect(fs.existsSync(path.join(root, 'deep'))).toBe(false);
    // export/copy through the same kind of link: test/unit/export/safe-write.test.ts (it needs a model's predictions).
    expect(fs.readFileSync(path.join(other, 'models', 'pt1', 'model.json'), 'utf8')).toBe('{"mine":true}');
  });

  it('exports CSV that neutralises spreadsheet formulas and re-imports to the same labels', async () => {
    await label(1, 1, 3, '@annotator');
    // A line break is no part of a name (issue 24 §12); a comma is, and gets quoted.
    expect((await label(2, 4, 5, 'smith, j.\nsecond line')).status).toBe(400);
    await label(2, 4, 5, 'smith, j.');
    await label(3, 12, 0, "'quoted");
    const before = (await api(server, 'labels/forVideo', { videoId })).json.result;
    const out = path.join(root, 'round.csv');
    expect((await api(server, 'labels/export', { path: out })).status).toBe(200);
    const text = fs.readFileSync(out, 'utf8');
    expect(text).toContain(`"'=HYPERLINK(""http:__x"").mp4"`);
    expect(text).toContain("'@annotator");
    expect(text).toContain('"smith, j."');
    for (const l of before) await api(server, 'labels/set', { videoId, frame: l.frame, au: l.au, intensity: null, annotator: l.annotator });
    expect((await api(server, 'labels/forVideo', { videoId })).json.result).toEqual([]);
    const imported = await api(server, 'labels/import', { path: out });
    expect(imported.status).toBe(200);
    const after = (await api(server, 'labels/forVideo', { videoId })).json.result;
    const key = (l: { frame: number; au: number; annotator: string; intensity: number }) => `${l.frame}/${l.au}/${l.annotator}/${l.intensity}`;
    expect(after.map(key).sort()).toEqual(before.map(key).sort());
  });

  it('--root means exactly those folders', async () => {
    const info = (await api(server, 'app/info', {})).json.result;
    expect(info.browseRoots).toEqual([root]);
    expect((await api(server, 'fs/list', { dir: process.cwd() })).status).toBe(400);
  });
});

describe('a failed action never harms the open project', () => {
  it('keeps the open project open when opening or creating another fails', async () => {
    const notProject = path.join(root, 'plain');
    fs.mkdirSync(notProject);
    fs.writeFileSync(path.join(notProject, 'notes.txt'), 'mine');
    for (const [method, args] of [
      ['projects/open', { dir: notProject }],
      ['projects/open', { dir: path.join(root, 'missing') }],
      ['projects/create', { dir: notProject, name: 'X' }],
      ['projects/create', { dir: path.join(dir, 'media', 'nested'), name: 'Nested' }],
      ['projects/open', { dir: '/etc' }],
    ] as const) {
      const r = await api(server, method, args);
      expect(r.status, `${method} ${JSON.stringify(args)}`).toBeGreaterThanOrEqual(400);
      expect((await api(server, 'projects/current', {})).json.result?.dir).toBe(dir);
    }
    expect(fs.readdirSync(notProject)).toEqual(['notes.txt']);
    expect((await label(7, 12, 1)).status).toBe(200);
  });
});

describe('clear errors for bad inputs', () => {
  it('refuses a damaged database page with what to do, without changing the file', async () => {
    for (let f = 0; f < 400; f++) await label(f, 12, f % 6);
    await server.stop();
    const db = path.join(dir, 'project.sqlite');
    const pages = (() => {
      const d = new Database(db);
      d.pragma('wal_checkpoint(TRUNCATE)');
      const n = d.pragma('page_count', { simple: true }) as number;
      d.close();
      return n;
    })();
    const fd = fs.openSync(db, 'r+');
    fs.writeSync(fd, Buffer.alloc(600, 0xa5), 0, 600, (pages - 2) * 4096 + 100);
    fs.closeSync(fd);
    const damaged = sha256(db);
    server = await startLiveServer({ roots: [root], settingsDir: tmp.make() });
    const r = await api(server, 'projects/open', { dir });
    expect(r.status).toBe(422);
    expect(['corrupt', 'not_a_project']).toContain(r.json.error.code);
    expect(r.json.error.message).toMatch(/damaged/);
    expect(r.json.error.message).toMatch(/backup/);
    expect(sha256(db)).toBe(damaged);
  });

  it('says a folder is a folder, a path is too long, and never answers 500 to a typed path', async () => {
    const folder = path.join(root, 'a-folder.csv');
    fs.mkdirSync(folder);
    const asFile = await api(server, 'labels/import', { path: folder });
    expect(asFile.status).toBe(400);
    expect(asFile.json.error.message).toMatch(/is a folder/);
    const long = path.join(root, 'x'.repeat(300));
    const tooLong = await api(server, 'projects/create', { dir: long, name: 'Long' });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error.message).toMatch(/too long/);
    const typed = ['', 'relative/path', '/', root, folder, long, `${long}/labels.csv`, '/dev/null', '/proc/self/status', `${root}/\u00e9\u0301.csv`, `${root}/a\u0000b`];
    for (const p of typed) {
      for (const [method, args] of [
        ['projects/open', { dir: p }],
        ['projects/create', { dir: p, name: 'T' }],
        ['labels/import', { path: p }],
        ['labels/export', { path: p }],
        ['fs/list', { dir: p }],
        ['videos/import', { paths: [p] }],
        ['videos/relink', { videoId, path: p }],
      ] as const) {
        const r = await api(server, method, args);
        expect({ method, p, status: r.status < 500 }).toEqual({ method, p, status: true });
      }
    }
  });

  it('refuses a non-UTF-8 labels file naming the encoding, and decodes UTF-16 with a byte-order mark', async () => {
    const latin1 = path.join(root, 'latin1.csv');
    fs.writeFileSync(latin1, Buffer.from(`video,frame,AU,intensity,annotator\n${videoId},1,AU12,3,Jos\xe9\n`, 'latin1'));
    const r = await api(server, 'labels/import', { path: latin1 });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/not UTF-8/);
    expect(r.json.error.message).toMatch(/Windows-1252/);
    expect((await api(server, 'labels/forVideo', { videoId })).json.result).toEqual([]);
    const utf16 = path.join(root, 'utf16.csv');
    fs.writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`video,frame,AU,intensity,annotator\n${videoId},1,AU12,3,José\n`, 'utf16le')]));
    expect((await api(server, 'labels/import', { path: utf16 })).status).toBe(200);
    expect((await api(server, 'labels/forVideo', { videoId })).json.result).toMatchObject([{ frame: 1, au: 12, intensity: 3, annotator: 'José' }]);
  });

  it('refuses frames and intensities written in hex or exponent form instead of reading them as other numbers', async () => {
    const csv = path.join(root, 'odd-numbers.csv');
    fs.writeFileSync(csv, `video,frame,AU,intensity\n${videoId},0x10,AU12,3\n${videoId},1e2,AU12,3\n${videoId},5,AU12,0x3\n${videoId},6,AU12,3e0\n`);
    const r = await api(server, 'labels/import', { path: csv });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/4 problem/);
    expect(r.json.error.message).toMatch(/row 2: frame "0x10" is not a frame number/);
    expect(r.json.error.message).toMatch(/row 3: frame "1e2"/);
    expect((await api(server, 'labels/forVideo', { videoId })).json.result).toEqual([]);
  });
});
