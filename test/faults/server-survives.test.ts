/**
 * Issue 11 §2: no request can crash the server. Each bad input below ends only its own
 * connection (or gets a 4xx), and the process, and every other client's session, stays up.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Project } from '../../src/main/services/store/project';
import { addVideo } from '../helpers/project';
import { connectWs, nextMessage, request } from '../helpers/http';
import { tmpDirs } from '../helpers/tmp';
import { api, startLiveServer, type LiveServer } from './server';

const tmp = tmpDirs('auw-faults-crash-');
let server: LiveServer;
let root: string;
let bystander: WebSocket;
let videoId: number;

let projectDir: string;

beforeAll(() => {
  root = fs.realpathSync(tmp.make());
  projectDir = path.join(root, 'study');
  const p = Project.create(projectDir, { name: 'Crash study', auSet: { preset: 'disfa' } });
  // A video whose "file" is a folder: streaming it fails inside the read stream.
  fs.mkdirSync(path.join(root, 'not-a-file.mp4'));
  videoId = addVideo(p.db, { path: path.join(root, 'not-a-file.mp4'), frameCount: 1000 });
  p.db.prepare("UPDATE videos SET status = 'ready' WHERE id = ?").run(videoId);
  p.close();
});

// A fresh server per case, so each case shows on its own whether that input kills the process.
beforeEach(async () => {
  server = await startLiveServer({ roots: [root], settingsDir: tmp.make(), args: ['--project', projectDir] });
  const r = await connectWs(`ws://127.0.0.1:${server.port}/events`, server.bearer());
  if (!('ws' in r)) throw new Error(`bystander socket refused: ${r.status}`);
  bystander = r.ws;
  bystander.on('error', () => undefined);
});

afterEach(async () => {
  bystander?.terminate();
  await server?.stop();
});

afterAll(() => tmp.cleanup());

/** The process is up, answers calls, and the bystander's socket still gets events. */
async function stillServing(): Promise<void> {
  await new Promise((r) => setTimeout(r, 150)); // let a crash, if any, happen
  expect(server.alive(), `server died:\n${server.log()}`).toBe(true);
  const event = nextMessage<{ event: string }>(bystander, (m) => m.event === 'data/changed');
  const set = await api(server, 'labels/set', { videoId, frame: 1, au: 12, intensity: 3, annotator: 'bystander' });
  expect(set.status).toBe(200);
  expect((await event).event).toBe('data/changed');
}

function closeOf(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

async function openSocket(): Promise<WebSocket> {
  const r = await connectWs(`ws://127.0.0.1:${server.port}/events`, server.bearer());
  if (!('ws' in r)) throw new Error(`socket refused: ${r.status}`);
  r.ws.on('error', () => undefined); // the client side sees the close; only the server matters here
  return r.ws;
}

/** Raw bytes to the server; resolves with what came back before it closed the connection. */
function raw(bytes: string | Buffer, opts: { reset?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    const socket = net.connect(server.port, '127.0.0.1', () => {
      socket.write(bytes);
      if (opts.reset) setTimeout(() => socket.resetAndDestroy(), 20);
    });
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    socket.on('close', () => resolve(data));
    socket.on('error', () => undefined);
    setTimeout(() => socket.destroy(), 3000);
  });
}

const handshake = (extra = '') =>
  `GET /events HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
  `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer ${server.token}\r\n${extra}\r\n`;

/** A masked client frame with the given opcode and payload, as a browser would send it. */
function frame(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | len]) : Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 126, len >> 8, len & 255]);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([head, mask, body]);
}

describe('the server survives what one client sends', () => {
  it('closes a socket that sends a message over the size limit (1009)', async () => {
    const ws = await openSocket();
    const closed = closeOf(ws);
    ws.send('x'.repeat(256 * 1024));
    expect(await closed).toBe(1009);
    await stillServing();
  });

  it('closes a socket that sends a text frame of invalid UTF-8 (1007)', async () => {
    const ws = await openSocket();
    const closed = closeOf(ws);
    // ws checks outgoing text itself, so the bad frame goes out raw through its socket.
    (ws as unknown as { _socket: net.Socket })._socket.write(frame(0x1, Buffer.from([0xc3, 0x28, 0xff, 0xfe])));
    expect(await closed).toBe(1007);
    await stillServing();
  });

  it('survives frames with reserved bits, bad opcodes, and a socket reset while events flow', async () => {
    for (const bad of [Buffer.from([0xf1, 0x80, 1, 2, 3, 4]), Buffer.from([0x83, 0x80, 1, 2, 3, 4]), frame(0x1, Buffer.from('hi'), false)]) {
      const reply = await raw(Buffer.concat([Buffer.from(handshake()), bad]));
      expect(reply).toMatch(/^HTTP\/1\.1 101/);
    }
    // A socket that dies with a TCP reset in the middle of the event stream.
    await raw(handshake(), { reset: true });
    await stillServing();
  });

  it('answers a 50 MB API body with 413 (or drops the connection) without reading it all', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024, 0x20);
    const outcome = await request(server.port, {
      method: 'POST',
      path: '/api/labels/set',
      headers: { ...server.bearer(), 'content-type': 'application/json', 'content-length': String(big.length) },
      body: big,
    }).then(
      (r) => r.status,
      (err: NodeJS.ErrnoException) => err.code,
    );
    // Announced up front: answered 413 before a byte of the body is read.
    expect(outcome).toBe(413);
    // Chunked, no length announced: stopped once it passes the limit.
    const chunked = await new Promise<number | string>((resolve) => {
      const req = http.request(
        { host: '127.0.0.1', port: server.port, method: 'POST', path: '/api/labels/set', headers: { ...server.bearer(), 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      const piece = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 50 && req.write(piece)) sent++;
        if (sent < 50) req.once('drain', pump);
        else req.end();
      };
      pump();
    });
    expect([413, 'ECONNRESET', 'EPIPE']).toContain(chunked);
    await stillServing();
  });

  it('refuses malformed upgrades: no key, wrong version, not a GET, garbage, and one reset mid-handshake', async () => {
    const noKey = `GET /events HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${server.token}\r\n\r\n`;
    expect(await raw(noKey)).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(handshake().replace('Version: 13', 'Version: 99'))).toMatch(/^HTTP\/1\.1 (400|426)/);
    expect(await raw(handshake().replace('GET', 'POST'))).toMatch(/^HTTP\/1\.1 (400|405)/);
    expect(await raw(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: \u0000\u0001\r\nConnection: Upgrade\r\n\r\n`)).toMatch(/^HTTP\/1\.1 4\d\d/);
    await raw(handshake().slice(0, 60), { reset: true });
    await raw(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00])); // a TLS hello to a plain-HTTP port
    await stillServing();
  });

  it('ends only the response when a streamed file fails to read (an exception in a stream callback)', async () => {
    const r = await request(server.port, { path: `/media/video/${videoId}`, headers: { ...server.bearer(), range: 'bytes=0-100' } }).catch(
      (err: NodeJS.ErrnoException) => ({ status: err.code }),
    );
    expect(r.status).not.toBe(500);
    await stillServing();
  });
});
