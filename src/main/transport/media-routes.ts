/**
 * Browser mode's binary routes, behind the same token check as the API: video streaming with
 * Range support for <video>, and uploads for videos dropped onto the page (a browser does not
 * reveal a dropped file's path, so the file is copied into the project).
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ApiError, DISK_FULL_MESSAGE } from '../../shared/errors';
import type { Workbench } from '../workbench';
import { isDiskFull } from '../services/system-errors';
import { sendFile } from './http';
import { VIDEO_EXTENSIONS } from '../services/media/backend/import';
import { playbackFile } from '../services/media/backend/playback';

const TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.avi': 'video/x-msvideo',
};

const CODES: Record<number, string> = { 404: 'not_found', 409: 'no_project', 413: 'too_large', 415: 'invalid_argument', 507: 'disk_full' };

function fail(res: http.ServerResponse, status: number, message: string): true {
  if (res.headersSent) return void res.destroy(), true;
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ ok: false, error: { code: CODES[status] ?? 'invalid_argument', message } }));
  return true;
}

/** Largest upload accepted (a long HD recording fits; AUW_MAX_UPLOAD_BYTES lowers it, e.g. for tests). */
export function maxUploadBytes(): number {
  const env = Number(process.env.AUW_MAX_UPLOAD_BYTES);
  return Number.isSafeInteger(env) && env > 0 ? env : 32 * 1024 ** 3;
}

/** Content types a browser sends for a dropped video (its own guess, or none → octet-stream). */
function uploadType(req: http.IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type.startsWith('video/') || type === 'application/octet-stream';
}

export function mediaRoutes(workbench: Workbench) {
  return async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> => {
    const video = /^\/media\/video\/(\d+)$/.exec(url.pathname);
    if (video && (req.method === 'GET' || req.method === 'HEAD')) return streamVideo(workbench, Number(video[1]), req, res);
    if (url.pathname === '/media/upload' && req.method === 'POST') return upload(workbench, url, req, res);
    const exported = /^\/media\/export\/([\w.-]+)\/([\w.-]+)$/.exec(url.pathname);
    if (exported && req.method === 'GET') return download(workbench, exported[1]!, exported[2]!, res);
    return false;
  };
}

function streamVideo(workbench: Workbench, videoId: number, req: http.IncomingMessage, res: http.ServerResponse): true {
  const project = workbench.project;
  if (!project) return fail(res, 409, 'No project is open.');
  let file: string;
  try {
    file = playbackFile(project, videoId);
  } catch (err) {
    // Missing or unknown: 404; a replaced file (changed): 409; each with what to do.
    return fail(res, err instanceof ApiError && err.code === 'conflict' ? 409 : 404, err instanceof ApiError ? err.message : `There is no video ${videoId}.`);
  }
  if (!fs.existsSync(file)) return fail(res, 404, `The video file ${file} is missing. Relink it.`);
  const size = fs.statSync(file).size;
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  const headers = { 'content-type': type, 'accept-ranges': 'bytes', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
  if (range) {
    const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    const end = range[1] && range[2] ? Math.min(size - 1, Number(range[2])) : size - 1;
    if (start >= size || start > end) {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      res.end();
      return true;
    }
    res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
    if (req.method === 'HEAD') return void res.end(), true;
    sendFile(file, res, { start, end });
    return true;
  }
  res.writeHead(200, { ...headers, 'content-length': size });
  if (req.method === 'HEAD') return void res.end(), true;
  sendFile(file, res);
  return true;
}

/**
 * A dropped video, copied into <project>/media/uploads under a new name: the body streams to a
 * private partial file, which is then hard-linked to its final name (link never replaces a file)
 * so nothing already there is overwritten and no half upload ever carries a video's name.
 */
async function upload(workbench: Workbench, url: URL, req: http.IncomingMessage, res: http.ServerResponse): Promise<true> {
  const project = workbench.project;
  if (!project) return fail(res, 409, 'Open a project before adding videos.');
  if (!uploadType(req)) return fail(res, 415, 'Uploads are video files (Content-Type video/… or application/octet-stream).');
  const name = path.basename(url.searchParams.get('name') ?? '');
  const ext = path.extname(name).toLowerCase();
  if (!name || name.startsWith('.') || !VIDEO_EXTENSIONS.includes(ext)) {
    return fail(res, 400, `"${name.slice(0, 200)}" is not a supported video (${VIDEO_EXTENSIONS.join(', ')}).`);
  }
  const limit = maxUploadBytes();
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) return refuse(res, 413, `${name} is larger than ${(limit / 1024 ** 3).toFixed(1)} GiB, the most one upload may be. Import it from a folder instead.`);
  const dir = project.path('media', 'uploads');
  fs.mkdirSync(dir, { recursive: true });
  if (Number.isFinite(declared) && declared > freeBytes(dir)) return refuse(res, 507, DISK_FULL_MESSAGE);
  const stem = path.basename(name, ext).replace(/[^\w.-]+/g, '_').slice(0, 100) || 'video';
  const partial = path.join(dir, `.${stem}.${process.pid}.${Date.now()}.part`);
  let received = 0;
  const out = fs.createWriteStream(partial, { flags: 'wx' });
  try {
    await pipeline(
      req,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const c of chunks) {
          received += c.length;
          if (received > limit) throw Object.assign(new Error('too large'), { code: 'TOO_LARGE' });
          yield c;
        }
      },
      out,
    );
    let target = path.join(dir, stem + ext);
    for (let n = 2; ; n++) {
      try {
        fs.linkSync(partial, target);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n > 10_000) throw err;
        target = path.join(dir, `${stem}-${n}${ext}`);
      }
    }
    fs.rmSync(partial, { force: true });
    workbench.platform.paths.grant(target);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ ok: true, result: { path: target } }));
    return true;
  } catch (err) {
    // The file may still be opening when the body is refused: remove it once the stream has closed,
    // or it would appear after the removal and stay, half-written.
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    fs.rmSync(partial, { force: true });
    if ((err as { code?: string }).code === 'TOO_LARGE') return refuse(res, 413, `${name} is larger than the upload limit; nothing was kept.`);
    if (isDiskFull(err)) return refuse(res, 507, DISK_FULL_MESSAGE);
    return fail(res, 400, `The upload of ${name} did not complete (${(err as Error).message}). Try again.`);
  }
}

/** Answers, then drops the connection so the rest of a refused body is never read. */
function refuse(res: http.ServerResponse, status: number, message: string): true {
  res.shouldKeepAlive = false;
  res.setHeader('connection', 'close');
  fail(res, status, message);
  res.on('finish', () => res.socket?.destroy());
  return true;
}

function freeBytes(dir: string): number {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Browser mode's "save": export files download with their own names. */
function download(workbench: Workbench, dir: string, name: string, res: http.ServerResponse): true {
  const project = workbench.project;
  if (!project) return fail(res, 409, 'No project is open.');
  const file = project.path('exports', dir, name);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return fail(res, 404, `There is no exported file ${dir}/${name}.`);
  const type = name.endsWith('.json') ? 'application/json' : 'text/csv; charset=utf-8';
  res.writeHead(200, { 'content-type': type, 'content-disposition': `attachment; filename="${name}"`, 'x-content-type-options': 'nosniff' });
  sendFile(file, res);
  return true;
}
