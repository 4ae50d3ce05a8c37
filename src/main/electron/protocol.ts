import type { EventMessage } from '../../shared/contract';
import type { Envelope } from '../../shared/errors';

/** Messages between the Electron main process and the backend in its utilityProcess. */
export type ToBackend =
  | { type: 'call'; id: number; method: string; args: unknown }
  | { type: 'dialogResult'; id: number; path: string | null }
  | { type: 'shutdown' };

export type FromBackend =
  | { type: 'ready' }
  | { type: 'reply'; id: number; envelope: Envelope<unknown> }
  | { type: 'event'; message: EventMessage }
  | { type: 'pickDirectory'; id: number; title?: string };
