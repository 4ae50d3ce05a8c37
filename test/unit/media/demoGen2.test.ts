import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateGen2Data, type Gen2Manifest } from '../../../scripts/demo-gen2';
import { displacement, faceModel, GEN2_AUS } from '../../../scripts/demo-gen2/fields';
import { scheduleGen2 } from '../../../scripts/demo-gen2/schedule';
import { groundTruthFileFor, readGroundTruth } from '../../../src/main/services/learn/backend/groundTruth';
import { tempDir } from './helpers';

const a = tempDir('auw-gen2-');
const b = tempDir('auw-gen2-');
let m1: Gen2Manifest;
let m2: Gen2Manifest;
const OPTS = { videos: 2, subjects: 2, seconds: 1.2, seed: 5, width: 320, height: 240, fps: 25, codec: 'mpeg4' as const };

beforeAll(async () => {
  m1 = await generateGen2Data({ ...OPTS, out: a.dir });
  m2 = await generateGen2Data({ ...OPTS, out: b.dir });
}, 180_000);
afterAll(() => {
  a.cleanup();
  b.cleanup();
});

const COLUMNS = ['AU01', 'AU02', 'AU04', 'AU05', 'AU06', 'AU09', 'AU12', 'AU15', 'AU17', 'AU20', 'AU25', 'AU26'];

describe('second demo generator (gen2)', () => {
  it('writes the manifest the readers accept, with AVI videos', () => {
    expect(m1).toMatchObject({ format: 'au-workbench-demo', version: 1, generator: 'gen2', fps: 25, width: 320, height: 240, frameIndexBase: 0, auColumns: COLUMNS, aus: [...GEN2_AUS] });
    expect(m1.videos.map((v) => [v.file, v.groundTruth, v.landmarks, v.subjectId, v.frameCount])).toEqual([
      ['S01_1.avi', 'S01_1.csv', 'S01_1.landmarks.bin', 'S01', 30],
      ['S02_1.avi', 'S02_1.csv', 'S02_1.landmarks.bin', 'S02', 30],
    ]);
    expect(JSON.parse(readFileSync(join(a.dir, 'manifest.json'), 'utf8'))).toEqual(m1);
  });

  it('writes integer 0–5 ground truth per frame that the app finds next to the .avi', () => {
    for (const v of m1.videos) {
      const lines = readFileSync(join(a.dir, v.groundTruth), 'utf8').trim().split('\n');
      expect(lines[0]).toBe(['frame', ...COLUMNS].join(','));
      expect(lines).toHaveLength(v.frameCount + 1);
      lines.slice(1).forEach((l, i) => {
        const cols = l.split(',').map(Number);
        expect(cols[0]).toBe(i);
        for (const c of cols.slice(1)) expect(Number.isInteger(c) && c >= 0 && c <= 5).toBe(true);
      });
      const file = groundTruthFileFor(join(a.dir, v.file));
      expect(file).toBe(join(a.dir, v.groundTruth));
      expect(readGroundTruth(file!).frameCount).toBe(v.frameCount);
      expect(readFileSync(join(a.dir, v.landmarks)).byteLength).toBe(v.frameCount * 136 * 4);
    }
  });

  it('is deterministic for a seed', () => {
    expect(m2.videos.map((v) => v.setting)).toEqual(m1.videos.map((v) => v.setting));
    for (const v of m1.videos) {
      expect(readFileSync(join(b.dir, v.groundTruth), 'utf8')).toBe(readFileSync(join(a.dir, v.groundTruth), 'utf8'));
      expect(readFileSync(join(b.dir, v.landmarks)).equals(readFileSync(join(a.dir, v.landmarks)))).toBe(true);
    }
    const s1 = scheduleGen2(9, 500, 25), s2 = scheduleGen2(9, 500, 25);
    for (const au of GEN2_AUS) expect(s2.truth.get(au)).toEqual(s1.truth.get(au));
  });

  it('moves nothing at intensity 0, and moves the lip corners for AU12', () => {
    const lm = new Float32Array(readFileSync(join(a.dir, m1.videos[0]!.landmarks)).buffer.slice(0, 136 * 4));
    const model = faceModel(lm);
    const zero = Object.fromEntries([...GEN2_AUS, 45].map((au) => [au, 0]));
    for (let u = -2; u <= 2; u += 0.1)
      for (let v = -1.5; v <= 3; v += 0.1) {
        expect(displacement(model, {}, u, v)).toEqual([0, 0]);
        expect(displacement(model, zero, u, v)).toEqual([0, 0]);
      }
    // The image-right lip corner (landmark 54) goes up (−v) and out (+u) when smiling.
    const iod = Math.hypot(lm[2 * 45]! - lm[2 * 36]!, lm[2 * 45 + 1]! - lm[2 * 36 + 1]!);
    expect(iod).toBeGreaterThan(10);
    const corner = [model.mouthU + model.mouthHalfW, model.lipV[model.lipV.length - 1]!] as const;
    const [du, dv] = displacement(model, { 12: 5 }, corner[0], corner[1]);
    expect(du).toBeGreaterThan(0.05);
    expect(dv).toBeLessThan(-0.05);
  });
});
