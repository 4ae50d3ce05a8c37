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

const TOKEN_KEY = 'auw-token';
let memoryToken: string | null = null;

/**
 * Browser mode's per-launch token. The printed URL carries it as ?token=; the page keeps it in
 * this tab's sessionStorage (scoped to this origin, port included, so no other local server or
 * page can read it; it survives a reload) and drops it from the address bar. It is never a
 * cookie: cookies ignore ports, so one would be sent to every server on 127.0.0.1.
 */
function launchToken(): string | null {
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('token');
  if (fromUrl) {
    memoryToken = fromUrl;
    try {
      sessionStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // Storage disabled: the token lives in memory until the tab reloads.
    }
    params.delete('token');
    const rest = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
    return fromUrl;
  }
  if (memoryToken) return memoryToken;
  try {
    return (memoryToken = sessionStorage.getItem(TOKEN_KEY));
  } catch {
    return null;
  }
}

function authHeader(): Record<string, string> {
  const token = launchToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Browser mode: the token goes as a header on every call and as a subprotocol of the event socket. */
function httpTransport(): Transport {
  const listeners = new Set<(m: EventMessage) => void>();
  let socket: WebSocket | null = null;
  let retry = 500;
  const connect = () => {
    const token = launchToken();
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/events`, token ? ['auw', `auw.token.${token}`] : ['auw']);
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
          headers: { 'content-type': 'application/json', ...authHeader() },
          credentials: 'omit',
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
      for (const [k, v] of Object.entries(authHeader())) xhr.setRequestHeader(k, v);
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

/**
 * Browser mode's "save": fetches a file of the server with the token and hands it to the
 * browser as a download (a plain link cannot carry the token).
 */
async function downloadFile(href: string, name: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(href, { headers: authHeader(), credentials: 'omit' });
  } catch {
    throw new ApiError('unavailable', `${name} could not be downloaded: lost contact with the AU Workbench server. Is it still running?`);
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as Envelope<unknown> | null;
    throw new ApiError(body && !body.ok ? body.error.code : 'internal', body && !body.ok ? body.error.message : `${name} could not be downloaded (HTTP ${res.status}).`);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function createClient(): ApiClient & { shell: 'electron' | 'browser'; intake: FileIntake; download: (href: string, name: string) => Promise<void> } {
  const bridge = window.auwBridge;
  if (!bridge) launchToken();
  const transport = bridge ? ipcTransport(bridge) : httpTransport();
  const byEvent = new Map<EventName, Set<(p: unknown) => void>>();
  let unsubscribe: (() => void) | null = null;
  return {
    shell: bridge ? 'electron' : 'browser',
    intake: bridge ? async (files) => bridge.droppedPaths(files) : uploadFiles,
    download: downloadFile,
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
