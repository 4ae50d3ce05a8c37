import type { EventMessage, EventName, Events } from '../shared/contract';

type Listener = (message: EventMessage) => void;

/**
 * Typed server events; transports subscribe once and forward every event generically. A
 * listener that throws (a socket that broke mid-send) is logged and skipped: the service that
 * emitted has already done its work, and must not fail because one subscriber did.
 */
export class EventBus {
  private listeners = new Set<Listener>();

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    const message = { event, payload } as EventMessage;
    for (const l of this.listeners) {
      try {
        l(message);
      } catch (err) {
        console.error(`[events] a listener of ${event} failed:`, err);
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
