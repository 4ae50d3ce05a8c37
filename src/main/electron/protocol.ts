import type { EventMessage } from '../../shared/contract';
import type { Envelope } from '../../shared/errors';

/** Messages between the Electron main process and the backend in its utilityProcess. */
export type ToBackend =
  | { type: 'call'; id: number; method: string; args: unknown }
  | { type: 'dialogResult'; id: number; paths: string[] }
  | { type: 'mediaPath'; id: number; videoId: number }
  /** Paths of files the user dropped on the window (resolved by the preload from real File objects). */
  | { type: 'grant'; paths: string[] }
  | { type: 'shutdown' };

export type FromBackend =
  | { type: 'reply'; id: number; envelope: Envelope<unknown> }
  | { type: 'event'; message: EventMessage }
  | { type: 'dialog'; id: number; kind: 'directory' | 'videos'; title?: string }
  | { type: 'mediaPath'; id: number; path: string | null };
