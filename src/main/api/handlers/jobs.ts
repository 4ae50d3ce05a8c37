import type { Backend } from '../../backend';
import type { HandlerSlice } from './types';

type M = 'jobs/list' | 'jobs/cancel';

export function jobHandlers(backend: Backend): HandlerSlice<M> {
  return {
    'jobs/list': ({ limit }) => backend.requireJobs().list(limit),
    'jobs/cancel': ({ jobId }) => backend.requireJobs().cancel(jobId),
  };
}
