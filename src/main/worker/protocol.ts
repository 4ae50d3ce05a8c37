/**
 * The typed protocol between a job (in the backend process) and the worker process that does
 * its heavy lifting. Each task names its input, the events it streams and its result.
 */
import type { IngestTask } from '../services/media/worker/ingest';
import type { FinetuneTask } from '../services/learn/worker/finetune';
import type { PredictTask } from '../services/learn/worker/predict';
import type { PretrainTask } from '../services/learn/worker/pretrain';
import type { ProbeTask } from '../services/learn/worker/train';
import type { BaselineTask } from '../services/learn/worker/baseline-task';
import type { WorkerIO } from './io';

export interface WorkerTasks {
  ingest: IngestTask;
  pretrain: PretrainTask;
  finetune: FinetuneTask;
  predict: PredictTask;
  learnProbe: ProbeTask;
  baseline: BaselineTask;
}
export type TaskName = keyof WorkerTasks;
export type TaskInput<K extends TaskName> = WorkerTasks[K]['input'];
export type TaskEvent<K extends TaskName> = WorkerTasks[K]['event'];
export type TaskResult<K extends TaskName> = WorkerTasks[K]['result'];

type TaskEventMap = { [K in TaskName]: TaskEvent<K> };

// Gives worker/io.ts's WorkerIO<K> each task's event type, without io.ts importing any task.
declare module './io' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the members come from the extended type
  interface TaskEvents extends TaskEventMap {}
}

export type ToWorker = { type: 'run'; task: TaskName; input: unknown } | { type: 'cancel' };

export type FromWorker =
  | { type: 'progress'; fraction: number; message?: string }
  | { type: 'log'; line: string }
  | { type: 'event'; event: unknown }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; message: string };

export type TaskImpl<K extends TaskName> = (input: TaskInput<K>, io: WorkerIO<K>) => Promise<TaskResult<K>>;
