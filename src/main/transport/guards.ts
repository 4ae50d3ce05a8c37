/**
 * Who may talk to the browser-mode server. The token proves the caller was given the printed
 * URL; these checks keep other web pages from riding on a browser that has the cookie. A page
 * on another port of 127.0.0.1 is the same *site* as ours (cookies and SameSite ignore ports),
 * so only the Origin header and Fetch Metadata tell it apart.
 */
import crypto from 'node:crypto';
import type http from 'node:http';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host);
}

/** Port-specific, so two servers on one machine (or a stale cookie of an earlier launch on another port) never clash. */
export function tokenCookie(port: number): string {
  return `auw_token_${port}`;
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

export function readCookie(req: http.IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decode(v.join('='));
  }
  return null;
}

/**
 * Every token the request carries, the freshest first: a Bearer header, then the ?token= of
 * the printed URL (so it wins over a stale cookie from an earlier launch), then the cookie.
 */
export function presentedTokens(req: http.IncomingMessage, url: URL, port: number): string[] {
  const out: string[] = [];
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) out.push(auth.slice(7));
  const query = url.searchParams.get('token');
  if (query !== null) out.push(query);
  const cookie = readCookie(req, tokenCookie(port));
  if (cookie !== null) out.push(cookie);
  return out;
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
