/**
 * OpenFace in, through the real handlers: this project's own OpenFace export and a full
 * FeatureExtraction-style file are read back as a track; a CSV for another video (frame count,
 * fps) and malformed files are refused with a message that says what to do, and leave the
 * project as it was. The comparison scores OpenFace and a model on the same labelled frames.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFaceCsv } from '../../../src/main/services/export/openface';
import { parseOpenFaceFile } from '../../../src/main/services/openface/parse';
import { insertModel } from '../../../src/main/services/store/models';
import { putPredictions } from '../../../src/main/services/store/predictions';
import { setVideoStatus } from '../../../src/main/services/store/videos';
import { makeApp, type TestApp } from '../../helpers/app';
import { addFrames, addVideo } from '../../helpers/project';
import { tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-openface-');
const AUS = [1, 2, 12];
const FRAMES = 50;
let t: TestApp;
let root: string;
let videoId: number;

beforeEach(async () => {
  root = tmp.make();
  t = await makeApp(root, AUS);
  const db = t.app.workbench.requireProject().db;
  videoId = addVideo(db, { frameCount: FRAMES, fps: 25, path: path.join(root, 'clip.mp4') });
  addFrames(db, videoId, FRAMES);
  setVideoStatus(db, videoId, 'ready');
});
afterEach(async () => {
  await t.app.workbench.close();
  tmp.cleanup();
});

/** OpenFace's intensity for frame f (0-based) and AU; frames 10–12 have no face. */
const value = (au: number, f: number) => Math.round((2.5 + 2.5 * Math.sin(f / 5 + au)) * 100) / 100;
const noFace = (f: number) => f >= 10 && f < 13;

/** The project's own export format (frame, face_id, timestamp, confidence, success, AUxx_r with ", "). */
function ownExport(frames = FRAMES, fps = 25, aus = AUS): string {
  const values: Record<number, (number | null)[]> = {};
  for (const au of aus) values[au] = Array.from({ length: frames }, (_, f) => (noFace(f) ? null : value(au, f)));
  const face = Uint8Array.from({ length: frames }, (_, f) => (noFace(f) ? 0 : 1));
  return openFaceCsv({ modelId: 0, videoId: 0, aus, frameCount: frames, values }, fps, { face, score: new Float32Array(frames).fill(0.95) });
}

/** A FeatureExtraction-like file: more columns than we read (gaze, pose, AU presence, AU45). */
function fullOpenFace(frames = FRAMES, fps = 25): string {
  const head = ['frame', 'face_id', 'timestamp', 'confidence', 'success', 'gaze_0_x', 'pose_Tx', 'AU01_r', 'AU02_r', 'AU04_r', 'AU12_r', 'AU45_r', 'AU01_c', 'AU12_c'];
  const rows = Array.from({ length: frames }, (_, f) => {
    const ok = noFace(f) ? 0 : 1;
    const v = (au: number) => (ok ? value(au, f).toFixed(2) : '0.00');
    return [f + 1, 0, (f / fps).toFixed(3), ok ? '0.98' : '0.00', ok, '0.1', '-12.5', v(1), v(2), v(4), v(12), '1.50', '1', '0'].join(', ');
  });
  return `${head.join(', ')}\n${rows.join('\n')}\n`;
}

function write(name: string, text: string | Buffer): string {
  const file = path.join(root, name);
  fs.writeFileSync(file, text);
  return file;
}

async function refused(file: string, pattern: RegExp, replace = false) {
  const error = await t.fails('openface/import', { videoId, path: file, replace });
  expect(error.code).toMatch(/invalid_argument|not_found|conflict/);
  expect(error.message).toMatch(pattern);
  return error;
}

describe('importing an OpenFace CSV', () => {
  it("reads this project's own export back as the video's track (success 0 → no value)", async () => {
    const r = await t.call('openface/import', { videoId, path: write('own.csv', ownExport()) });
    expect(r).toMatchObject({ videoId, aus: AUS, frameCount: FRAMES, faces: FRAMES - 3, ignoredAus: [], replaced: false });
    expect(r.fps).toBeCloseTo(25, 2);
    const track = (await t.call('openface/get', { videoId }))!;
    for (const au of AUS) {
      for (let f = 0; f < FRAMES; f++) {
        const v = track.values[au]![f]!;
        if (noFace(f)) expect(v).toBeNull();
        else expect(v).toBeCloseTo(value(au, f), 5);
      }
    }
    expect(await t.call('openface/list', {})).toHaveLength(1);
  });

  it("takes FeatureExtraction's columns by name, trimming spaces, and leaves out AUs the project does not code", async () => {
    const r = await t.call('openface/import', { videoId, path: write('full.csv', fullOpenFace()) });
    expect(r.aus).toEqual([1, 2, 12]);
    expect(r.ignoredAus).toEqual([4, 45]);
    expect((await t.call('openface/get', { videoId }))!.values[12]![20]).toBeCloseTo(value(12, 20), 5);
  });

  it('refuses a CSV made from another video: frame count or frame rate differ; nothing is imported', async () => {
    await refused(write('longer.csv', ownExport(FRAMES + 25)), /has 75 frames, but clip\.mp4 has 50: it is not this video's OpenFace output .* Nothing was imported\./);
    await refused(write('30fps.csv', ownExport(FRAMES, 30)), /runs at 30\.00 fps \(by its timestamps\), but clip\.mp4 plays at 25\.00 fps.* Nothing was imported\./);
    const still = ownExport().replace(/^(\d+), 0, [\d.]+,/gm, '$1, 0, 0.000,');
    await refused(write('still.csv', still), /timestamps do not advance/);
    expect(await t.call('openface/list', {})).toEqual([]);
  });

  it('refuses malformed files with the row and column at fault, and changes nothing', async () => {
    const good = ownExport();
    const lines = good.trim().split('\n');
    const withLine = (i: number, line: string) => [...lines.slice(0, i), line, ...lines.slice(i + 1)].join('\n');
    await refused(write('bad-value.csv', withLine(4, '4, 0, 0.120, 0.95, 1, 0.50, high, 1.00')), /row 5: AU02_r "high" is not an intensity 0–5/);
    await refused(write('range.csv', withLine(4, '4, 0, 0.120, 0.95, 1, 0.50, 7.5, 1.00')), /row 5: AU02_r "7\.5" is not an intensity 0–5/);
    await refused(write('hex.csv', withLine(4, '0x4, 0, 0.120, 0.95, 1, 0.50, 1, 1.00')), /row 5: frame "0x4" is not a frame number/);
    await refused(write('ragged.csv', withLine(4, '4, 0, 0.120, 0.95, 1, 0.50')), /is not valid CSV.*expect 8, got 6 on line 5/);
    await refused(write('no-success.csv', good.replace('success, ', 'ok, ')), /not an OpenFace FeatureExtraction CSV: its header \(row 1\) lacks success/);
    await refused(write('no-aus.csv', 'frame, face_id, timestamp, confidence, success\n1, 0, 0, 1, 1\n'), /no AU intensity columns \(AU01_r/);
    await refused(write('dup.csv', withLine(4, lines[3]!)), /frame 3 appears twice or out of order/);
    await refused(write('gap.csv', [...lines.slice(0, 4), ...lines.slice(5)].join('\n')), /frame 4 is missing/);
    await refused(write('two-faces.csv', withLine(4, lines[4]!.replace(/^(\d+), 0,/, '$1, 1,'))), /holds 2 faces \(face_id 0, 1\)/);
    await refused(write('empty.csv', ''), /is empty/);
    await refused(write('header-only.csv', `${lines[0]}\n`), /has a header but no rows/);
    await refused(write('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(good, 'utf16le')])), /is UTF-16 text/);
    await refused(write('latin1.csv', Buffer.from(`${lines[0]}\n# caf\xe9\n`, 'latin1')), /is not UTF-8/);
    await refused(write('other-aus.csv', 'frame, face_id, timestamp, confidence, success, AU45_r\n1, 0, 0, 1, 1, 1\n2, 0, 0.04, 1, 1, 1\n'), /none of which is in this project's AU set/);
    await refused(path.join(root, 'nothing.csv'), /There is no file at/);
    await refused(root, /is a folder/);
    expect((await t.fails('openface/import', { videoId: 999, path: write('ok.csv', good) })).code).toBe('not_found');
    expect(await t.call('openface/list', {})).toEqual([]);
  });

  it('refuses a file with one huge line with a clear error, not a 500 (issue 24 §15)', async () => {
    // A 3 MB line (the real case was 700 MB, under the 1 GiB file cap) is over the 1 MiB row cap.
    const huge = write('one-line.csv', `${ownExport().split('\n')[0]}\n1, 0, 0.000, 0.9, 1, ${'1.00, '.repeat(500_000)}1.00\n`);
    await refused(huge, /row 2 is longer than 1 MiB, far more than an OpenFace row.*Nothing was imported/);
    // With no line break at all, the header itself is the long row.
    await refused(write('no-breaks.csv', 'frame, face_id, '.repeat(200_000)), /row 1 is longer than 1 MiB/);
    expect(await t.call('openface/list', {})).toEqual([]);
  });

  it('names UTF-16 without a byte-order mark as UTF-16, not as a file without an OpenFace header', async () => {
    await refused(write('wide.csv', Buffer.from(ownExport(), 'utf16le')), /is UTF-16 text; OpenFace writes plain ASCII CSV/);
  });

  it('caps a row at the length it is given, streaming the rest (the cap on a small scale)', async () => {
    const file = write('wide.csv', ownExport());
    const video = { name: 'clip.mp4', frameCount: FRAMES, fps: 25 };
    await expect(parseOpenFaceFile(file, video, AUS, 'wide.csv', 40)).rejects.toThrow(/wide\.csv: row 1 is longer than 40 characters/);
    expect((await parseOpenFaceFile(file, video, AUS, 'wide.csv', 4096)).frameCount).toBe(FRAMES);
  });

  it('replaces an existing track only when asked, and a refused file leaves the old one', async () => {
    const first = await t.call('openface/import', { videoId, path: write('a.csv', ownExport()) });
    const second = write('b.csv', fullOpenFace());
    await refused(second, /already has an OpenFace track \(from a\.csv.*Import again with "replace"/);
    expect((await t.call('openface/get', { videoId }))!.source).toBe(first.source);
    await refused(write('longer.csv', ownExport(FRAMES + 1)), /has 51 frames/, true);
    expect((await t.call('openface/get', { videoId }))!.source).toBe(first.source);
    const r = await t.call('openface/import', { videoId, path: second, replace: true });
    expect(r.replaced).toBe(true);
    expect((await t.call('openface/get', { videoId }))!.source).toBe(second);
    await t.call('openface/remove', { videoId });
    expect(await t.call('openface/get', { videoId })).toBeNull();
    expect((await t.fails('openface/remove', { videoId })).message).toMatch(/has no OpenFace track to remove/);
  });

  it('is refused outside the folders the UI may use', async () => {
    const error = await t.fails('openface/import', { videoId, path: '/etc/passwd' });
    expect(error.message).toMatch(/outside the folders AU Workbench may use/);
  });
});

describe('OpenFace beside a model, on your labels', () => {
  it('scores both on exactly the frames and AUs that are labelled, OpenFace found and the model predicted', async () => {
    await t.call('openface/import', { videoId, path: write('own.csv', ownExport()) });
    // Labels on frames 0, 5, 10 (no face for OpenFace), 15, 20: the true value is OpenFace's rounded.
    for (const f of [0, 5, 10, 15, 20]) for (const au of AUS) await t.call('labels/set', { videoId, frame: f, au, intensity: Math.round(value(au, f)), annotator: 'alice' });
    const alone = await t.call('openface/compare', {});
    expect(alone.model).toBeNull();
    expect(alone.openface.frames).toBe(4); // frame 10 has no OpenFace value
    expect(alone.openface.perAu.map((m) => m.n)).toEqual([4, 4, 4]);
    const mae1 = [0, 5, 15, 20].reduce((s, f) => s + Math.abs(Math.round(value(1, f)) - value(1, f)), 0) / 4;
    expect(alone.openface.perAu[0]!.mae).toBeCloseTo(mae1, 3);

    // A model that predicted AU01 and AU12 only, with no prediction on frame 20.
    const db = t.app.workbench.requireProject().db;
    const modelId = insertModel(db, { stage: 'finetune', parentId: null, name: 'ft', checkpoint: 'models/ft', params: {}, metrics: null, backend: 'wasm' });
    const data = new Float32Array(2 * FRAMES).map((_, i) => (i % FRAMES === 20 ? Number.NaN : 2));
    putPredictions(db, modelId, videoId, [1, 12], FRAMES, data);
    const both = await t.call('openface/compare', { modelId });
    expect(both.openface.frames).toBe(3);
    expect(both.model!.frames).toBe(3);
    expect(both.openface.perAu.map((m) => m.n)).toEqual([3, 0, 3]);
    expect(both.model!.perAu.map((m) => m.n)).toEqual([3, 0, 3]);
    const truth = [0, 5, 15].map((f) => Math.round(value(1, f)));
    expect(both.model!.perAu[0]!.mae).toBeCloseTo(truth.reduce((s, y) => s + Math.abs(y - 2), 0) / 3, 3);
    expect(both.rule).toEqual({ kind: 'mean' });

    const pre = insertModel(db, { stage: 'pretrain', parentId: null, name: 'pt', checkpoint: 'models/pt', params: {}, metrics: null, backend: 'wasm' });
    expect((await t.fails('openface/compare', { modelId: pre })).message).toMatch(/only pretrained/);
  });

  it('says so when no video has an OpenFace track', async () => {
    expect((await t.fails('openface/compare', {})).message).toMatch(/no OpenFace track for any video of this project yet\. Import its OpenFace CSV first/);
  });
});
