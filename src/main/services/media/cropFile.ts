// Per-video cache of aligned face crops: fixed-size records so frame i is one positioned read
// (training samples random clips; a database or per-frame files would cost far more per read).
//
// Layout (little endian):
//   header, 64 bytes: magic "AUCROPS\0" | u16 version | u8 channels | u8 flags (bit0 = complete)
//                     | u16 cropSize | u16 recordHeaderBytes | u32 frameCount | u32 recordSize
//                     | f64 fps | 16 bytes source id | 16 reserved
//   The source id is the first 16 hex digits of the video's content hash (cropSourceId), written
//   at import and checked on open, so a crop file can never pass for another video's. Files from
//   before it was written have zeros there: they are accepted (with a note in the log), since
//   they were written by this project's own imports; an import that resumes one stamps it.
//   record i at 64 + i·recordSize: u8 flag | 3 pad | f32 score | f32 a, b, tx, ty (image→crop
//                     similarity) | cropSize² · channels pixel bytes
import fs from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Similarity } from './align';

/** Where a project keeps a video's crop cache. */
export function cropFileFor(projectDir: string, videoId: number): string {
  return path.join(projectDir, 'media', `video-${videoId}.crops`);
}

/** What a video's crop file carries in its header's source id: 16 hex digits of its content hash. */
export function cropSourceId(contentHash: string): string {
  return contentHash.replace(/^v\d+:/, '').slice(0, 16);
}

export const CROP_MAGIC = 'AUCROPS\0';
export const CROP_VERSION = 1;
export const HEADER_BYTES = 64;
export const RECORD_HEADER_BYTES = 24;

// A plain object rather than a const enum: isolatedModules builds cannot inline const enums across files.
export const CropFlag = { NoFace: 0, Detected: 1, Tracked: 2 } as const;
export type CropFlag = (typeof CropFlag)[keyof typeof CropFlag];

export interface CropFileHeader {
  version: number;
  channels: 1 | 3;
  cropSize: number;
  /** Complete frames: from the header once finished, else from the file size (crash recovery). */
  frameCount: number;
  complete: boolean;
  recordSize: number;
  fps: number;
  sourceId: string;
}

export interface CropRecord {
  index: number;
  flag: CropFlag;
  score: number;
  transform: Similarity;
  /** cropSize² · channels bytes; all zero when flag is NoFace. */
  pixels: Uint8Array;
}

export class CropFileError extends Error {
  override readonly name = 'CropFileError';
  constructor(
    readonly code: 'bad-magic' | 'unsupported-version' | 'bad-header' | 'out-of-range' | 'closed' | 'wrong-source',
    message: string,
  ) {
    super(message);
  }
}

function recordSizeFor(cropSize: number, channels: number): number {
  return RECORD_HEADER_BYTES + cropSize * cropSize * channels;
}

function encodeHeader(h: Omit<CropFileHeader, 'version' | 'recordSize'>): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.write(CROP_MAGIC, 0, 'latin1');
  b.writeUInt16LE(CROP_VERSION, 8);
  b.writeUInt8(h.channels, 10);
  b.writeUInt8(h.complete ? 1 : 0, 11);
  b.writeUInt16LE(h.cropSize, 12);
  b.writeUInt16LE(RECORD_HEADER_BYTES, 14);
  b.writeUInt32LE(h.frameCount, 16);
  b.writeUInt32LE(recordSizeFor(h.cropSize, h.channels), 20);
  b.writeDoubleLE(h.fps, 24);
  b.write(h.sourceId.slice(0, 16), 32, 'latin1');
  return b;
}

function decodeHeader(b: Buffer, fileSize: number, path: string): CropFileHeader {
  if (b.length < HEADER_BYTES || b.toString('latin1', 0, 8) !== CROP_MAGIC)
    throw new CropFileError('bad-magic', `"${path}" is not a face-crop cache (wrong magic). Delete it and run face extraction again.`);
  const version = b.readUInt16LE(8);
  if (version !== CROP_VERSION)
    throw new CropFileError('unsupported-version', `"${path}" is crop cache version ${version}; this app reads version ${CROP_VERSION}. Re-run face extraction.`);
  const channels = b.readUInt8(10);
  const cropSize = b.readUInt16LE(12);
  const recHeader = b.readUInt16LE(14);
  const recordSize = b.readUInt32LE(20);
  if ((channels !== 1 && channels !== 3) || cropSize === 0 || recHeader !== RECORD_HEADER_BYTES || recordSize !== recordSizeFor(cropSize, channels))
    throw new CropFileError('bad-header', `"${path}" has an inconsistent crop cache header. Delete it and run face extraction again.`);
  const complete = (b.readUInt8(11) & 1) === 1;
  const onDisk = Math.floor(Math.max(0, fileSize - HEADER_BYTES) / recordSize);
  const declared = b.readUInt32LE(16);
  return {
    version,
    channels,
    cropSize,
    // A finished file whose tail went missing must not promise records it lacks.
    frameCount: complete ? Math.min(declared, onDisk) : onDisk,
    complete: complete && declared <= onDisk,
    recordSize,
    fps: b.readDoubleLE(24),
    sourceId: b.toString('latin1', 32, 48).replace(/\0+$/, ''),
  };
}

let notedUnstamped = false;

/** Refuses a header that names another source; one with none (written before source ids) passes, with one note a process. */
function checkSource(h: CropFileHeader, sourceId: string | undefined, file: string): void {
  if (sourceId === undefined) return;
  if (h.sourceId === '') {
    if (!notedUnstamped) console.warn(`[crops] ${file} (and maybe others) has no source id: written before they were recorded, it is accepted as this project's own; nothing needs doing.`);
    notedUnstamped = true;
    return;
  }
  if (h.sourceId !== sourceId) {
    throw new CropFileError('wrong-source', `"${file}" holds the face crops of another video (source ${h.sourceId}, expected ${sourceId}). Retry import rebuilds this video's crops.`);
  }
}

/** The header of a crop file, read synchronously (a project's open checks every video's). */
export function inspectCropFile(file: string, sourceId?: string): CropFileHeader {
  const fd = fs.openSync(file, 'r');
  try {
    const hb = Buffer.alloc(HEADER_BYTES);
    const n = fs.readSync(fd, hb, 0, HEADER_BYTES, 0);
    const h = decodeHeader(hb.subarray(0, n), fs.fstatSync(fd).size, file);
    checkSource(h, sourceId, file);
    return h;
  } finally {
    fs.closeSync(fd);
  }
}

export interface CropFileCreateOptions {
  cropSize: number;
  channels: 1 | 3;
  fps: number;
  sourceId?: string;
}

export interface CropAppend {
  flag: CropFlag;
  pixels?: Uint8Array;
  score?: number;
  transform?: Similarity;
}

/** Appends records in frame order; buffers writes and fsyncs on checkpoint/finish. */
export class CropFileWriter {
  private buf: Buffer;
  private used = 0;
  private written: number;
  private closed = false;

  private constructor(
    private readonly fh: FileHandle,
    private readonly header: Omit<CropFileHeader, 'version' | 'recordSize' | 'frameCount' | 'complete'>,
    startCount: number,
    readonly path: string,
  ) {
    this.written = startCount;
    const rs = recordSizeFor(header.cropSize, header.channels);
    this.buf = Buffer.alloc(rs * Math.max(1, Math.floor((1 << 20) / rs)));
  }

  static async create(path: string, o: CropFileCreateOptions): Promise<CropFileWriter> {
    if (!Number.isInteger(o.cropSize) || o.cropSize < 1 || o.cropSize > 4096) throw new RangeError(`bad crop size ${o.cropSize}`);
    const fh = await open(path, 'w+');
    const h = { channels: o.channels, cropSize: o.cropSize, fps: o.fps, sourceId: o.sourceId ?? '' };
    await fh.write(encodeHeader({ ...h, frameCount: 0, complete: false }), 0, HEADER_BYTES, 0);
    return new CropFileWriter(fh, h, 0, path);
  }

  /**
   * Reopens an interrupted (or finished) store to append after its last complete record, or
   * after record `limit` when fewer than that are known good (the frame rows the database got).
   */
  static async resume(path: string, limit = Number.POSITIVE_INFINITY, sourceId?: string): Promise<CropFileWriter> {
    const fh = await open(path, 'r+');
    try {
      const hb = Buffer.alloc(HEADER_BYTES);
      await fh.read(hb, 0, HEADER_BYTES, 0);
      const h = decodeHeader(hb, (await fh.stat()).size, path);
      checkSource(h, sourceId, path);
      const keep = Math.max(0, Math.min(h.frameCount, Math.floor(limit)));
      // Drop a half-written tail record so the next append lands on a record boundary.
      await fh.truncate(HEADER_BYTES + keep * h.recordSize);
      // A file from before source ids gets this video's at its next checkpoint.
      return new CropFileWriter(fh, { channels: h.channels, cropSize: h.cropSize, fps: h.fps, sourceId: h.sourceId || (sourceId ?? '') }, keep, path);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  get cropSize(): number {
    return this.header.cropSize;
  }

  get channels(): 1 | 3 {
    return this.header.channels;
  }

  get framesWritten(): number {
    return this.written + this.used / this.recordSize;
  }

  private get recordSize(): number {
    return recordSizeFor(this.header.cropSize, this.header.channels);
  }

  async append(r: CropAppend): Promise<void> {
    if (this.closed) throw new CropFileError('closed', 'crop file writer is closed');
    const rs = this.recordSize;
    const px = this.header.cropSize * this.header.cropSize * this.header.channels;
    if (r.pixels && r.pixels.length !== px) throw new RangeError(`expected ${px} pixel bytes, got ${r.pixels.length}`);
    if (this.used + rs > this.buf.length) await this.flush();
    const o = this.used;
    this.buf.fill(0, o, o + rs);
    this.buf.writeUInt8(r.flag, o);
    this.buf.writeFloatLE(r.score ?? 0, o + 4);
    const t = r.transform;
    if (t) {
      this.buf.writeFloatLE(t.a, o + 8);
      this.buf.writeFloatLE(t.b, o + 12);
      this.buf.writeFloatLE(t.tx, o + 16);
      this.buf.writeFloatLE(t.ty, o + 20);
    }
    if (r.pixels && r.flag !== CropFlag.NoFace) this.buf.set(r.pixels, o + RECORD_HEADER_BYTES);
    this.used += rs;
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.fh.write(this.buf, 0, this.used, HEADER_BYTES + this.written * this.recordSize);
    this.written += this.used / this.recordSize;
    this.used = 0;
  }

  /** Makes everything appended so far durable, so a crash resumes from here. */
  async checkpoint(): Promise<void> {
    await this.flush();
    await this.fh.write(encodeHeader({ ...this.header, frameCount: this.written, complete: false }), 0, HEADER_BYTES, 0);
    await this.fh.datasync();
  }

  /** Flushes, marks the store complete, fsyncs and closes. */
  async finish(): Promise<number> {
    await this.flush();
    await this.fh.write(encodeHeader({ ...this.header, frameCount: this.written, complete: true }), 0, HEADER_BYTES, 0);
    await this.fh.sync();
    await this.fh.close();
    this.closed = true;
    return this.written;
  }

  /** Closes without marking complete (e.g. on cancel): the data so far stays resumable. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.checkpoint();
    await this.fh.close();
    this.closed = true;
  }
}

export class CropFileReader {
  private closed = false;

  private constructor(
    private readonly fh: FileHandle,
    readonly header: CropFileHeader,
    readonly path: string,
  ) {}

  /** With `sourceId`, a file written for another video is refused (wrong-source). */
  static async open(path: string, sourceId?: string): Promise<CropFileReader> {
    const fh = await open(path, 'r');
    try {
      const hb = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await fh.read(hb, 0, HEADER_BYTES, 0);
      const h = decodeHeader(hb.subarray(0, bytesRead), (await fh.stat()).size, path);
      checkSource(h, sourceId, path);
      return new CropFileReader(fh, h, path);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  get frameCount(): number {
    return this.header.frameCount;
  }

  private parse(buf: Buffer, off: number, index: number): CropRecord {
    const n = this.header.cropSize * this.header.cropSize * this.header.channels;
    return {
      index,
      flag: buf.readUInt8(off) as CropFlag,
      score: buf.readFloatLE(off + 4),
      transform: { a: buf.readFloatLE(off + 8), b: buf.readFloatLE(off + 12), tx: buf.readFloatLE(off + 16), ty: buf.readFloatLE(off + 20) },
      pixels: new Uint8Array(buf.buffer, buf.byteOffset + off + RECORD_HEADER_BYTES, n),
    };
  }

  /** `count` consecutive frames from `start` in one read (a training clip). */
  async readClip(start: number, count: number): Promise<CropRecord[]> {
    if (this.closed) throw new CropFileError('closed', 'crop file reader is closed');
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > this.frameCount)
      throw new CropFileError('out-of-range', `frames ${start}..${start + count - 1} are outside 0..${this.frameCount - 1}`);
    const rs = this.header.recordSize;
    const buf = Buffer.alloc(rs * count);
    await this.fh.read(buf, 0, buf.length, HEADER_BYTES + start * rs);
    return Array.from({ length: count }, (_, k) => this.parse(buf, k * rs, start + k));
  }

  async read(index: number): Promise<CropRecord> {
    return (await this.readClip(index, 1))[0]!;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}
