import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CropFlag, CropFileError, CropFileReader, CropFileWriter, HEADER_BYTES, RECORD_HEADER_BYTES } from '../../../src/main/services/media/cropFile';
import { tempDir } from './helpers';

const { dir, cleanup } = tempDir('auw-crops-');
afterAll(cleanup);

const S = 8;
const px = (i: number) => Uint8Array.from({ length: S * S }, (_, k) => (i * 31 + k) & 255);

async function writeStore(path: string, n: number): Promise<void> {
  const w = await CropFileWriter.create(path, { cropSize: S, channels: 1, fps: 25, sourceId: 'v1:abcdef' });
  for (let i = 0; i < n; i++) {
    if (i % 5 === 3) await w.append({ flag: CropFlag.NoFace });
    else await w.append({ flag: i % 2 ? CropFlag.Tracked : CropFlag.Detected, pixels: px(i), score: 0.5 + i / 1000, transform: { a: 1, b: i, tx: 2, ty: 3 } });
  }
  expect(await w.finish()).toBe(n);
}

describe('crop file', () => {
  it('round-trips records with random access and clip reads', async () => {
    const path = join(dir, 'a.crops');
    await writeStore(path, 300);
    expect(statSync(path).size).toBe(HEADER_BYTES + 300 * (RECORD_HEADER_BYTES + S * S));
    const r = await CropFileReader.open(path);
    expect(r.header).toMatchObject({ version: 1, channels: 1, cropSize: S, frameCount: 300, complete: true, fps: 25, sourceId: 'v1:abcdef' });
    for (const i of [0, 1, 2, 3, 150, 299]) {
      const rec = await r.read(i);
      expect(rec.index).toBe(i);
      if (i % 5 === 3) {
        expect(rec.flag).toBe(CropFlag.NoFace);
        expect(rec.pixels.every((v) => v === 0)).toBe(true);
      } else {
        expect(rec.flag).toBe(i % 2 ? CropFlag.Tracked : CropFlag.Detected);
        expect(Array.from(rec.pixels)).toEqual(Array.from(px(i)));
        expect(rec.score).toBeCloseTo(0.5 + i / 1000, 5);
        expect(rec.transform).toEqual({ a: 1, b: i, tx: 2, ty: 3 });
      }
    }
    const clip = await r.readClip(100, 16);
    expect(clip.map((c) => c.index)).toEqual(Array.from({ length: 16 }, (_, k) => 100 + k));
    expect(Array.from(clip[5]!.pixels)).toEqual(Array.from(px(105)));
    await expect(r.read(300)).rejects.toMatchObject({ code: 'out-of-range' });
    await expect(r.readClip(-1, 2)).rejects.toBeInstanceOf(CropFileError);
    await r.close();
  });

  it('rejects a file that is not a crop file, or of another version', async () => {
    const bad = join(dir, 'bad.crops');
    writeFileSync(bad, Buffer.alloc(200, 1));
    await expect(CropFileReader.open(bad)).rejects.toMatchObject({ code: 'bad-magic' });
    const good = join(dir, 'v.crops');
    await writeStore(good, 3);
    const b = readFileSync(good);
    b.writeUInt16LE(99, 8);
    writeFileSync(bad, b);
    await expect(CropFileReader.open(bad)).rejects.toMatchObject({ code: 'unsupported-version' });
    const c = readFileSync(good);
    c.writeUInt16LE(9, 12); // crop size no longer matches the record size
    writeFileSync(bad, c);
    await expect(CropFileReader.open(bad)).rejects.toMatchObject({ code: 'bad-header' });
    writeFileSync(bad, Buffer.alloc(10));
    await expect(CropFileReader.open(bad)).rejects.toMatchObject({ code: 'bad-magic' });
  });

  it('recovers after a crash: counts whole records, drops the torn tail and resumes', async () => {
    const path = join(dir, 'crash.crops');
    const w = await CropFileWriter.create(path, { cropSize: S, channels: 1, fps: 30 });
    for (let i = 0; i < 10; i++) await w.append({ flag: CropFlag.Detected, pixels: px(i) });
    await w.checkpoint();
    // Simulate a torn write: half a record after the checkpoint, then the process dies.
    const size = statSync(path).size;
    writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.alloc(20, 9)]));
    let r = await CropFileReader.open(path);
    expect(r.header).toMatchObject({ frameCount: 10, complete: false });
    await r.close();
    const w2 = await CropFileWriter.resume(path);
    expect(statSync(path).size).toBe(size);
    expect(w2.framesWritten).toBe(10);
    for (let i = 10; i < 12; i++) await w2.append({ flag: CropFlag.Detected, pixels: px(i) });
    await w2.finish();
    r = await CropFileReader.open(path);
    expect(r.header).toMatchObject({ frameCount: 12, complete: true, fps: 30 });
    expect(Array.from((await r.read(11)).pixels)).toEqual(Array.from(px(11)));
    await r.close();
  });

  it('does not promise records lost from the end of a finished file', async () => {
    const path = join(dir, 'short.crops');
    await writeStore(path, 20);
    truncateSync(path, HEADER_BYTES + 15 * (RECORD_HEADER_BYTES + S * S) + 3);
    const r = await CropFileReader.open(path);
    expect(r.header).toMatchObject({ frameCount: 15, complete: false });
    await r.close();
  });

  it('validates pixel length and RGB crops', async () => {
    const path = join(dir, 'rgb.crops');
    const w = await CropFileWriter.create(path, { cropSize: 4, channels: 3, fps: 25 });
    await expect(w.append({ flag: CropFlag.Detected, pixels: new Uint8Array(16) })).rejects.toThrow(RangeError);
    await w.append({ flag: CropFlag.Detected, pixels: new Uint8Array(48).fill(200) });
    await w.close();
    const r = await CropFileReader.open(path);
    expect(r.header).toMatchObject({ channels: 3, frameCount: 1, complete: false });
    expect((await r.read(0)).pixels).toHaveLength(48);
    await r.close();
  });
});
