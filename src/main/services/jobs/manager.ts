import type { Job } from '../../../shared/types';
import { ApiError } from '../../../shared/errors';
import type { EventBus } from '../../events';
import type { Project } from '../store/project';
import { getJob, insertJob, listJobs, markInterrupted, nextQueuedJob, updateJob, type JobUpdate } from '../store/jobs';
import { explainSystemError } from '../system-errors';

export interface JobContext {
  job: Job;
  project: Project;
  events: EventBus;
  signal: AbortSignal;
  /** fraction in 0..1; the manager derives the ETA from the rate. */
  progress(fraction: number, message?: string): void;
  log(line: string): void;
}

export type JobRunner = (ctx: JobContext) => Promise<void>;

/** Thrown (or rethrown) by a runner when its signal aborted. */
export class JobCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

const PROGRESS_WRITE_MS = 250;

/**
 * Runs a project's jobs one at a time, in order. Each job gets its own AbortController; state,
 * progress and log live in the jobs table so a crash leaves a record, which `recover()` turns
 * into 'interrupted' on the next open.
 */
export class JobManager {
  private running: { id: number; controller: AbortController; done: Promise<void> } | null = null;
  private stopped = false;

  constructor(
    private readonly project: Project,
    private readonly events: EventBus,
    private readonly runners: Readonly<Record<string, JobRunner>>,
  ) {}

  recover(): number {
    return markInterrupted(this.project.db);
  }

  add(kind: string, params: Record<string, unknown>): Job {
    if (!this.runners[kind]) throw new ApiError('invalid_argument', `There is no job kind "${kind}".`);
    const job = insertJob(this.project.db, kind, params);
    this.events.emit('jobs/progress', job);
    queueMicrotask(() => this.pump());
    return job;
  }

  /** Final states that could not be written (a full disk): shown from memory, written once possible. */
  private unrecorded = new Map<number, Job>();

  list(limit: number): Job[] {
    for (const [id, job] of this.unrecorded) {
      try {
        updateJob(this.project.db, id, { state: job.state, progress: job.progress, message: job.message, etaSeconds: job.etaSeconds, error: job.error });
        this.unrecorded.delete(id);
      } catch {
        break; // still no space; try again on the next look
      }
    }
    return listJobs(this.project.db, limit).map((j) => this.unrecorded.get(j.id) ?? j);
  }

  cancel(id: number): Job {
    const job = getJob(this.project.db, id);
    if (this.running?.id === id && job.state === 'running') {
      this.running.controller.abort();
      return this.publish(updateJob(this.project.db, id, { message: 'Cancelling…' }));
    }
    if (job.state === 'queued' || job.state === 'interrupted') {
      return this.publish(updateJob(this.project.db, id, { state: 'cancelled', message: 'Cancelled.', etaSeconds: null }));
    }
    throw new ApiError('conflict', `Job ${id} is already ${job.state}; only queued or running jobs can be cancelled.`);
  }

  /** Resolves when the queue is empty (tests and the CLI wait on this). */
  async idle(): Promise<void> {
    while (this.running) await this.running.done;
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    this.running?.controller.abort();
    await this.idle();
  }

  private publish(job: Job): Job {
    this.events.emit('jobs/progress', job);
    return job;
  }

  private pump(): void {
    if (this.running || this.stopped || !this.project.isOpen) return;
    let next: Job | null;
    try {
      next = nextQueuedJob(this.project.db);
    } catch (err) {
      console.error('[jobs] could not read the queue:', err);
      return;
    }
    if (!next) return;
    const controller = new AbortController();
    const done = this.run(next, controller).finally(() => {
      this.running = null;
      this.pump();
    });
    this.running = { id: next.id, controller, done };
  }

  /**
   * Writes a job's row and tells the UI. When the write fails (a full disk) the job goes on in
   * memory: progress is advisory, and the row left 'running' reads as interrupted on the next
   * open, so nothing claims a state that is not on disk.
   */
  private record(job: Job, u: JobUpdate): Job {
    try {
      return this.publish(updateJob(this.project.db, job.id, u));
    } catch (err) {
      console.error(`[jobs] could not record job ${job.id}:`, explainSystemError(err)?.message ?? err);
      const { appendLog: _log, ...rest } = u;
      const next = { ...job, ...rest, error: u.error ?? job.error };
      if (next.state !== 'running' && next.state !== 'queued') this.unrecorded.set(job.id, next);
      return this.publish(next);
    }
  }

  /** Never rejects: a job that fails in any way, including while recording its failure, ends here. */
  private async run(queued: Job, controller: AbortController): Promise<void> {
    try {
      await this.runUnguarded(queued, controller);
    } catch (err) {
      console.error(`[jobs] job ${queued.id} (${queued.kind}) ended abnormally:`, err);
    }
  }

  private async runUnguarded(queued: Job, controller: AbortController): Promise<void> {
    const db = this.project.db;
    const started = Date.now();
    let job = this.record(queued, { state: 'running', progress: 0, message: 'Starting…' });
    let lastWrite = 0;
    const ctx: JobContext = {
      job,
      project: this.project,
      events: this.events,
      signal: controller.signal,
      progress: (fraction, message) => {
        const p = Math.min(1, Math.max(0, fraction));
        const elapsed = (Date.now() - started) / 1000;
        const eta = p > 0.01 ? (elapsed * (1 - p)) / p : null;
        const at = Date.now();
        if (at - lastWrite < PROGRESS_WRITE_MS && p < 1) {
          // Keep the state in memory so the next (written) update carries this message on.
          job = { ...job, progress: p, message: message ?? job.message, etaSeconds: eta };
          this.events.emit('jobs/progress', job);
          return;
        }
        lastWrite = at;
        job = this.record(job, { progress: p, message: message ?? job.message, etaSeconds: eta });
      },
      log: (line) => {
        try {
          updateJob(db, job.id, { appendLog: `${new Date().toISOString()} ${line}` });
        } catch (err) {
          console.error(`[jobs] job ${job.id} log line not recorded (${explainSystemError(err)?.message ?? String(err)}): ${line}`);
        }
      },
    };
    try {
      await this.runners[queued.kind]!(ctx);
      if (controller.signal.aborted) throw new JobCancelled();
      this.record(job, { state: 'done', progress: 1, etaSeconds: null, message: 'Done.' });
    } catch (err) {
      if (!this.project.isOpen) return;
      if (controller.signal.aborted || err instanceof JobCancelled) {
        this.record(job, { state: this.stopped ? 'interrupted' : 'cancelled', etaSeconds: null, message: 'Cancelled.' });
      } else {
        const message = explainSystemError(err)?.message ?? (err instanceof Error ? err.message : String(err));
        this.record(job, { state: 'failed', etaSeconds: null, error: message, message: 'Failed.', appendLog: String((err as Error)?.stack ?? message) });
      }
    }
  }
}
