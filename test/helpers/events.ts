import type { EventMessage } from '../../src/shared/contract';
import type { EventBus } from '../../src/main/events';

/** Records every event on a bus and lets a test await the first one matching a predicate. */
export function recordEvents(bus: EventBus): {
  all: EventMessage[];
  /** The first event (already recorded, or still to come) that matches. */
  when(match: (m: EventMessage) => boolean): Promise<EventMessage>;
  stop(): void;
} {
  const all: EventMessage[] = [];
  const waiters: { match: (m: EventMessage) => boolean; resolve: (m: EventMessage) => void }[] = [];
  const unsubscribe = bus.subscribe((m) => {
    all.push(m);
    for (const w of [...waiters]) {
      if (w.match(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  return {
    all,
    when: (match) => {
      const seen = all.find(match);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }));
    },
    stop: () => unsubscribe(),
  };
}
