import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/shared/errors';
import { csvRecords, decodeCsvBytes, exportLong, exportWide, parseLabelsCsv, writeLabels } from '../../../src/main/services/export/labelsCsv';
import { Project } from '../../../src/main/services/store/project';
import { labelsForVideo } from '../../../src/main/services/store/labels';
import { addVideo } from '../../helpers/project';
import { tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-labelscsv-');
let project: Project | null = null;
afterEach(() => {
  project?.close();
  project = null;
  tmp.cleanup();
});

const videos = [
  { id: 1, name: 'S01_1.mp4', frameCount: 100 },
  { id: 2, name: 'S02_1.mp4', frameCount: 50 },
];
const aus = [1, 2, 4, 12];
const base = { videos, annotator: 'me', aus };

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('csvRecords', () => {
  it('handles quotes, escaped quotes and empty fields', () => {
    expect(csvRecords('a,"b,c","d""e",,f')[0]!.fields).toEqual(['a', 'b,c', 'd"e', '', 'f']);
  });

  it('keeps a quoted line break and comma inside their field, numbering each record by the line it starts on', () => {
    expect(csvRecords('a,b\n"x\ny",z\nq,"r,s"\n')).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['x\ny', 'z'], line: 2 },
      { fields: ['q', 'r,s'], line: 4 },
    ]);
  });
});

describe('text encodings (issue 24 §16)', () => {
  const csv = 'video,frame,AU,intensity,annotator\nS01_1.mp4,3,AU01,2,José\n';
  const be = (text: string) => {
    const le = Buffer.from(text, 'utf16le');
    for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
    return le;
  };

  it('reads UTF-16 without a byte-order mark, little- and big-endian, as the labels it holds', () => {
    for (const bytes of [Buffer.from(csv, 'utf16le'), be(csv)]) {
      const text = decodeCsvBytes(bytes);
      expect(text).toBe(csv);
      const r = parseLabelsCsv(text, base);
      expect(r.format).toBe('long');
      expect(r.labels.map(({ row: _r, ...l }) => l)).toEqual([{ videoId: 1, frame: 3, au: 1, intensity: 2, annotator: 'José' }]);
    }
  });

  it('refuses a UTF-8 file with stray NUL bytes, saying to save it as UTF-8', () => {
    expect(problem(() => decodeCsvBytes(Buffer.from('video,frame,AU,intensity\nS01_1.mp4,3,AU01,2\0\n')))).toMatch(/NUL bytes \(row 2\).*CSV UTF-8/);
  });
});

describe('long form', () => {
  it('reads an annotator name holding a comma, refuses one holding a line break, and counts rows by line after it', () => {
    const csv = 'video,frame,AU,intensity,annotator\nS01_1.mp4,3,AU01,2,"Smith, J"\nS01_1.mp4,4,AU01,3,"two\nlines"\nS01_1.mp4,500,AU01,1,x\n';
    const msg = problem(() => parseLabelsCsv(csv, base));
    expect(msg).toMatch(/row 3: the annotator name contains a control character \(U\+000A\)/);
    expect(msg).toMatch(/row 5: frame 500 is past the end/);
    const ok = parseLabelsCsv('video,frame,AU,intensity,annotator\nS01_1.mp4,3,AU01,2,"Smith, J"\n', base);
    expect(ok.labels.map((l) => [l.frame, l.annotator, l.row])).toEqual([[3, 'Smith, J', 2]]);
  });

  it('refuses annotator names with control characters: NUL, BEL, ESC, CR, U+202E (issue 24 §12)', () => {
    const names = ['a\0b', 'bell\x07', 'red\x1b[31m', 'cr\rx', 'evil\u202Etxt.exe', 'c1\u009b2J'];
    const csv = `video,frame,AU,intensity,annotator\n${names.map((n, i) => `S01_1.mp4,${i},AU01,2,"${n}"`).join('\n')}\n`;
    const msg = problem(() => parseLabelsCsv(csv, base));
    expect(msg).toMatch(/6 problem/);
    for (const cp of ['U+0000', 'U+0007', 'U+001B', 'U+000D', 'U+202E', 'U+009B']) expect(msg).toContain(cp);
    expect(parseLabelsCsv('video,frame,AU,intensity,annotator\nS01_1.mp4,3,AU01,2,José Ñúñez-李\n', base).labels[0]!.annotator).toBe('José Ñúñez-李');
  });

  it('reads video by file name, stem or id, AU in several spellings, FACS letters, and the annotator column', () => {
    const csv = 'video,frame,AU,intensity,annotator\nS01_1.mp4,3,AU01,2,ann\nS01_1,4,12,E,\n2,0,au04,0,ann\n';
    const r = parseLabelsCsv(csv, base);
    expect(r.format).toBe('long');
    expect(r.labels.map(({ row: _r, ...l }) => l)).toEqual([
      { videoId: 1, frame: 3, au: 1, intensity: 2, annotator: 'ann' },
      { videoId: 1, frame: 4, au: 12, intensity: 5, annotator: 'me' },
      { videoId: 2, frame: 0, au: 4, intensity: 0, annotator: 'ann' },
    ]);
  });

  it('names every bad row (1 = header) and imports nothing', () => {
    const csv = [
      'video,frame,AU,intensity,annotator',
      'S01_1.mp4,3,AU01,2,a', // row 2 fine
      'nobody.mp4,3,AU01,2,a', // row 3 unknown video
      'S01_1.mp4,100,AU01,2,a', // row 4 past the end
      'S01_1.mp4,5,AU07,2,a', // row 5 AU not in the set
      'S01_1.mp4,6,AU01,7,a', // row 6 intensity out of range
      'S01_1.mp4,x,AU01,1,a', // row 7 bad frame
      'S01_1.mp4,3,AU01,3,a', // row 8 duplicate of row 2
    ].join('\n');
    const msg = problem(() => parseLabelsCsv(csv, base));
    expect(msg).toMatch(/6 problem\(s\), so nothing was imported/);
    expect(msg).toMatch(/row 3: no video "nobody.mp4"/);
    expect(msg).toMatch(/row 4: frame 100 is past the end of S01_1.mp4 \(100 frames/);
    expect(msg).toMatch(/row 5: AU7 is not in this project's AU set/);
    expect(msg).toMatch(/row 6: intensity "7" is not 0–5/);
    expect(msg).toMatch(/row 7: frame "x" is not a frame number/);
    expect(msg).toMatch(/row 8: frame 3 AU1 by a was already given in row 2/);
  });

  it('says which header columns are missing', () => {
    expect(problem(() => parseLabelsCsv('video,frame,intensity\n', { ...base, format: 'long' }))).toMatch(/lacks the column\(s\) AU/);
  });
});

describe('wide form', () => {
  it('reads frame,AU01,… for one video, skipping empty cells and other columns (OpenFace-style spaces trimmed)', () => {
    const csv = 'frame, timestamp, AU01, AU12\n0, 0.00, 1, \n1, 0.04, , 3\n';
    const r = parseLabelsCsv(csv, { ...base, videoId: 2 });
    expect(r.format).toBe('wide');
    expect(r.skippedEmpty).toBe(2);
    expect(r.labels.map((l) => [l.frame, l.au, l.intensity, l.row])).toEqual([
      [0, 1, 1, 2],
      [1, 12, 3, 3],
    ]);
  });

  it('needs a video, and refuses AU columns outside the set', () => {
    expect(problem(() => parseLabelsCsv('frame,AU01\n0,1\n', base))).toMatch(/say which video/);
    expect(problem(() => parseLabelsCsv('frame,AU01,AU09\n0,1,1\n', { ...base, videoId: 1 }))).toMatch(/Row 1: the column\(s\) AU09 are not in this project's AU set/);
    expect(problem(() => parseLabelsCsv('frame,AU01\n0,2.5\n', { ...base, videoId: 1 }))).toMatch(/row 2: AU01: intensity "2.5"/);
  });
});

describe('with a project', () => {
  it('imports in one transaction and exports both forms that read back the same', () => {
    const dir = tmp.make();
    project = Project.create(path.join(dir, 'p'), { name: 'p', auSet: { custom: aus, name: 'four' } });
    const v1 = addVideo(project.db, { path: '/videos/S01_1.mp4', frameCount: 100 });
    const refs = [{ id: v1, name: 'S01_1.mp4', frameCount: 100, fps: 25 }];
    const parsed = parseLabelsCsv('video,frame,AU,intensity,annotator\nS01_1.mp4,3,AU01,2,a\nS01_1.mp4,3,AU12,4,a\nS01_1.mp4,9,AU04,1,b\n', { ...base, videos: refs });
    expect(writeLabels(project.db, parsed.labels)).toBe(3);
    expect(labelsForVideo(project.db, v1)).toHaveLength(3);

    const long = exportLong(project.db, refs);
    expect(long).toBe('video,frame,timestamp,AU,intensity,annotator\nS01_1.mp4,3,0.120,AU01,2,a\nS01_1.mp4,3,0.120,AU12,4,a\nS01_1.mp4,9,0.360,AU04,1,b\n');
    expect(parseLabelsCsv(long, { ...base, videos: refs }).labels.map((l) => [l.frame, l.au, l.intensity, l.annotator])).toEqual([
      [3, 1, 2, 'a'],
      [3, 12, 4, 'a'],
      [9, 4, 1, 'b'],
    ]);
    const wide = exportWide(project.db, refs[0]!, aus);
    expect(wide).toBe('frame,timestamp,AU01,AU02,AU04,AU12\n3,0.120,2,,,4\n9,0.360,,,1,\n');
    const back = parseLabelsCsv(wide, { ...base, videos: refs, videoId: v1, annotator: 'a' });
    expect(back.labels.map((l) => [l.frame, l.au, l.intensity])).toEqual([
      [3, 1, 2],
      [3, 12, 4],
      [9, 4, 1],
    ]);
    fs.writeFileSync(path.join(dir, 'x.csv'), long);
  });

  it('leaves the labels untouched when a write fails half-way', () => {
    project = Project.create(path.join(tmp.make(), 'p'), { name: 'p', auSet: { custom: aus, name: 'four' } });
    const v1 = addVideo(project.db, { frameCount: 100 });
    const good = { videoId: v1, frame: 1, au: 1, intensity: 1, annotator: 'a', row: 2 };
    // Intensity 9 passes no parser, but the database CHECK refuses it: the transaction rolls back.
    expect(() => writeLabels(project!.db, [good, { ...good, frame: 2, intensity: 9, row: 3 }])).toThrow();
    expect(labelsForVideo(project.db, v1)).toHaveLength(0);
  });
});
