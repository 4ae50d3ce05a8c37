import { useEffect, useState } from 'react';
import type { Job } from '@shared/types';
import { useEvent, useQuery } from '../api/hooks';
import { importQueueEta } from './importEta';
import { useConfirmCancel } from './ConfirmCancel';

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  if (seconds < 60) return `${Math.ceil(seconds)} s left`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s left`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min left`;
}

const ACTIVE = new Set(['queued', 'running']);

/** What the job is about, in a word or two: the file it imports, the model it trains. */
export function jobTitle(job: Job): string {
  const p = job.params as { path?: unknown; name?: unknown; modelId?: unknown };
  const subject = typeof p.path === 'string' ? p.path.split(/[\\/]/).pop() : typeof p.name === 'string' ? p.name : typeof p.modelId === 'number' ? `model #${p.modelId}` : null;
  return subject ? `${job.kind} · ${subject}` : job.kind;
}

/** Live list of the project's jobs: progress, ETA, cancel, and readable errors. */
export function JobPanel() {
  const list = useQuery('jobs/list', { limit: 30 }, ['project']);
  const confirmCancel = useConfirmCancel();
  const [jobs, setJobs] = useState<Job[]>([]);
  useEffect(() => setJobs(list.data ?? []), [list.data]);
  // Re-rendered by each progress event, which is often enough for a minutes-scale estimate.
  const queue = importQueueEta(jobs);
  useEvent('jobs/progress', (job) => {
    setJobs((all) => (all.some((j) => j.id === job.id) ? all.map((j) => (j.id === job.id ? job : j)) : [job, ...all]));
  });

  return (
    <section className="panel jobs" aria-labelledby="jobs-title">
      <h2 id="jobs-title">Jobs</h2>
      {jobs.length === 0 && <p className="muted small">No jobs yet. Imports and training runs show up here with progress and time left.</p>}
      {queue && queue.count > 1 && (
        <p className="small" data-testid="import-queue-eta">
          {queue.count} imports to go{queue.etaSeconds !== null ? ` · all done in ≈ ${formatEta(queue.etaSeconds)}` : ' · time left once the first has a rate'}
        </p>
      )}
      <ul aria-label="Job list">
        {jobs.map((job) => (
          <li key={job.id} className={`job job-${job.state}`}>
            <div className="job-head">
              <strong className="job-title" title={jobTitle(job)}>
                {jobTitle(job)}
              </strong>
              <span className={`state state-${job.state}`}>{job.state}</span>
            </div>
            {ACTIVE.has(job.state) && (
              <>
                <progress max={1} value={job.progress} aria-label={`${job.kind} progress`} />
                <div className="job-meta small">
                  <span>{Math.round(job.progress * 100)} %</span>
                  <span>{formatEta(job.etaSeconds)}</span>
                </div>
                <button
                  type="button"
                  className="ghost small"
                  aria-label={`Cancel ${job.kind} job ${job.id}`}
                  onClick={() => confirmCancel.cancel(job)}
                >
                  Cancel
                </button>
              </>
            )}
            {job.message && job.state !== 'failed' && <p className="small muted">{job.message}</p>}
            {job.error && (
              <p className="small error-text" role="alert">
                {job.error}
              </p>
            )}
          </li>
        ))}
      </ul>
      {confirmCancel.dialog}
    </section>
  );
}
