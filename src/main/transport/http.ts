import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Handlers } from '../../shared/contract';
import type { ApiErrorShape } from '../../shared/errors';
import type { EventBus } from '../events';
import { dispatch } from '../api/dispatch';
import { allowedHost, checkOrigin, contentSecurityPolicy, legacyTokenCookie, mediaSigner, presentedTokens, safeEqual, WS_PROTOCOL, type MediaSigner } from './guards';
export const MAX_BODY = 8 * 1024 * 1024;
/** The UI never sends on the event socket; anything bigger than a ping is refused at the frame. */
const MAX_WS_PAYLOAD = 4 * 1024;

export interface HttpServerOptions {
  handlers: Handlers;
  events: EventBus;
  token: string;
  /** Checks the signed URLs of media elements; by default one keyed on `token` (what mediaSigner(token) signs). */
  signer?: MediaSigner;
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

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(JSON.stringify(body));
}

function sendError(res: http.ServerResponse, status: number, error: ApiErrorShape): void {
  sendJson(res, status, { ok: false, error });
}

class BodyTooLarge extends Error {}

/** Reads a JSON body of at most MAX_BODY bytes; a bigger one rejects as soon as it is known to be. */
function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.removeAllListeners('data');
        req.pause();
        reject(new BodyTooLarge());
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** How long a refused request's remaining body is discarded before the socket closes. */
const LINGER_MS = 1000;

/**
 * Answers and closes without storing the rest of the body. The close lingers, as web servers'
 * does: closing a socket with unread data makes the kernel send a reset, which can reach the
 * client before the answer and leave it with EPIPE instead of the status. So what still arrives
 * is discarded (never buffered) for a moment, then the socket goes.
 */
function refuseAndClose(req: http.IncomingMessage, res: http.ServerResponse, status: number, error: ApiErrorShape): void {
  res.shouldKeepAlive = false;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close', 'cache-control': 'no-store' });
  req.resume();
  res.end(JSON.stringify({ ok: false, error }), () => setTimeout(() => res.socket?.destroy(), LINGER_MS).unref());
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
 * events, media routes, and the built renderer. The per-launch token is checked on every API
 * call, media request and socket: a Bearer header, or the socket's `auw.token.<token>`
 * subprotocol, or (for GET of one media file) a signed URL. Cookies are never read, so a
 * cookie planted by another local page cannot lock the user out, and none is ever set, so no
 * token travels to other servers on the same host. The renderer's files hold no data and are
 * served without the token (the page takes the token from the printed URL's ?token=). The
 * Origin of anything a browser could send on another page's behalf is checked too. No input
 * from one client can end the process: every socket and stream has an error handler, and
 * every failure ends only the request or connection it belongs to.
 */
export function startHttpServer(opts: HttpServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  let port = 0;
  const sockets = new Set<WebSocket>();
  const signer = opts.signer ?? mediaSigner(opts.token);

  const authorized = (req: http.IncomingMessage) => presentedTokens(req).some((t) => safeEqual(t, opts.token));
  // A media element cannot send a header: a signed URL authorises reading that one path.
  const signed = (req: http.IncomingMessage, url: URL) => (req.method === 'GET' || req.method === 'HEAD') && url.pathname.startsWith('/media/') && signer.verify(url);

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = requestUrl(req);
    if (!url) return sendError(res, 400, { code: 'invalid_argument', message: 'Bad request target.' });
    if (!allowedHost(req, host, port)) return sendError(res, 421, { code: 'unauthorized', message: 'Unexpected Host header.' });
    const isApi = url.pathname.startsWith('/api/');
    const isStatic = !isApi && !url.pathname.startsWith('/media/');
    const origin = checkOrigin(req, { navigation: isStatic });
    if (!origin.ok) {
      return sendError(res, 403, { code: 'forbidden', message: `Refused: ${origin.reason}. Use AU Workbench from its own page (the URL that \`npm start\` printed).` });
    }
    if (isStatic) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, { code: 'invalid_argument', message: 'Method not allowed.' });
      // The page holds no data; the printed URL's ?token= is for the page's script. A wrong one
      // (a link from an earlier launch) is answered here, where the person can read why.
      const offered = url.searchParams.get('token');
      if (offered !== null && !safeEqual(offered, opts.token)) {
        return sendError(res, 401, {
          code: 'unauthorized',
          message: 'This link carries an access token that is not this server\'s (a link from an earlier launch?). Open the exact URL that `npm start` printed last (it ends in ?token=…).',
        });
      }
      return serveStatic(opts.staticDir, url.pathname, req.headers.host ?? `127.0.0.1:${port}`, res, legacyTokenCookie(port));
    }
    if (!authorized(req) && !signed(req, url)) {
      return sendError(res, 401, {
        code: 'unauthorized',
        message: 'Missing or wrong access token. Open the exact URL that `npm start` printed (it ends in ?token=…).',
      });
    }
    if (isApi) {
      if (req.method !== 'POST') return sendError(res, 405, { code: 'invalid_argument', message: 'API calls are POST requests.' });
      // JSON-only: a cross-site form cannot send this content type without a CORS preflight we never grant.
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return sendError(res, 415, { code: 'invalid_argument', message: 'API calls need Content-Type: application/json.' });
      }
      let raw: unknown;
      try {
        const text = await readBody(req);
        raw = text ? JSON.parse(text) : {};
      } catch (err) {
        if (err instanceof BodyTooLarge) {
          return refuseAndClose(req, res, 413, { code: 'too_large', message: `The request body is over ${MAX_BODY / 1024 / 1024} MiB. Send less at a time.` });
        }
        return sendError(res, 400, { code: 'invalid_argument', message: 'The request body is not valid JSON.' });
      }
      const envelope = await dispatch(opts.handlers, decode(url.pathname.slice(5)) ?? url.pathname.slice(5), raw);
      return sendJson(res, envelope.ok ? 200 : (STATUS[envelope.error.code] ?? 400), envelope);
    }
    if (opts.routes && (await opts.routes(req, res, url))) return;
    return sendError(res, 404, { code: 'not_found', message: 'Not found.' });
  };

  const server = http.createServer((req, res) => {
    // A client that goes away mid-request must cost only its own request.
    req.on('error', () => req.destroy());
    res.on('error', () => res.destroy());
    handle(req, res).catch((err: unknown) => {
      console.error('[http]', err);
      if (!res.headersSent) sendError(res, 500, { code: 'internal', message: 'The server failed to answer; see its log.' });
      else res.destroy();
    });
  });
  // Malformed HTTP (bad request line, oversized headers): answer 400/431 if the socket can still take it.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && err.code !== 'ECONNRESET') {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });

  // The page asks for ['auw', 'auw.token.<token>']; the answer names only 'auw', never the token.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_PAYLOAD, handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false) });
  // Errors of the handshake itself (a socket that died during it) are the client's problem.
  wss.on('error', (err) => console.warn('[ws] server error:', err.message));
  server.on('upgrade', (req: http.IncomingMessage, socket: import('node:net').Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refuse = (status: string) => {
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    const url = requestUrl(req);
    if (!url || url.pathname !== '/events' || !allowedHost(req, host, port)) return refuse('401 Unauthorized');
    if (!checkOrigin(req, { navigation: false }).ok) return refuse('403 Forbidden');
    if (!authorized(req)) return refuse('401 Unauthorized');
    try {
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws);
        // An oversized or malformed frame (bad UTF-8, reserved bits) makes ws emit 'error' and
        // close with 1009/1007; without this listener the error would end the process.
        ws.on('error', (err) => {
          console.warn('[ws] closing a socket:', err.message);
          ws.terminate();
        });
        ws.on('close', () => sockets.delete(ws));
        // The UI only listens; whatever a client sends is ignored.
        ws.on('message', () => undefined);
      });
    } catch (err) {
      console.warn('[ws] upgrade failed:', (err as Error).message);
      refuse('400 Bad Request');
    }
  });
  const unsubscribe = opts.events.subscribe((message) => {
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (err) {
      console.error('[ws] an event could not be encoded:', err);
      return;
    }
    for (const ws of sockets) {
      if (ws.readyState !== ws.OPEN) continue;
      ws.send(text, (err) => {
        if (err) ws.terminate();
      });
    }
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      server.on('error', (err) => console.error('[http] server error:', err));
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

/** Streams a file; a read error (the file vanished) ends this response only. */
export function sendFile(file: string, res: http.ServerResponse, range?: { start: number; end: number }): void {
  pipeline(fs.createReadStream(file, range), res, (err) => {
    if (err && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') console.warn(`[http] streaming ${file} stopped: ${err.message}`);
  });
}

function serveStatic(staticDir: string | undefined, pathname: string, host: string, res: http.ServerResponse, legacyCookie: string): void {
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
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': ext === '.html' ? 'no-store' : 'public, max-age=3600',
    ...(ext === '.html'
      ? {
          'content-security-policy': contentSecurityPolicy(host),
          'x-frame-options': 'DENY',
          // Earlier versions kept the token in this cookie; clear a leftover so it stops travelling to other local servers.
          'set-cookie': `${legacyCookie}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict`,
        }
      : {}),
  });
  sendFile(target, res);
}

export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}
