/**
 * Browser mode's binary routes, behind the same token check as the API: video streaming with
 * Range support for <video>, and uploads for videos dropped onto the page (a browser does not
 * reveal a dropped file's path, so the file is copied into the project).
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Backend } from '../backend';
import { VIDEO_EXTENSIONS } from '../services/media/import';
import { playbackFile } from '../services/media/playback';

const TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.avi': 'video/x-msvideo',
};

function fail(res: http.ServerResponse, status: number, message: string): true {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ok: false, error: { code: status === 404 ? 'not_found' : 'invalid_argument', message } }));
  return true;
}

export function mediaRoutes(backend: Backend) {
  return async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> => {
    const video = /^\/media\/video\/(\d+)$/.exec(url.pathname);
    if (video && (req.method === 'GET' || req.method === 'HEAD')) return streamVideo(backend, Number(video[1]), req, res);
    if (url.pathname === '/media/upload' && req.method === 'POST') return upload(backend, url, req, res);
    const exported = /^\/media\/export\/([\w.-]+)\/([\w.-]+)$/.exec(url.pathname);
    if (exported && req.method === 'GET') return download(backend, exported[1]!, exported[2]!, res);
    return false;
  };
}

function streamVideo(backend: Backend, videoId: number, req: http.IncomingMessage, res: http.ServerResponse): true {
  const project = backend.project;
  if (!project) return fail(res, 409, 'No project is open.');
  let file: string;
  try {
    file = playbackFile(project, videoId);
  } catch {
    return fail(res, 404, `There is no video ${videoId}.`);
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
    fs.createReadStream(file, { start, end }).pipe(res);
    return true;
  }
  res.writeHead(200, { ...headers, 'content-length': size });
  if (req.method === 'HEAD') return void res.end(), true;
  fs.createReadStream(file).pipe(res);
  return true;
}

async function upload(backend: Backend, url: URL, req: http.IncomingMessage, res: http.ServerResponse): Promise<true> {
  const project = backend.project;
  if (!project) return fail(res, 409, 'Open a project before adding videos.');
  const name = path.basename(url.searchParams.get('name') ?? '');
  const ext = path.extname(name).toLowerCase();
  if (!name || name.startsWith('.') || !VIDEO_EXTENSIONS.includes(ext)) {
    return fail(res, 400, `"${name}" is not a supported video (${VIDEO_EXTENSIONS.join(', ')}).`);
  }
  const dir = project.path('media', 'uploads');
  fs.mkdirSync(dir, { recursive: true });
  const stem = path.basename(name, ext).replace(/[^\w.-]+/g, '_').slice(0, 100) || 'video';
  let target = path.join(dir, stem + ext);
  for (let n = 2; fs.existsSync(target); n++) target = path.join(dir, `${stem}-${n}${ext}`);
  const partial = `${target}.part`;
  try {
    await pipeline(req, fs.createWriteStream(partial, { flags: 'wx' }));
    fs.renameSync(partial, target);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    return fail(res, 400, `The upload of ${name} did not complete (${(err as Error).message}). Try again.`);
  }
  backend.platform.paths.grant(target);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ok: true, result: { path: target } }));
  return true;
}

/** Browser mode's "save": export files download with their own names. */
function download(backend: Backend, dir: string, name: string, res: http.ServerResponse): true {
  const project = backend.project;
  if (!project) return fail(res, 409, 'No project is open.');
  const file = project.path('exports', dir, name);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return fail(res, 404, `There is no exported file ${dir}/${name}.`);
  const type = name.endsWith('.json') ? 'application/json' : 'text/csv; charset=utf-8';
  res.writeHead(200, { 'content-type': type, 'content-disposition': `attachment; filename="${name}"`, 'x-content-type-options': 'nosniff' });
  fs.createReadStream(file).pipe(res);
  return true;
}
