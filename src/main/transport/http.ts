import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Handlers } from '../../shared/contract';
import type { ApiErrorShape } from '../../shared/errors';
import type { EventBus } from '../events';
import { dispatch } from '../api/dispatch';

export const TOKEN_COOKIE = 'auw_token';
const MAX_BODY = 8 * 1024 * 1024;

export interface HttpServerOptions {
  handlers: Handlers;
  events: EventBus;
  token: string;
  /** Built renderer (index.html and assets); omitted in transport tests. */
  staticDir?: string;
  host?: string;
  port?: number;
  /** Extra authenticated routes (media streaming, uploads); return false to fall through. */
  routes?: (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<boolean> | boolean;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self' ws: wss:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** decodeURIComponent that returns null on a malformed escape instead of throwing. */
function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** The request target as a URL, or null when it is not one (a bare client can send anything). */
function requestUrl(req: http.IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

function cookie(req: http.IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decode(v.join('='));
  }
  return null;
}

function presentedToken(req: http.IncomingMessage, url: URL): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  return cookie(req, TOKEN_COOKIE) ?? url.searchParams.get('token');
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(JSON.stringify(body));
}

function sendError(res: http.ServerResponse, status: number, error: ApiErrorShape): void {
  sendJson(res, status, { ok: false, error });
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const STATUS: Partial<Record<ApiErrorShape['code'], number>> = {
  invalid_argument: 400,
  unknown_method: 404,
  not_found: 404,
  no_project: 409,
  conflict: 409,
  locked: 423,
  read_only: 409,
  not_a_project: 422,
  newer_version: 422,
  corrupt: 422,
  disk_full: 507,
  forbidden: 403,
  too_large: 413,
  unavailable: 503,
  internal: 500,
};

/**
 * Browser-mode transport: POST /api/<method> for calls, a WebSocket at /events for pushed
 * events, and the built renderer. The per-launch token is checked on every request and socket
 * (header, cookie, or the ?token= of the first page load, which is traded for a cookie).
 */
export function startHttpServer(opts: HttpServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  let port = 0;
  const sockets = new Set<WebSocket>();

  const allowedHost = (req: http.IncomingMessage) => {
    // DNS-rebinding guard: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example.
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') return true;
    const h = req.headers.host ?? '';
    return h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `[::1]:${port}`;
  };
  const authorized = (req: http.IncomingMessage, url: URL) => {
    const t = presentedToken(req, url);
    return t !== null && safeEqual(t, opts.token);
  };

  const server = http.createServer(async (req, res) => {
    const url = requestUrl(req);
    if (!url) return sendError(res, 400, { code: 'invalid_argument', message: 'Bad request target.' });
    if (!allowedHost(req)) return sendError(res, 421, { code: 'unauthorized', message: 'Unexpected Host header.' });
    if (!authorized(req, url)) {
      return sendError(res, 401, {
        code: 'unauthorized',
        message: 'Missing or wrong access token. Open the exact URL that `npm start` printed (it ends in ?token=…).',
      });
    }
    try {
      if (url.pathname.startsWith('/api/')) {
        if (req.method !== 'POST') return sendError(res, 405, { code: 'invalid_argument', message: 'API calls are POST requests.' });
        // JSON-only: a cross-site form cannot send this content type without a CORS preflight we never grant.
        if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
          return sendError(res, 415, { code: 'invalid_argument', message: 'API calls need Content-Type: application/json.' });
        }
        let raw: unknown;
        try {
          const text = await readBody(req);
          raw = text ? JSON.parse(text) : {};
        } catch {
          return sendError(res, 400, { code: 'invalid_argument', message: 'The request body is not valid JSON (or is over 8 MiB).' });
        }
        const envelope = await dispatch(opts.handlers, decode(url.pathname.slice(5)) ?? url.pathname.slice(5), raw);
        return sendJson(res, envelope.ok ? 200 : (STATUS[envelope.error.code] ?? 400), envelope);
      }
      if (opts.routes && (await opts.routes(req, res, url))) return;
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, { code: 'invalid_argument', message: 'Method not allowed.' });
      if (url.searchParams.has('token')) {
        // Trade the URL token for a cookie and drop it from the address bar and history.
        res.writeHead(303, {
          'set-cookie': `${TOKEN_COOKIE}=${encodeURIComponent(opts.token)}; HttpOnly; SameSite=Strict; Path=/`,
          location: url.pathname,
        });
        return res.end();
      }
      return serveStatic(opts.staticDir, url.pathname, res);
    } catch (err) {
      console.error('[http]', err);
      if (!res.headersSent) sendError(res, 500, { code: 'internal', message: 'The server failed to answer; see its log.' });
      else res.end();
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = requestUrl(req);
    if (!url || url.pathname !== '/events' || !allowedHost(req) || !authorized(req, url)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
  });
  const unsubscribe = opts.events.subscribe((message) => {
    const text = JSON.stringify(message);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      port = (server.address() as AddressInfo).port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        port,
        url: `http://${shownHost}:${port}/?token=${opts.token}`,
        close: () =>
          new Promise<void>((done) => {
            unsubscribe();
            for (const ws of sockets) ws.terminate();
            wss.close();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function serveStatic(staticDir: string | undefined, pathname: string, res: http.ServerResponse): void {
  if (!staticDir) return sendError(res, 404, { code: 'not_found', message: 'Not found.' });
  const root = path.resolve(staticDir);
  const decoded = decode(pathname);
  if (decoded === null) return sendError(res, 404, { code: 'not_found', message: 'Not found.' });
  const rel = pathname === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = path.resolve(root, rel);
  if (!file.startsWith(root + path.sep)) return sendError(res, 404, { code: 'not_found', message: 'Not found.' });
  // Client-side routes fall back to the app shell.
  const target = fs.existsSync(file) && fs.statSync(file).isFile() ? file : path.join(root, 'index.html');
  if (!fs.existsSync(target)) {
    return sendError(res, 500, { code: 'internal', message: 'The UI is not built. Run `npm run build`, then start again.' });
  }
  const ext = path.extname(target);
  res.writeHead(200, {
    'content-type': MIME[ext] ?? 'application/octet-stream',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': ext === '.html' ? 'no-store' : 'public, max-age=3600',
    ...(ext === '.html' ? { 'content-security-policy': CSP, 'x-frame-options': 'DENY' } : {}),
  });
  fs.createReadStream(target).pipe(res);
}

export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}
