import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventMessage } from '../../../src/shared/contract';
import type { Workbench } from '../../../src/main/workbench';
import { compose } from '../../../src/main/compose';
import { newToken, startHttpServer, type RunningServer } from '../../../src/main/transport/http';
import { legacyTokenCookie as tokenCookie, mediaSigner } from '../../../src/main/transport/guards';
import { call, closeWs, connectWs, nextMessage, request } from '../../helpers/http';
import { tmpDirs } from '../../helpers/tmp';
import type WebSocket from 'ws';

// Every exchange here is local and fast; a hang means a request was never answered.
vi.setConfig({ testTimeout: 15_000 });

const tmp = tmpDirs('auw-http-');
let root: string;
let staticDir: string;
let backend: Workbench;
let server: RunningServer;
let token: string;
let port: number;
const sockets: WebSocket[] = [];

const bearer = () => ({ authorization: `Bearer ${token}` });
/** The cookie earlier versions used: the server no longer reads it, right token or not. */
const cookie = () => ({ cookie: `theme=dark; ${tokenCookie(port)}=${encodeURIComponent(token)}` });
/** How the page authorises its event socket: a subprotocol beside 'auw'. */
const protocols = () => ['auw', `auw.token.${token}`];

beforeEach(async () => {
  root = tmp.make();
  staticDir = tmp.make();
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>AU Workbench</title>');
  fs.mkdirSync(path.join(staticDir, 'assets'));
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  const composed = compose({ shell: 'browser', roots: [root], settingsDir: tmp.make(), demoDir: null });
  backend = composed.workbench;
  token = newToken();
  server = await startHttpServer({ handlers: composed.handlers, events: composed.events, token, staticDir });
  port = server.port;
});

afterEach(async () => {
  for (const ws of sockets.splice(0)) await closeWs(ws);
  await server.close();
  await backend.close();
  tmp.cleanup();
});

async function ws(headers: Record<string, string>, offered: string[] = []): Promise<WebSocket> {
  const r = await connectWs(`ws://127.0.0.1:${port}/events`, headers, offered);
  if (!('ws' in r)) throw new Error(`expected the socket to open, got HTTP ${r.status}`);
  sockets.push(r.ws);
  return r.ws;
}

describe('startHttpServer', () => {
  it('listens on loopback on a free port and prints a URL carrying the token', () => {
    expect(port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${port}/?token=${token}`);
    expect(newToken()).not.toBe(token);
    expect(token.length).toBeGreaterThanOrEqual(32);
  });
});

describe('the token guards everything', () => {
  it('refuses an API call without a token', async () => {
    const r = await call(port, 'app/info', {});
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(r.json.error.message).toMatch(/access token/);
  });

  it("serves the renderer's files (which hold no data) without a token, but not for a wrong ?token=", async () => {
    for (const p of ['/', '/index.html', '/assets/app.js', '/some/route']) {
      const r = await request(port, { path: p });
      expect({ path: p, status: r.status }).toEqual({ path: p, status: 200 });
    }
    const stale = await request(port, { path: '/?token=token-of-an-earlier-launch' });
    expect(stale.status).toBe(401);
    expect(stale.json.error.message).toMatch(/not this server's .*Open the exact URL/);
  });

  it('refuses the WebSocket upgrade without a token or with a wrong one', async () => {
    expect(await connectWs(`ws://127.0.0.1:${port}/events`)).toEqual({ status: 401 });
    expect(await connectWs(`ws://127.0.0.1:${port}/events`, { authorization: 'Bearer nope' })).toEqual({ status: 401 });
    expect(await connectWs(`ws://127.0.0.1:${port}/events?token=nope`)).toEqual({ status: 401 });
    expect(await connectWs(`ws://127.0.0.1:${port}/events`, {}, ['auw', 'auw.token.nope'])).toEqual({ status: 401 });
    // Neither the query string nor a cookie carries the token any more, right or wrong.
    expect(await connectWs(`ws://127.0.0.1:${port}/events?token=${token}`)).toEqual({ status: 401 });
    expect(await connectWs(`ws://127.0.0.1:${port}/events`, cookie())).toEqual({ status: 401 });
    // The right token on the wrong path is no socket either.
    expect(await connectWs(`ws://127.0.0.1:${port}/other`, bearer())).toEqual({ status: 401 });
  });

  it('refuses a wrong token in each place it may be presented', async () => {
    const wrong = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect((await call(port, 'app/info', {}, { authorization: `Bearer ${wrong}` })).status).toBe(401);
    expect((await call(port, 'app/info', {}, { cookie: `${tokenCookie(port)}=${wrong}` })).status).toBe(401);
    expect((await call(port, 'app/info', {}, { authorization: `Bearer ${token}x` })).status).toBe(401);
    expect((await call(port, 'app/info', {}, { authorization: 'Bearer ' })).status).toBe(401);
    expect((await call(port, 'app/info', {}, { authorization: `Basic ${token}` })).status).toBe(401);
    expect((await request(port, { path: `/?token=${wrong}` })).status).toBe(401);
  });

  it('accepts the token as a Bearer header; a cookie or ?token= on the API is not read, even with the right token', async () => {
    const viaHeader = await call(port, 'app/info', {}, bearer());
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.json).toMatchObject({ ok: true, result: { shell: 'browser', browseRoots: [fs.realpathSync(root)] } });
    expect(viaHeader.headers['cache-control']).toBe('no-store');
    expect((await call(port, 'app/info', {}, cookie())).status).toBe(401);
    const viaQuery = await request(port, { method: 'POST', path: `/api/app/info?token=${token}`, headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(viaQuery.status).toBe(401);
  });

  it('serves the printed URL without setting a cookie, and clears the cookie earlier versions set', async () => {
    const r = await request(port, { path: `/?token=${encodeURIComponent(token)}` });
    expect(r.status).toBe(200);
    expect(r.text).toContain('<title>AU Workbench</title>');
    const setCookie = r.headers['set-cookie'] ?? [];
    expect(setCookie).toHaveLength(1);
    expect(setCookie[0]).toMatch(new RegExp(`^${tokenCookie(port)}=;`));
    expect(setCookie[0]).toMatch(/Max-Age=0/);
    expect(setCookie[0]).not.toContain(token);
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    // Assets set no cookie at all.
    expect((await request(port, { path: '/assets/app.js' })).headers['set-cookie']).toBeUndefined();
  });

  it('junk cookies planted for /api and /events by another local page (cookie tossing) change nothing (issue 24 §5)', async () => {
    const junk = { cookie: `${tokenCookie(port)}=junk; ${tokenCookie(port)}=junk2; ${tokenCookie(port)}=${token}` };
    expect((await call(port, 'app/info', {}, { ...junk, ...bearer() })).status).toBe(200);
    const socket = await ws(junk, protocols());
    expect(socket.protocol).toBe('auw');
    expect((await call(port, 'app/info', {}, junk)).status).toBe(401);
  });

  it('lets a media element read one path with a signed, expiring URL, and nothing else with it', async () => {
    const signer = mediaSigner(token);
    const url = signer.sign('/media/video/3');
    expect(url).not.toContain(token);
    // Authorised (no media routes in this server, so the answer is 404, not 401).
    expect((await request(port, { path: url })).status).toBe(404);
    expect((await request(port, { path: url.replace('/video/3', '/video/4') })).status).toBe(401);
    expect((await request(port, { path: signer.sign('/media/video/3', Date.now() - 3 * 3600_000) })).status).toBe(401);
    expect((await request(port, { path: mediaSigner('another launch').sign('/media/video/3') })).status).toBe(401);
    expect((await request(port, { method: 'POST', path: signer.sign('/media/upload'), headers: { 'content-type': 'video/mp4' }, body: 'x' })).status).toBe(401);
    const api = await request(port, { method: 'POST', path: signer.sign('/api/app/info'), headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(api.status).toBe(401);
  });

  it('checks the Host header (DNS rebinding) before anything else', async () => {
    const evil = await call(port, 'app/info', {}, { ...bearer(), host: 'evil.example' });
    expect(evil.status).toBe(421);
    expect(evil.json).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect((await request(port, { path: '/', headers: { host: `evil.example:${port}` } })).status).toBe(421);
    expect((await call(port, 'app/info', {}, { ...bearer(), host: `localhost:${port}` })).status).toBe(200);
    expect((await call(port, 'app/info', {}, { ...bearer(), host: `127.0.0.1:${port + 1}` })).status).toBe(421);
    expect(await connectWs(`ws://127.0.0.1:${port}/events`, { ...bearer(), host: 'evil.example' })).toEqual({ status: 401 });
  });
});

describe('static files', () => {
  it('serves the app shell with a CSP, assets with their type, and client routes as the shell', async () => {
    const page = await request(port, { path: '/', headers: {} });
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    const js = await request(port, { path: '/assets/app.js', headers: {} });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.text).toBe('console.log(1)');
    const route = await request(port, { path: '/project/labels', headers: {} });
    expect(route.status).toBe(200);
    expect(route.text).toContain('<title>AU Workbench</title>');
  });

  it('never serves a file from outside the static folder', async () => {
    const secret = path.join(path.dirname(staticDir), `secret-${path.basename(staticDir)}.txt`);
    fs.writeFileSync(secret, 'TOP SECRET');
    try {
      for (const p of [`/../${path.basename(secret)}`, `/..%2f${path.basename(secret)}`, `/%2e%2e/${path.basename(secret)}`, '/..%2f..%2f..%2fetc%2fpasswd']) {
        const r = await request(port, { path: p, headers: {} });
        expect(r.text).not.toContain('TOP SECRET');
        expect(r.text).not.toMatch(/root:.*:0:0:/);
      }
    } finally {
      fs.rmSync(secret, { force: true });
    }
  });
});

describe('API calls', () => {
  it('needs JSON: another content type is 415', async () => {
    const r = await request(port, { method: 'POST', path: '/api/app/info', headers: { ...bearer(), 'content-type': 'text/plain' }, body: '{}' });
    expect(r.status).toBe(415);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    const form = await request(port, {
      method: 'POST',
      path: '/api/projects/close',
      headers: { ...bearer(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
    const none = await request(port, { method: 'POST', path: '/api/app/info', headers: bearer(), body: '{}' });
    expect(none.status).toBe(415);
  });

  it('answers malformed JSON with 400', async () => {
    const r = await request(port, { method: 'POST', path: '/api/app/info', headers: { ...bearer(), 'content-type': 'application/json' }, body: '{"a":' });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(r.json.error.message).toMatch(/not valid JSON/);
  });

  it('treats an empty body as no arguments', async () => {
    const r = await request(port, { method: 'POST', path: '/api/projects/current', headers: { ...bearer(), 'content-type': 'application/json' } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ ok: true, result: null });
  });

  it('refuses GET on the API', async () => {
    expect((await request(port, { method: 'GET', path: '/api/app/info', headers: bearer() })).status).toBe(405);
  });

  it('answers an unknown method with a 404 envelope', async () => {
    const r = await call(port, 'no/such', {}, bearer());
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ ok: false, error: { code: 'unknown_method', message: 'There is no API method called "no/such".' } });
  });

  it('answers invalid arguments with 400 and a message naming the field', async () => {
    const r = await call(port, 'labels/set', { videoId: 1, frame: 0, au: 12, intensity: 9, annotator: 'a' }, bearer());
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('invalid_argument');
    expect(r.json.error.message).toBe('Bad argument to labels/set: intensity: intensity is 0 (absent) to 5 (E).');
    const extra = await call(port, 'app/info', { sneaky: 1 }, bearer());
    expect(extra.status).toBe(400);
    expect(extra.json.error.message).toContain('unknown field(s) sneaky');
  });

  it('maps service error codes to HTTP statuses', async () => {
    const noProject = await call(port, 'videos/list', {}, bearer());
    expect(noProject.status).toBe(409);
    expect(noProject.json.error.code).toBe('no_project');
    const missing = await call(port, 'projects/open', { dir: path.join(root, 'missing') }, bearer());
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not_found');
  });

  it('survives a malformed percent-encoding in the method name', async () => {
    const r = await request(port, { method: 'POST', path: '/api/%E0%A4%A', headers: { ...bearer(), 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBeLessThan(500);
    expect(r.json.ok).toBe(false);
    expect((await call(port, 'app/info', {}, bearer())).status).toBe(200);
  });

  it('survives a malformed cookie', async () => {
    const r = await call(port, 'app/info', {}, { cookie: `${tokenCookie(port)}=%E0%A4%A` });
    expect(r.status).toBe(401);
    expect(await connectWs(`ws://127.0.0.1:${port}/events`, { cookie: `${tokenCookie(port)}=%E0%A4%A` })).toEqual({ status: 401 });
    expect((await call(port, 'app/info', {}, bearer())).status).toBe(200);
  });

  /** Sends raw bytes and returns what came back before the server closed the connection. */
  function raw(text: string): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
      let data = '';
      socket.on('data', (c: Buffer) => (data += c.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
  }

  it('survives a request target that is not a valid URL, on plain requests and upgrades', async () => {
    expect(await raw(`GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    const upgrade = await raw(
      `GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer ${token}\r\n\r\n`,
    );
    expect(upgrade).toMatch(/^HTTP\/1\.1 401/);
    expect((await call(port, 'app/info', {}, bearer())).status).toBe(200);
  });

  it('answers a malformed escape in a static path with 404', async () => {
    const r = await request(port, { path: '/assets/%E0%A4%A.js', headers: {} });
    expect(r.status).toBe(404);
    expect((await request(port, { path: '/', headers: {} })).status).toBe(200);
  });

  it('round-trips a project: create, list videos, close, open, refuse a path outside the roots', async () => {
    const dir = path.join(root, 'study');
    const created = await call(port, 'projects/create', { dir, name: 'Study' }, bearer());
    expect(created.status).toBe(200);
    expect(created.json.result).toMatchObject({ dir, name: 'Study', auSet: { name: 'DISFA (12 AUs)' } });
    expect(fs.existsSync(path.join(dir, 'project.sqlite'))).toBe(true);

    const videos = await call(port, 'videos/list', {}, bearer());
    expect(videos.json).toEqual({ ok: true, result: [] });

    expect((await call(port, 'projects/close', {}, bearer())).json).toEqual({ ok: true, result: null });
    expect((await call(port, 'projects/current', {}, bearer())).json).toEqual({ ok: true, result: null });
    expect((await call(port, 'videos/list', {}, bearer())).status).toBe(409);

    const opened = await call(port, 'projects/open', { dir }, bearer());
    expect(opened.status).toBe(200);
    expect(opened.json.result).toMatchObject({ name: 'Study', counts: { videos: 0, labels: 0, models: 0 } });
    const recent = await call(port, 'projects/recent', {}, bearer());
    expect(recent.json.result.map((r: { name: string }) => r.name)).toEqual(['Study']);

    const outside = tmp.make();
    const refused = await call(port, 'projects/create', { dir: path.join(outside, 'p'), name: 'Nope' }, bearer());
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toMatch(/outside the folders AU Workbench may use/);
    expect(fs.readdirSync(outside)).toEqual([]);
    // The refused call left the open project alone.
    expect((await call(port, 'projects/current', {}, bearer())).json.result.name).toBe('Study');
    expect((await call(port, 'fs/list', { dir: '/etc' }, bearer())).status).toBe(400);
  });
});

describe('events over the WebSocket', () => {
  it('pushes data/changed to a socket authorised by header or subprotocol, answering only the plain subprotocol', async () => {
    const byHeader = await ws(bearer());
    const byProtocol = await ws({}, protocols());
    expect(byProtocol.protocol).toBe('auw');
    const isProjectChange = (m: EventMessage) => m.event === 'data/changed' && (m.payload as { domain: string }).domain === 'project';
    const received = Promise.all([byHeader, byProtocol].map((s) => nextMessage<EventMessage>(s, isProjectChange)));
    const created = await call(port, 'projects/create', { dir: path.join(root, 'p'), name: 'Evented' }, bearer());
    expect(created.status).toBe(200);
    for (const m of await received) expect(m).toEqual({ event: 'data/changed', payload: { domain: 'project' } });
  });

  it('stops sending to a socket once it closed, and closes its sockets on shutdown', async () => {
    const a = await ws(bearer());
    const b = await ws(bearer());
    await closeWs(a);
    const got = nextMessage<EventMessage>(b);
    await call(port, 'projects/create', { dir: path.join(root, 'q'), name: 'Q' }, bearer());
    expect((await got).event).toBe('data/changed');
    const closed = new Promise<void>((resolve) => b.once('close', () => resolve()));
    await server.close();
    await closed;
    // A request after shutdown finds nobody listening.
    await expect(call(port, 'app/info', {}, bearer())).rejects.toThrow(/ECONNREFUSED/);
    server = { ...server, close: async () => {} };
  });
});
