import http from 'node:http';
import WebSocket from 'ws';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** Parsed body when it is JSON, else undefined. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any; // test-side inspection of arbitrary bodies
}

export interface RequestOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A plain node:http request to 127.0.0.1 (full control over Host, Cookie and Content-Type). */
export function request(port: number, opts: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: opts.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** POST /api/<method> with a JSON body and the given auth headers. */
export function call(port: number, method: string, args: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return request(port, {
    method: 'POST',
    path: `/api/${method}`,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(args),
  });
}

/**
 * Tries a WebSocket upgrade; resolves with the open socket, or with the HTTP status the
 * server answered instead of upgrading.
 */
export function connectWs(url: string, headers: Record<string, string> = {}, protocols: string[] = []): Promise<{ ws: WebSocket } | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    let settled = false;
    ws.on('open', () => {
      settled = true;
      resolve({ ws });
    });
    ws.on('unexpected-response', (req, res) => {
      settled = true;
      resolve({ status: res.statusCode ?? 0 });
      res.resume();
      req.destroy();
    });
    ws.on('error', (err) => {
      if (!settled) reject(err);
    });
  });
}

/** The next message on a socket that matches, parsed as JSON. */
export function nextMessage<T = unknown>(ws: WebSocket, match: (m: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const parsed = JSON.parse(data.toString()) as T;
      if (match(parsed)) {
        ws.off('message', onMessage);
        resolve(parsed);
      }
    };
    ws.on('message', onMessage);
  });
}

export function closeWs(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    ws.once('close', () => resolve());
    ws.close();
  });
}
