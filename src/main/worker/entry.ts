/** Worker process entry: runs one task for its parent job, then exits. */
import type { WorkerIO } from './io';
import type { FromWorker, TaskImpl, TaskName, ToWorker } from './protocol';
import { isDetectorThread, runDetectorThread } from '../services/media/worker/detector';
import { runIngest } from '../services/media/worker/ingest';

const tasks: { [K in TaskName]: TaskImpl<K> } = {
  ingest: (input, io) => runIngest(input, io),
  // Loaded on demand: an ingest worker has no use for the learning engine.
  pretrain: async (input, io) => (await import('../services/learn/worker/pretrain')).runPretrain(input, io),
  finetune: async (input, io) => (await import('../services/learn/worker/finetune')).runFinetune(input, io),
  predict: async (input, io) => (await import('../services/learn/worker/predict')).runPredict(input, io),
  learnProbe: async () => (await import('../services/learn/worker/train')).runProbe(),
  baseline: async (input, io) => (await import('../services/learn/worker/baseline-task')).runBaseline(input, io),
};

const controller = new AbortController();
const send = (m: FromWorker) => process.send?.(m);

// The bundle is also the ingest pipeline's detector thread (one file to ship); a thread has no IPC channel.
if (isDetectorThread()) void runDetectorThread();
else listen();

function listen(): void {
  process.on('message', async (raw) => {
    const m = raw as ToWorker;
    if (m.type === 'cancel') return controller.abort();
    const io: WorkerIO<TaskName> = {
      signal: controller.signal,
      progress: (fraction, message) => send({ type: 'progress', fraction, ...(message ? { message } : {}) }),
      log: (line) => send({ type: 'log', line }),
      emit: (event) => send({ type: 'event', event }),
    };
    try {
      const impl = tasks[m.task] as TaskImpl<TaskName>;
      const result = await impl(m.input as never, io);
      send({ type: 'done', result });
    } catch (err) {
      send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    } finally {
      process.disconnect?.();
    }
  });
  process.on('disconnect', () => controller.abort());
}
