/**
 * What a task implementation gets inside the worker. A leaf: the task modules import it, and
 * protocol.ts, which imports every task's types, fills in TaskEvents, so no task module needs
 * the protocol (or the protocol a task module) to be type-checked in a circle.
 */

/**
 * Task name → the events it streams. Declared empty here and completed by protocol.ts through
 * declaration merging, from each task's own `event` type.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- completed by declaration merging in protocol.ts
export interface TaskEvents {}

export interface WorkerIO<K extends keyof TaskEvents> {
  signal: AbortSignal;
  progress(fraction: number, message?: string): void;
  log(line: string): void;
  emit(event: TaskEvents[K]): void;
}
