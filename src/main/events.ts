import type { EventMessage, EventName, Events } from '../shared/contract';

type Listener = (message: EventMessage) => void;

/** Typed server events; transports subscribe once and forward every event generically. */
export class EventBus {
  private listeners = new Set<Listener>();

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    const message = { event, payload } as EventMessage;
    for (const l of this.listeners) l(message);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
