/**
 * Issue 11 §4 and issue 24 §5–6: requests from other local pages are refused. A page on
 * another port of 127.0.0.1 is the same site as the server, and cookies ignore ports, so the
 * token is never a cookie (the page sends it as a header or WebSocket subprotocol); the server
 * still tells other pages apart by Origin / Fetch Metadata, on the WebSocket and on every
 * state-changing request, even when they somehow hold the token.
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
let auth: Record<string, string>;

beforeEach(async () => {
  root = fs.realpathSync(tmp.make());
  server = await startLiveServer({ roots: [root], settingsDir: tmp.make(), env: { AUW_MAX_UPLOAD_BYTES: '4096' } });
  auth = server.bearer();
  expect((await api(server, 'projects/create', { dir: path.join(root, 'p'), name: 'P' })).status).toBe(200);
});
afterEach(async () => server?.stop());
afterAll(() => tmp.cleanup());

const evil = () => `http://127.0.0.1:${server.port + 1}`;
const own = () => `http://127.0.0.1:${server.port}`;

describe('another local page cannot use the session', () => {
  it('hands out no token cookie: the printed URL answers with the page and only clears the cookie of earlier versions', async () => {
    const login = await request(server.port, { path: `/?token=${server.token}`, headers: { host: `127.0.0.1:${server.port}` } });
    expect(login.status).toBe(200);
    for (const c of login.headers['set-cookie'] ?? []) {
      expect(c).not.toContain(server.token);
      expect(c).toMatch(/Max-Age=0/);
    }
  });

  it('refuses the event WebSocket from another origin even with the token', async () => {
    const offered = ['auw', `auw.token.${server.token}`];
    expect(await connectWs(`ws://127.0.0.1:${server.port}/events`, { origin: evil() }, offered)).toEqual({ status: 403 });
    expect(await connectWs(`ws://127.0.0.1:${server.port}/events`, { origin: 'null' }, offered)).toEqual({ status: 403 });
    const ok = await connectWs(`ws://127.0.0.1:${server.port}/events`, { origin: own() }, offered);
    expect('ws' in ok).toBe(true);
    if ('ws' in ok) ok.ws.terminate();
  });

  it('refuses state-changing API calls from another origin or a same-site page', async () => {
    const target = path.join(root, 'planted');
    const post = (headers: Record<string, string>) =>
      request(server.port, {
        method: 'POST',
        path: '/api/projects/create',
        headers: { 'content-type': 'application/json', ...auth, ...headers },
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
      request(server.port, { method: 'POST', path: '/media/upload?name=planted.mp4', headers: { ...auth, ...headers }, body });
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
    expect((await request(server.port, { path: '/media/video/1', headers: { ...auth, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'video' } })).status).toBe(403);
    const nav = await request(server.port, {
      path: `/?token=${server.token}`,
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
    });
    expect(nav.status).toBe(200);
  });

  it('ignores cookies entirely: a stale one of an earlier launch or junk ones tossed by another page neither lock out nor let in (issue 24 §5)', async () => {
    const tossed = { cookie: `auw_token_${server.port}=token-of-an-earlier-launch; auw_token_${server.port}=junk` };
    const page = await request(server.port, { path: `/?token=${server.token}`, headers: tossed });
    expect(page.status).toBe(200);
    expect((await api(server, 'app/info', {})).status).toBe(200);
    const withJunk = await request(server.port, { method: 'POST', path: '/api/app/info', headers: { 'content-type': 'application/json', ...tossed, ...auth }, body: '{}' });
    expect(withJunk.status).toBe(200);
    const socket = await connectWs(`ws://127.0.0.1:${server.port}/events`, { ...tossed, origin: own() }, ['auw', `auw.token.${server.token}`]);
    expect('ws' in socket).toBe(true);
    if ('ws' in socket) socket.ws.terminate();
    const right = { cookie: `auw_token_${server.port}=${server.token}` };
    expect((await request(server.port, { method: 'POST', path: '/api/app/info', headers: { 'content-type': 'application/json', ...right }, body: '{}' })).status).toBe(401);
  });
});
