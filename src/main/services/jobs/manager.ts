import type { Job } from '../../../shared/types';
import { ApiError } from '../../../shared/errors';
import { describeIssues } from '../../../shared/validate';
import type { EventBus } from '../../events';
import type { Project } from '../store/project';
import { getJob, insertJob, interruptedMessage, listJobs, markInterrupted, nextQueuedJob, updateJob, type JobUpdate } from '../store/jobs';
import { keepReserve, withReserve } from '../store/reserve';
import { explainSystemError, isRemovedMeanwhile, REMOVED_MEANWHILE_MESSAGE } from '../system-errors';
import type { JobKind, JobKindSpec, JobKinds, JobLane, KindRegistry, ParamsIn, ParamsOf, ResultOf } from './kinds';

export interface JobContext<P = unknown> {
  job: Job;
  /** The row's params, read through its kind's schema. */
  params: P;
  project: Project;
  events: EventBus;
  signal: AbortSignal;
  /** fraction in 0..1; the manager derives the ETA from the rate. */
  progress(fraction: number, message?: string): void;
  log(line: string): void;
}

/** Runs one kind of job; rejects (or returns once `signal` aborted) to stop it. */
export type RunnerOf<R extends KindRegistry, K extends keyof R> = (ctx: JobContext<ParamsOf<R, K>>) => Promise<ResultOf<R, K>>;
export type Runners<R extends KindRegistry> = { [K in keyof R]: RunnerOf<R, K> };
/** A runner of the app's job kinds. */
export type JobRunner<K extends JobKind> = RunnerOf<JobKinds, K>;

interface Running {
  id: number;
  controller: AbortController;
  done: Promise<void>;
}

const PROGRESS_WRITE_MS = 250;
/** How long cancelWhere waits for a cancelled job to stop before the removal goes on. */
const CANCEL_WAIT_MS = 10_000;

/**
 * Runs a project's jobs, one at a time per lane (kinds.ts) and in order within it; the lanes
 * run side by side, writing through the project's one connection from this process. Each job
 * gets its own AbortController; state, progress and log live in the jobs table so a crash
 * leaves a record, which `recover()` turns into 'interrupted' on the next open.
 */
export class JobManager<R extends KindRegistry = JobKinds> {
  private readonly running = new Map<JobLane, Running>();
  private readonly lanes: Map<JobLane, string[]>;
  private stopped = false;

  constructor(
    private readonly project: Project,
    private readonly events: EventBus,
    private readonly kinds: R,
    private readonly runners: Runners<R>,
  ) {
    this.lanes = new Map();
    for (const [kind, spec] of Object.entries(kinds)) this.lanes.set(spec.lane, [...(this.lanes.get(spec.lane) ?? []), kind]);
  }

  recover(): number {
    return markInterrupted(this.project.db);
  }

  /** Takes up the jobs an earlier session left queued (after `recover()`, once the project is the open one). */
  start(): void {
    queueMicrotask(() => this.pump());
  }

  add<K extends keyof R & string>(kind: K, params: ParamsIn<R, K>): Job {
    const spec = this.spec(kind);
    if (!spec) throw new ApiError('invalid_argument', `There is no job kind "${kind}".`);
    const parsed = spec.params.safeParse(params);
    if (!parsed.success) throw new ApiError('invalid_argument', `Bad ${kind} job: ${describeIssues(parsed.error.issues)}.`);
    return this.enqueue(kind, parsed.data);
  }

  /**
   * Queues a stored job again, same kind and params (resuming training from its checkpoint):
   * a row whose params no longer read is refused with what is wrong, and nothing is queued.
   */
  requeue(job: Job): Job {
    const spec = this.spec(job.kind);
    if (!spec) throw new ApiError('invalid_argument', `Job ${job.id} is a ${job.kind} job, which this version of AU Workbench does not run.`);
    const parsed = spec.params.safeParse(job.params);
    if (!parsed.success) throw new ApiError('invalid_argument', `${staleMessage(job, describeIssues(parsed.error.issues))} ${spec.redo}`);
    return this.enqueue(job.kind, parsed.data);
  }

  private enqueue(kind: string, params: Record<string, unknown>): Job {
    const job = insertJob(this.project.db, kind, params);
    this.events.emit('jobs/progress', job);
    queueMicrotask(() => this.pump());
    return job;
  }

  private spec(kind: string): JobKindSpec | undefined {
    return Object.hasOwn(this.kinds, kind) ? this.kinds[kind] : undefined;
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

  /** Why a job was cancelled, when not by the user's Cancel (its subject was removed): its final message. */
  private readonly cancelReasons = new Map<number, string>();

  cancel(id: number, reason = 'Cancelled.'): Job {
    const job = getJob(this.project.db, id);
    const running = [...this.running.values()].find((r) => r.id === id);
    if (running && job.state === 'running') {
      this.cancelReasons.set(id, reason);
      running.controller.abort();
      return this.publish(updateJob(this.project.db, id, { message: 'Cancelling…' }));
    }
    if (job.state === 'queued' || job.state === 'interrupted') {
      return this.publish(updateJob(this.project.db, id, { state: 'cancelled', message: reason, etaSeconds: null }));
    }
    throw new ApiError('conflict', `Job ${id} is already ${job.state}; only queued or running jobs can be cancelled.`);
  }

  /**
   * Cancels the queued or running jobs `touches` picks (those working on something about to be
   * removed), each ending 'cancelled' with `reason`; resolves once the running ones stopped, so
   * the removal that follows meets no job still writing for it.
   */
  async cancelWhere(touches: (job: Job, running: boolean) => boolean, reason: string): Promise<number[]> {
    const runningIds = new Set([...this.running.values()].map((r) => r.id));
    const picked = listJobs(this.project.db, 10_000).filter((j) => (j.state === 'queued' || j.state === 'running') && touches(j, runningIds.has(j.id)));
    for (const j of picked) this.cancel(j.id, reason);
    // Bounded: a runner slow to stop does not hold the removal up; a write of it that then finds
    // its row gone ends the job the same way (isRemovedMeanwhile).
    const stopped = Promise.all([...this.running.values()].filter((r) => picked.some((j) => j.id === r.id)).map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([stopped, new Promise<void>((resolve) => (timer = setTimeout(resolve, CANCEL_WAIT_MS)))]);
    clearTimeout(timer);
    return picked.map((j) => j.id);
  }

  /** Resolves when every lane's queue is empty (tests and the CLI wait on this). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const r of this.running.values()) r.controller.abort();
    await this.idle();
  }

  private publish(job: Job): Job {
    this.events.emit('jobs/progress', job);
    return job;
  }

  /** Starts the next job of each idle lane. */
  private pump(): void {
    if (this.stopped || !this.project.isOpen) return;
    try {
      this.failUnknownKinds();
      for (const [lane, kinds] of this.lanes) {
        if (this.running.has(lane)) continue;
        const next = nextQueuedJob(this.project.db, kinds);
        if (!next || !this.take(next)) continue;
        const controller = new AbortController();
        const done = this.run(next, controller).finally(() => {
          this.running.delete(lane);
          this.pump();
        });
        this.running.set(lane, { id: next.id, controller, done });
      }
    } catch (err) {
      console.error('[jobs] could not read the queue:', err);
    }
  }

  /** Ids this manager has started or failed: a row still queued after that could not be written. */
  private readonly taken = new Set<number>();

  /**
   * False for a job already taken whose row still reads 'queued' (its state could not be
   * written, a full disk): taking it again would run it again, in a loop. The next open finds it.
   */
  private take(job: Job): boolean {
    if (this.taken.has(job.id)) return false;
    this.taken.add(job.id);
    return true;
  }

  /** Queued rows of a kind this version does not have (queued by another version) would wait forever. */
  private failUnknownKinds(): void {
    const known = [...this.lanes.values()].flat();
    for (let job = nextQueuedJob(this.project.db, known, { except: true }); job && this.take(job); job = nextQueuedJob(this.project.db, known, { except: true })) {
      const error = `This version of AU Workbench has no "${job.kind}" jobs; it was probably queued by another version, which can run it.`;
      this.record(job, { state: 'failed', etaSeconds: null, error, message: 'Failed.' });
    }
  }

  /**
   * Writes a job's row and tells the UI. When the write fails (a full disk) the job goes on in
   * memory: progress is advisory, and the row left 'running' reads as interrupted on the next
   * open, so nothing claims a state that is not on disk.
   */
  private record(job: Job, u: JobUpdate): Job {
    try {
      // A final state may use the space held back for it (reserve.ts); progress may not.
      const terminal = u.state !== undefined && u.state !== 'running' && u.state !== 'queued';
      return this.publish(terminal ? withReserve(this.project.dir, () => updateJob(this.project.db, job.id, u)) : updateJob(this.project.db, job.id, u));
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
    const spec = this.kinds[queued.kind]!;
    const parsed = spec.params.safeParse(queued.params);
    if (!parsed.success) {
      const error = `${staleMessage(queued, describeIssues(parsed.error.issues))} ${spec.redo}`;
      this.record(queued, { state: 'failed', etaSeconds: null, error, message: 'Failed.' });
      return;
    }
    const started = Date.now();
    keepReserve(this.project.dir);
    let job = this.record(queued, { state: 'running', progress: 0, message: 'Starting…' });
    let lastWrite = 0;
    const ctx: JobContext<ParamsOf<R, string>> = {
      job,
      // What the kind's own schema read: the runner of that kind takes exactly this.
      params: parsed.data as ParamsOf<R, string>,
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
      // A runner that ignored its signal and returned was still cancelled.
      controller.signal.throwIfAborted();
      this.record(job, { state: 'done', progress: 1, etaSeconds: null, message: 'Done.' });
    } catch (err) {
      if (!this.project.isOpen) return;
      const reason = this.cancelReasons.get(job.id);
      this.cancelReasons.delete(job.id);
      if (controller.signal.aborted) {
        this.record(job, { state: this.stopped ? 'interrupted' : 'cancelled', etaSeconds: null, message: this.stopped ? interruptedMessage(job.kind) : (reason ?? 'Cancelled.') });
      } else if (isRemovedMeanwhile(err)) {
        // What the job wrote for (a video, a model) was removed under it: a stop, not a fault.
        this.record(job, { state: 'cancelled', etaSeconds: null, message: REMOVED_MEANWHILE_MESSAGE });
      } else {
        const message = explainSystemError(err)?.message ?? (err instanceof Error ? err.message : String(err));
        this.record(job, { state: 'failed', etaSeconds: null, error: message, message: 'Failed.', appendLog: String((err as Error)?.stack ?? message) });
      }
    }
  }
}

function staleMessage(job: Job, issues: string): string {
  return `The stored settings of ${job.kind} job ${job.id} do not read (${issues}); it was probably queued by another version of AU Workbench.`;
}
