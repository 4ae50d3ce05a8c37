/**
 * The typed protocol between a job (in the backend process) and the worker process that does
 * its heavy lifting. Each task names its input, the events it streams and its result.
 */
import type { IngestTask } from '../services/media/worker/ingest';
import type { FinetuneTask, PredictTask, PretrainTask, ProbeTask } from '../services/learn/train';
import type { BaselineTask } from '../services/learn/baseline-task';

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

export type ToWorker = { type: 'run'; task: TaskName; input: unknown } | { type: 'cancel' };

export type FromWorker =
  | { type: 'progress'; fraction: number; message?: string }
  | { type: 'log'; line: string }
  | { type: 'event'; event: unknown }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; message: string };

/** What a task implementation gets inside the worker. */
export interface WorkerIO<K extends TaskName> {
  signal: AbortSignal;
  progress(fraction: number, message?: string): void;
  log(line: string): void;
  emit(event: TaskEvent<K>): void;
}

export type TaskImpl<K extends TaskName> = (input: TaskInput<K>, io: WorkerIO<K>) => Promise<TaskResult<K>>;
