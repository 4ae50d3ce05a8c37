import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Settings } from '../../../src/main/settings';
import { tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-settings-');
afterEach(() => tmp.cleanup());

function fresh(): { settings: Settings; file: string; dir: string } {
  const dir = tmp.make();
  const file = path.join(dir, 'nested', 'settings.json');
  return { settings: new Settings(file), file, dir };
}

describe('recent projects', () => {
  it('starts empty when there is no settings file, and creates its folder on the first write', () => {
    const { settings, file } = fresh();
    expect(settings.recent()).toEqual([]);
    settings.remember('/p/a', 'A');
    expect(fs.existsSync(file)).toBe(true);
  });

  it('lists the most recently opened first and keeps each folder once', () => {
    const { settings } = fresh();
    settings.remember('/p/a', 'A');
    settings.remember('/p/b', 'B');
    settings.remember('/p/c', 'C');
    const list = settings.remember('/p/a', 'A renamed');
    expect(list.map((r) => [r.dir, r.name])).toEqual([
      ['/p/a', 'A renamed'],
      ['/p/c', 'C'],
      ['/p/b', 'B'],
    ]);
    expect(settings.recent()).toEqual(list);
    expect(list.every((r) => !Number.isNaN(Date.parse(r.openedAt)))).toBe(true);
  });

  it('keeps the twelve most recent', () => {
    const { settings } = fresh();
    for (let i = 0; i < 15; i++) settings.remember(`/p/${i}`, `P${i}`);
    const list = settings.recent();
    expect(list).toHaveLength(12);
    expect(list[0]!.dir).toBe('/p/14');
    expect(list[11]!.dir).toBe('/p/3');
  });

  it('forgets a folder', () => {
    const { settings } = fresh();
    settings.remember('/p/a', 'A');
    settings.remember('/p/b', 'B');
    expect(settings.forget('/p/a').map((r) => r.dir)).toEqual(['/p/b']);
    expect(settings.recent().map((r) => r.dir)).toEqual(['/p/b']);
    expect(settings.forget('/p/none').map((r) => r.dir)).toEqual(['/p/b']);
  });

  it('persists across instances', () => {
    const { settings, file } = fresh();
    settings.remember('/p/a', 'A');
    expect(new Settings(file).recent().map((r) => r.dir)).toEqual(['/p/a']);
  });
});

describe('settings file safety', () => {
  it('writes by replacing the file (write then rename), leaving no temporary file', () => {
    const { settings, file } = fresh();
    settings.remember('/p/a', 'A');
    const before = fs.statSync(file).ino;
    // Anyone holding the old file sees it whole; the new content arrives as a new inode.
    const reader = fs.openSync(file, 'r');
    try {
      settings.remember('/p/b', 'B');
      expect(fs.statSync(file).ino).not.toBe(before);
      const old = JSON.parse(fs.readFileSync(reader, 'utf8')) as { recent: unknown[] };
      expect(old.recent).toHaveLength(1);
    } finally {
      fs.closeSync(reader);
    }
    expect(fs.readdirSync(path.dirname(file))).toEqual(['settings.json']);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).recent).toHaveLength(2);
  });

  it.each([
    ['truncated JSON', '{"recent": [{"dir": "/p/a", "na'],
    ['not JSON at all', '\u0000\u0001binary'],
    ['JSON of the wrong shape', '[1, 2, 3]'],
    ['recent that is not a list', '{"recent": "yes"}'],
    ['an empty file', ''],
  ])('reads a corrupt settings file (%s) as an empty list, and recovers on the next write', (_name, content) => {
    const { settings, file } = fresh();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    expect(settings.recent()).toEqual([]);
    settings.remember('/p/a', 'A');
    expect(settings.recent().map((r) => r.dir)).toEqual(['/p/a']);
  });

  it('drops malformed entries and keeps the good ones', () => {
    const { settings, file } = fresh();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify({ recent: [{ dir: '/p/good', name: 'Good', openedAt: '2024-01-01T00:00:00Z' }, null, { dir: 5, name: 'x' }, { name: 'no dir' }, 'str'] }),
    );
    expect(settings.recent()).toEqual([{ dir: '/p/good', name: 'Good', openedAt: '2024-01-01T00:00:00Z' }]);
  });
});
