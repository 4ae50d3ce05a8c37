import { ApiError } from '../../../shared/errors';
import type { Workbench } from '../../workbench';
import { createOrGrowSampleSet, labellingQueue, listSampleSets } from '../../services/store/samples';
import { getVideo, listVideos } from '../../services/store/videos';
import { listModels } from '../../services/store/models';
import { getModel } from '../../services/store/models';
import type { SuggestJobParams } from '../../services/learn/backend/suggestJob';
import type { HandlerSlice } from './types';

type M = 'samples/list' | 'samples/create' | 'samples/queue' | 'samples/suggest';

export function sampleHandlers(workbench: Workbench): HandlerSlice<M> {
  const db = () => workbench.requireProject().db;
  return {
    'samples/list': ({ videoId }) => listSampleSets(db(), videoId),
    'samples/create': ({ videoId, percent, strategy, seed, minGap }) => {
      const targets = videoId ? [getVideo(db(), videoId)] : listVideos(db()).filter((v) => v.status === 'ready');
      if (!targets.length) throw new ApiError('invalid_argument', 'There are no imported videos to sample. Import videos first.');
      const sets = targets.map((v) => createOrGrowSampleSet(db(), { videoId: v.id, percent, strategy, ...(seed !== undefined ? { seed } : {}), ...(minGap !== undefined ? { minGap } : {}) }));
      // A double-coding share stays as it was (fixed once set aside): the Agreement tab shows what it lacks and grows it on request.
      workbench.events.emit('data/changed', { domain: 'samples' });
      return sets;
    },
    'samples/queue': ({ videoId }) => labellingQueue(db(), videoId),
    'samples/suggest': ({ modelId, percent, videoIds }) => {
      // Checked before queuing, so a request that cannot work fails at once and queues nothing.
      const model = modelId !== undefined ? getModel(db(), modelId) : listModels(db()).find((m) => m.stage === 'finetune');
      if (!model) throw new ApiError('invalid_argument', 'Suggest frames needs a finetuned model, and there is none yet: label some sampled frames and click Finetune first.');
      if (model.stage !== 'finetune') throw new ApiError('invalid_argument', `${model.name} is only pretrained: suggestions need a finetuned model. Finetune it on your labels first.`);
      for (const v of (videoIds ?? []).map((id) => getVideo(db(), id))) {
        if (v.status !== 'ready') throw new ApiError('invalid_argument', `${v.name} is not imported yet: wait for its import to finish, or leave it out.`);
      }
      if (!listVideos(db()).some((v) => v.status === 'ready')) throw new ApiError('invalid_argument', 'There are no imported videos to suggest frames in. Import videos first.');
      const params: SuggestJobParams = { modelId: model.id, percent, ...(videoIds ? { videoIds: [...new Set(videoIds)] } : {}) };
      return workbench.requireJobs().add('suggest', params);
    },
  };
}
