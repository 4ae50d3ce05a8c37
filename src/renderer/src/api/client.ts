import type { ApiClient, EventMessage, EventName, Events, MethodName, Params, Result } from '@shared/contract';
import { ApiError, type Envelope } from '@shared/errors';

/** The two ways a renderer reaches the services. Both move opaque envelopes; neither knows methods. */
interface Transport {
  call(method: string, args: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: (message: EventMessage) => void): () => void;
}

interface Bridge {
  call(method: string, args: unknown): Promise<unknown>;
  onEvent(listener: (message: unknown) => void): () => void;
  droppedPaths(files: File[]): string[];
}

/** Turns files the user dropped or picked in the page into paths the backend may import. */
export type FileIntake = (files: File[], onProgress?: (fraction: number) => void) => Promise<string[]>;

declare global {
  interface Window {
    auwBridge?: Bridge;
  }
}

function ipcTransport(bridge: Bridge): Transport {
  return {
    call: async (method, args) => (await bridge.call(method, args)) as Envelope<unknown>,
    subscribe: (listener) => bridge.onEvent((m) => listener(m as EventMessage)),
  };
}

/** Browser mode: the token lives in an HttpOnly cookie set by the server, sent on every request. */
function httpTransport(): Transport {
  const listeners = new Set<(m: EventMessage) => void>();
  let socket: WebSocket | null = null;
  let retry = 500;
  const connect = () => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/events`);
    ws.onmessage = (e) => {
      const message = JSON.parse(String(e.data)) as EventMessage;
      for (const l of listeners) l(message);
    };
    ws.onopen = () => (retry = 500);
    ws.onclose = () => {
      socket = null;
      if (listeners.size) setTimeout(connect, (retry = Math.min(retry * 2, 10_000)));
    };
    socket = ws;
  };
  return {
    call: async (method, args) => {
      let res: Response;
      try {
        res = await fetch(`/api/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          credentials: 'same-origin',
          body: JSON.stringify(args ?? {}),
        });
      } catch {
        return { ok: false, error: { code: 'unavailable', message: 'Lost contact with the AU Workbench server. Is it still running?' } };
      }
      try {
        return (await res.json()) as Envelope<unknown>;
      } catch {
        return { ok: false, error: { code: 'internal', message: `The server answered ${res.status} without a readable body.` } };
      }
    },
    subscribe: (listener) => {
      listeners.add(listener);
      if (!socket) connect();
      return () => listeners.delete(listener);
    },
  };
}

/** Browser mode: a page cannot learn a file's path, so the file is uploaded into the project. */
function uploadFiles(files: File[], onProgress?: (fraction: number) => void): Promise<string[]> {
  const total = files.reduce((n, f) => n + f.size, 0) || 1;
  let done = 0;
  const one = (file: File) =>
    new Promise<string>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `/media/upload?name=${encodeURIComponent(file.name)}`);
      // The server takes video bodies only (a cross-site form cannot send these types unasked).
      xhr.setRequestHeader('content-type', file.type.startsWith('video/') ? file.type : 'application/octet-stream');
      xhr.upload.onprogress = (e) => onProgress?.((done + e.loaded) / total);
      xhr.onload = () => {
        let body: Envelope<{ path: string }>;
        try {
          body = JSON.parse(xhr.responseText || '{}') as Envelope<{ path: string }>;
        } catch {
          body = { ok: false, error: { code: 'internal', message: `The upload of ${file.name} failed (HTTP ${xhr.status}).` } };
        }
        if (body.ok) {
          done += file.size;
          resolve(body.result.path);
        } else reject(new ApiError(body.error?.code ?? 'internal', body.error?.message ?? `Upload failed (${xhr.status}).`));
      };
      xhr.onerror = () => reject(new ApiError('unavailable', `The upload of ${file.name} failed: lost contact with the server.`));
      xhr.send(file);
    });
  return files.reduce<Promise<string[]>>(async (acc, f) => [...(await acc), await one(f)], Promise.resolve([]));
}

export function createClient(): ApiClient & { shell: 'electron' | 'browser'; intake: FileIntake } {
  const bridge = window.auwBridge;
  const transport = bridge ? ipcTransport(bridge) : httpTransport();
  const byEvent = new Map<EventName, Set<(p: unknown) => void>>();
  let unsubscribe: (() => void) | null = null;
  return {
    shell: bridge ? 'electron' : 'browser',
    intake: bridge ? async (files) => bridge.droppedPaths(files) : uploadFiles,
    async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
      const envelope = await transport.call(method, params);
      if (!envelope.ok) throw new ApiError(envelope.error.code, envelope.error.message);
      return envelope.result as Result<M>;
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void) {
      if (!unsubscribe) unsubscribe = transport.subscribe((m) => byEvent.get(m.event)?.forEach((l) => l(m.payload)));
      const set = byEvent.get(event) ?? new Set();
      set.add(listener as (p: unknown) => void);
      byEvent.set(event, set);
      return () => set.delete(listener as (p: unknown) => void);
    },
  };
}
