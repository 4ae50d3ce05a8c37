import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appRoot, runningFromBundle } from '../paths';
import type { FromWorker, TaskEvent, TaskInput, TaskName, TaskResult, ToWorker } from './protocol';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The worker entry: the built bundle next to this one, or the TypeScript source under tsx
 * when the code itself runs from source (unit tests, the dev CLI).
 */
function workerEntry(): { file: string; execArgv: string[] } {
  if (runningFromBundle()) return { file: path.join(appRoot(), 'out/main/worker.js'), execArgv: [] };
  return { file: path.join(here, 'entry.ts'), execArgv: ['--import', 'tsx'] };
}

export interface RunOptions<K extends TaskName> {
  signal: AbortSignal;
  onProgress?: (fraction: number, message?: string) => void;
  onLog?: (line: string) => void;
  onEvent?: (event: TaskEvent<K>) => void;
}

const CANCEL_GRACE_MS = 5000;

/**
 * Runs one task in a fresh child process (heavy work never shares the backend's event loop;
 * a crash or kill -9 takes down only the worker). Cancel asks the task to stop, then kills it;
 * a cancelled task rejects with the signal's reason (an AbortError), however the worker ended.
 */
export function runTask<K extends TaskName>(task: K, input: TaskInput<K>, opts: RunOptions<K>): Promise<TaskResult<K>> {
  const { file, execArgv } = workerEntry();
  // Inside Electron, process.execPath is the Electron binary: ask it to behave as plain Node.
  const env = process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
  const child = fork(file, [], { execArgv, env, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      opts.signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      if (child.connected) child.send({ type: 'cancel' } satisfies ToWorker);
      killTimer = setTimeout(() => child.kill('SIGKILL'), CANCEL_GRACE_MS);
    };
    opts.signal.addEventListener('abort', onAbort);
    child.on('message', (raw) => {
      const m = raw as FromWorker;
      if (m.type === 'progress') opts.onProgress?.(m.fraction, m.message);
      else if (m.type === 'log') opts.onLog?.(m.line);
      else if (m.type === 'event') opts.onEvent?.(m.event as TaskEvent<K>);
      else if (m.type === 'done') finish(() => resolve(m.result as TaskResult<K>));
      else if (m.type === 'failed') finish(() => reject(opts.signal.aborted ? opts.signal.reason : new Error(m.message)));
    });
    child.on('error', (err) => finish(() => reject(err)));
    child.on('exit', (code, sig) => {
      finish(() =>
        reject(opts.signal.aborted ? opts.signal.reason : new Error(`The worker process stopped unexpectedly (${sig ?? `exit code ${code}`}).`)),
      );
    });
    if (opts.signal.aborted) return onAbort();
    child.send({ type: 'run', task, input } satisfies ToWorker);
  }).finally(() => {
    if (child.connected) child.disconnect();
  }) as Promise<TaskResult<K>>;
}
