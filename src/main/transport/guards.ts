/**
 * Who may talk to the browser-mode server. The per-launch token proves the caller was given the
 * printed URL. It never lives in a cookie: browsers scope cookies by host, not port, so a cookie
 * on 127.0.0.1 is sent to (and can be overwritten by) every other server and page on
 * 127.0.0.1. The page keeps the token in its own sessionStorage (per origin, so per port) and
 * sends it as a header on fetch and as a WebSocket subprotocol; a <video> element, which cannot
 * send headers, gets a signed URL for that one video that expires. The Origin and Fetch
 * Metadata checks below stay as a second line.
 */
import crypto from 'node:crypto';
import type http from 'node:http';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host);
}

/**
 * The name cookies of earlier versions used. Nothing reads it any more; the page clears a
 * leftover one so the stale token stops travelling to other local servers.
 */
export function legacyTokenCookie(port: number): string {
  return `auw_token_${port}`;
}

/** The WebSocket subprotocol the page asks for, and the prefix of the one that carries the token (as Kubernetes does for bearer tokens). */
export const WS_PROTOCOL = 'auw';
export const WS_TOKEN_PREFIX = 'auw.token.';

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** The tokens a WebSocket handshake offers as subprotocols (`auw.token.<token>`). */
function protocolTokens(req: http.IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.startsWith(WS_TOKEN_PREFIX))
    .map((p) => p.slice(WS_TOKEN_PREFIX.length));
}

/**
 * Every token the request carries: a Bearer header (fetch, XHR, scripts and tools) or, on the
 * event socket, a subprotocol. Cookies and the query string are not read: a cookie may have been
 * planted by another local page (cookie tossing), and a URL is written to history and logs.
 */
export function presentedTokens(req: http.IncomingMessage): string[] {
  const out: string[] = [];
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) out.push(auth.slice(7));
  out.push(...protocolTokens(req));
  return out;
}

/**
 * Signed URLs for media that an element loads by itself (<video src>): valid for one path, until
 * an expiry, under a key derived from this launch's token, so they die with the launch. The URL
 * carries no token, so leaking one (a copied link, a screenshot of devtools) exposes one video
 * for two hours at most, not the session.
 */
export interface MediaSigner {
  sign(pathname: string, now?: number): string;
  verify(url: URL, now?: number): boolean;
}

/** The Label view renews its URL every 30 minutes while paused. */
export const MEDIA_URL_TTL_MS = 2 * 3600_000;

export function mediaSigner(token: string, ttlMs = MEDIA_URL_TTL_MS): MediaSigner {
  const key = crypto.createHmac('sha256', token).update('auw media urls v1').digest();
  const mac = (pathname: string, exp: string) => crypto.createHmac('sha256', key).update(`${pathname}\n${exp}`).digest('base64url');
  return {
    sign: (pathname, now = Date.now()) => {
      const exp = String(Math.floor((now + ttlMs) / 1000));
      return `${pathname}?exp=${exp}&sig=${mac(pathname, exp)}`;
    },
    verify: (url, now = Date.now()) => {
      const exp = url.searchParams.get('exp');
      const sig = url.searchParams.get('sig');
      if (!exp || !sig || !/^\d{1,12}$/.test(exp) || Number(exp) * 1000 < now) return false;
      return safeEqual(sig, mac(url.pathname, exp));
    },
  };
}

/** Host header shape: a name or address and a port, nothing that could break out of a header we build from it. */
const HOST_SHAPE = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;

/**
 * DNS-rebinding guard: a page on evil.example that resolves to 127.0.0.1 sends
 * Host: evil.example. On loopback only our own names are accepted; on another --host any
 * well-formed Host (the user chose to listen there).
 */
export function allowedHost(req: http.IncomingMessage, bindHost: string, port: number): boolean {
  const h = req.headers.host ?? '';
  if (!HOST_SHAPE.test(h)) return false;
  if (!isLoopback(bindHost)) return true;
  return h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `[::1]:${port}`;
}

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Same-origin check for a request that a browser may have sent on another page's behalf.
 * Browsers send Origin on every WebSocket handshake and every POST; it must be exactly this
 * server (scheme, host and port). Fetch Metadata (Sec-Fetch-Site), where the browser sends
 * it, must say same-origin, or "none" for a person opening the printed URL; a cross-site
 * top-level navigation may load the page (GET), nothing else. Clients that are not browsers
 * send neither header and are judged by the token alone.
 */
export function checkOrigin(req: http.IncomingMessage, opts: { navigation: boolean }): OriginVerdict {
  const origin = req.headers.origin;
  const host = req.headers.host ?? '';
  if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`) {
    return { ok: false, reason: `requests from ${origin.slice(0, 100)} are not accepted` };
  }
  const site = req.headers['sec-fetch-site'];
  if (site === undefined || site === 'same-origin' || site === 'none') return { ok: true };
  const mode = req.headers['sec-fetch-mode'];
  const dest = req.headers['sec-fetch-dest'];
  if (opts.navigation && req.method === 'GET' && mode === 'navigate' && (dest === 'document' || dest === undefined)) return { ok: true };
  return { ok: false, reason: `a ${String(site)} request from another page is not accepted` };
}

/** The page's CSP: scripts, styles and connections to this server only (its exact WebSocket origin included). */
export function contentSecurityPolicy(host: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    `connect-src 'self' ws://${host}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}
