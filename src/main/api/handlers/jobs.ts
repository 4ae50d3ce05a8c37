import type { Workbench } from '../../workbench';
import type { HandlerSlice } from './types';

type M = 'jobs/list' | 'jobs/cancel';

export function jobHandlers(workbench: Workbench): HandlerSlice<M> {
  return {
    'jobs/list': ({ limit }) => workbench.requireJobs().list(limit),
    'jobs/cancel': ({ jobId }) => workbench.requireJobs().cancel(jobId),
  };
}
