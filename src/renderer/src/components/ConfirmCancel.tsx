import { useState, type ReactNode } from 'react';
import type { Job } from '@shared/types';
import { useApi } from '../api/hooks';
import { Dialog } from './Dialog';
import { useNotify } from './Notices';

/** Training kinds whose cancel keeps the last checkpoint (resumable from the Train view). */
const TRAINING = new Set(['pretrain', 'finetune']);
/** A run younger than this is cancelled at once: little is lost. */
export const ASK_AFTER_SECONDS = 60;

/** Seconds a job has run, by its start time (0 before it starts). */
export function runSeconds(job: Pick<Job, 'startedAt'>, now = Date.now()): number {
  return job.startedAt ? Math.max(0, (now - Date.parse(job.startedAt)) / 1000) : 0;
}

function duration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m} min`;
}

/**
 * Cancel with a question first for a training that has run for over a minute: one click must
 * not throw away a long run. Returns the function to call and the dialog to render.
 */
export function useConfirmCancel(): { cancel: (job: Job) => void; dialog: ReactNode } {
  const api = useApi();
  const notify = useNotify();
  const [asking, setAsking] = useState<Job | null>(null);
  const now = (job: Job) => api.call('jobs/cancel', { jobId: job.id }).catch((e: Error) => notify('error', e.message));
  const cancel = (job: Job) => {
    if (TRAINING.has(job.kind) && job.state === 'running' && runSeconds(job) > ASK_AFTER_SECONDS) setAsking(job);
    else void now(job);
  };
  const dialog = asking && (
    <Dialog title={`Cancel ${asking.kind}${typeof asking.params.name === 'string' ? ` ${asking.params.name}` : ''}?`} onClose={() => setAsking(null)} className="confirm-dialog">
      <p>
        It has run for {duration(runSeconds(asking))}. Cancelling stops it at its current step and keeps that step&apos;s checkpoint: the Train view then
        offers to resume it from there, or to discard it.
      </p>
      <div className="modal-actions">
        <button type="button" onClick={() => setAsking(null)}>
          Keep training
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => {
            void now(asking);
            setAsking(null);
          }}
        >
          Cancel the run
        </button>
      </div>
    </Dialog>
  );
  return { cancel, dialog: dialog || null };
}
