/**
 * Issue 11 §4: requests from other local pages are refused. A page on another port of
 * 127.0.0.1 is the same site as the server, so the browser sends it our cookie; the server
 * must tell it apart by Origin / Fetch Metadata, on the WebSocket and on every state-changing
 * request, and the cookie must belong to this server only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectWs, request } from '../helpers/http';
import { tmpDirs } from '../helpers/tmp';
import { api, startLiveServer, type LiveServer } from './server';

const tmp = tmpDirs('auw-faults-xsite-');
let server: LiveServer;
let root: string;
let cookie: string;

beforeEach(async () => {
  root = fs.realpathSync(tmp.make());
  server = await startLiveServer({ roots: [root], settingsDir: tmp.make(), env: { AUW_MAX_UPLOAD_BYTES: '4096' } });
  // Log in as the browser does: the printed URL trades its token for the cookie.
  const login = await request(server.port, { path: `/?token=${server.token}`, headers: { host: `127.0.0.1:${server.port}` } });
  expect(login.status).toBe(303);
  cookie = (login.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  expect((await api(server, 'projects/create', { dir: path.join(root, 'p'), name: 'P' })).status).toBe(200);
});
afterEach(async () => server?.stop());
afterAll(() => tmp.cleanup());

const evil = () => `http://127.0.0.1:${server.port + 1}`;
const own = () => `http://127.0.0.1:${server.port}`;

describe('another local page cannot use the session', () => {
  it('names the cookie after this server, so another instance or launch on another port never clashes', () => {
    expect(cookie.startsWith(`auw_token_${server.port}=`)).toBe(true);
  });

  it('refuses the event WebSocket from another origin even with the cookie', async () => {
    expect(await connectWs(`ws://127.0.0.1:${server.port}/events`, { cookie, origin: evil() })).toEqual({ status: 403 });
    expect(await connectWs(`ws://127.0.0.1:${server.port}/events`, { cookie, origin: 'null' })).toEqual({ status: 403 });
    const ok = await connectWs(`ws://127.0.0.1:${server.port}/events`, { cookie, origin: own() });
    expect('ws' in ok).toBe(true);
    if ('ws' in ok) ok.ws.terminate();
  });

  it('refuses state-changing API calls from another origin or a same-site page', async () => {
    const target = path.join(root, 'planted');
    const post = (headers: Record<string, string>) =>
      request(server.port, {
        method: 'POST',
        path: '/api/projects/create',
        headers: { 'content-type': 'application/json', cookie, ...headers },
        body: JSON.stringify({ dir: target, name: 'Planted' }),
      });
    const byOrigin = await post({ origin: evil() });
    expect(byOrigin.status).toBe(403);
    expect(byOrigin.json.error.code).toBe('forbidden');
    expect((await post({ 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' })).status).toBe(403);
    expect(fs.existsSync(target)).toBe(false);
    // The page itself (same origin) still works.
    expect((await post({ origin: own(), 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  });

  it('refuses uploads from another page, without a video content type, or over the size limit', async () => {
    const uploads = path.join(root, 'p', 'media', 'uploads');
    const upload = (headers: Record<string, string>, body: Buffer) =>
      request(server.port, { method: 'POST', path: '/media/upload?name=planted.mp4', headers: { cookie, ...headers }, body });
    expect((await upload({ origin: evil(), 'content-type': 'video/mp4' }, Buffer.alloc(100))).status).toBe(403);
    // A form or a no-cors fetch can only send text/plain, form or multipart bodies.
    expect((await upload({ origin: own(), 'content-type': 'text/plain' }, Buffer.alloc(100))).status).toBe(415);
    expect((await upload({ origin: own(), 'content-type': 'multipart/form-data; boundary=x' }, Buffer.alloc(100))).status).toBe(415);
    const big = await upload({ origin: own(), 'content-type': 'video/mp4' }, Buffer.alloc(5000)).catch((e: NodeJS.ErrnoException) => ({ status: e.code }));
    expect([413, 'ECONNRESET', 'EPIPE']).toContain(big.status);
    const names = fs.existsSync(uploads) ? fs.readdirSync(uploads) : [];
    expect(names).toEqual([]);
    const ok = await upload({ origin: own(), 'content-type': 'video/mp4' }, Buffer.alloc(100));
    expect(ok.status).toBe(200);
    expect(fs.readdirSync(uploads)).toEqual(['planted.mp4']);
  });

  it('refuses media and export reads for another page, but lets a person open the printed URL from anywhere', async () => {
    expect((await request(server.port, { path: '/media/video/1', headers: { cookie, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'video' } })).status).toBe(403);
    const nav = await request(server.port, {
      path: `/?token=${server.token}`,
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
    });
    expect(nav.status).toBe(303);
  });

  it('lets a fresh ?token= win over a stale cookie from an earlier launch', async () => {
    const stale = `auw_token_${server.port}=token-of-an-earlier-launch`;
    const r = await request(server.port, { path: `/?token=${server.token}`, headers: { cookie: stale } });
    expect(r.status).toBe(303);
    expect(r.headers['set-cookie']?.[0]).toContain(`auw_token_${server.port}=${server.token}`);
  });
});
