import type { Backend } from '../../backend';
import { labelHistory, labelsForFrame, labelsForVideo, setLabel } from '../../services/store/labels';
import { getPredictions, listModels } from '../../services/store/models';
import type { HandlerSlice } from './types';

type M = 'labels/set' | 'labels/forFrame' | 'labels/forVideo' | 'labels/history' | 'jobs/list' | 'jobs/cancel' | 'models/list' | 'predictions/get';

export function labelHandlers(backend: Backend): HandlerSlice<M> {
  const db = () => backend.requireProject().db;
  return {
    'labels/set': (w) => {
      const project = backend.requireProject();
      const label = setLabel(project.db, w, project.auSet().aus);
      backend.events.emit('data/changed', { domain: 'labels', videoId: w.videoId });
      return label;
    },
    'labels/forFrame': ({ videoId, frame }) => labelsForFrame(db(), videoId, frame),
    'labels/forVideo': ({ videoId }) => labelsForVideo(db(), videoId),
    'labels/history': ({ videoId, frame, limit, annotator }) => labelHistory(db(), videoId, frame, limit, annotator),

    'jobs/list': ({ limit }) => backend.requireJobs().list(limit),
    'jobs/cancel': ({ jobId }) => backend.requireJobs().cancel(jobId),

    'models/list': () => listModels(db()),
    'predictions/get': ({ modelId, videoId }) => getPredictions(db(), modelId, videoId),
  };
}
