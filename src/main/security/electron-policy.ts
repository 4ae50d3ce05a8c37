/**
 * The desktop shell's security decisions, kept free of Electron imports so they are type-checked
 * and unit-tested on machines without the Electron binary (this build machine is one). main.ts
 * wires them to Electron's protocol, IPC and shell APIs.
 */
import path from 'node:path';

/** The renderer is served from this origin (a custom protocol, not file://, as Electron's checklist advises). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'bundle';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** The renderer's CSP: no network at all (the API goes over IPC), media only from the auw-media scheme. */
export const ELECTRON_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: auw-media:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The file under `root` that an app:// request names, or null for anything else (another host,
 * a path that climbs out of the bundle, a malformed escape). Unknown paths are the client-side
 * routes of the single-page app, served as index.html.
 */
export function bundleFile(root: string, requestUrl: string, exists: (p: string) => boolean): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
  } catch {
    return null;
  }
  const base = path.resolve(root);
  const file = path.resolve(base, rel || 'index.html');
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  return exists(file) ? file : path.join(base, 'index.html');
}

/** IPC is accepted only from our window's main frame showing our own origin (not an iframe, not a page it navigated to). */
export function trustedSender(frame: { url: string; isMainFrame: boolean } | null): boolean {
  if (!frame || !frame.isMainFrame) return false;
  try {
    return new URL(frame.url).origin === APP_ORIGIN || frame.url.startsWith(`${APP_ORIGIN}/`);
  } catch {
    return false;
  }
}

/**
 * Links the app may hand to the system browser: https only, to these hosts (documentation the
 * UI may link to). Everything else, including every other scheme (file:, smb:, custom
 * handlers that can run programs), is refused.
 */
export const EXTERNAL_HOSTS: readonly string[] = ['github.com', 'www.cs.cmu.edu', 'js.tensorflow.org', 'www.electronjs.org'];

export function externalAllowed(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.username === '' && url.password === '' && EXTERNAL_HOSTS.includes(url.hostname);
}
