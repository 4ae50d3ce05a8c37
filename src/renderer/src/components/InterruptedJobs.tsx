import { useState } from 'react';
import type { Job } from '@shared/types';
import { useApi, useQuery } from '../api/hooks';
import { jobTitle } from './JobPanel';
import { useNotify } from './Notices';

/** Job kinds that continue from their last checkpoint through 'models/resume'. */
const RESUMABLE = new Set(['pretrain', 'finetune', 'predict']);

/**
 * Shown as soon as a project opens, whatever the view: training that a crash or a closed app
 * stopped is offered for resume (from its last checkpoint), so it is not found days later.
 */
export function InterruptedJobs() {
  const api = useApi();
  const notify = useNotify();
  const jobs = useQuery('jobs/list', { limit: 50 }, ['project']);
  const [handled, setHandled] = useState<Set<number>>(new Set());
  const interrupted = (jobs.data ?? []).filter((j) => RESUMABLE.has(j.kind) && j.state === 'interrupted' && !handled.has(j.id));
  if (!interrupted.length) return null;
  const done = (job: Job) => setHandled((s) => new Set(s).add(job.id));
  return (
    <section className="notice-inline interrupted" aria-label="Interrupted training">
      {interrupted.map((job) => (
        <p key={job.id}>
          <strong>{jobTitle(job)}</strong> was interrupted when the app closed or crashed. It can continue from its last checkpoint.{' '}
          <button
            type="button"
            onClick={() =>
              api.call('models/resume', { jobId: job.id }).then(
                () => {
                  done(job);
                  notify('info', `Resuming ${jobTitle(job)}: follow it in Train.`);
                },
                (e: Error) => notify('error', e.message),
              )
            }
          >
            Resume
          </button>{' '}
          <button type="button" className="ghost" onClick={() => done(job)}>
            Not now
          </button>
        </p>
      ))}
    </section>
  );
}
