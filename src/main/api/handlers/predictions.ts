import type { Workbench } from '../../workbench';
import { listModels } from '../../services/store/models';
import { getPredictions } from '../../services/store/predictions';
import type { HandlerSlice } from './types';

/** Reading what models made; training and running them is the models slice. */
type M = 'models/list' | 'predictions/get';

export function predictionHandlers(workbench: Workbench): HandlerSlice<M> {
  const db = () => workbench.requireProject().db;
  return {
    'models/list': () => listModels(db()),
    'predictions/get': ({ modelId, videoId }) => getPredictions(db(), modelId, videoId),
  };
}
