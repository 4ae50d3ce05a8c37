import { ApiError } from '../../../shared/errors';
import type { Workbench } from '../../workbench';
import { computeAgreement } from '../../services/agreement/agreement';
import { listCoders } from '../../services/store/coders';
import { createDoubleCodingSets, listDoubleCoding } from '../../services/store/doubleCoding';
import { getLabelRule, setLabelRule } from '../../services/store/labelRule';
import { getVideo, listVideos } from '../../services/store/videos';
import type { HandlerSlice } from './types';

type M = 'coder/get' | 'coder/set' | 'coders/list' | 'doubleCoding/list' | 'doubleCoding/create' | 'agreement/compute' | 'labels/rule' | 'labels/setRule';

/** Coders (this machine's, and who labelled what), double coding, agreement and the training rule. */
export function codingHandlers(workbench: Workbench): HandlerSlice<M> {
  const project = () => workbench.requireProject();
  const db = () => project().db;
  return {
    'coder/get': () => ({ name: workbench.settings.coder() }),
    'coder/set': ({ name }) => {
      const saved = workbench.settings.setCoder(name);
      workbench.events.emit('data/changed', { domain: 'coder' });
      return { name: saved };
    },
    'coders/list': ({ videoId }) => {
      if (videoId !== undefined) getVideo(db(), videoId);
      return listCoders(db(), videoId);
    },

    'doubleCoding/list': ({ videoId }) => listDoubleCoding(db(), videoId),
    'doubleCoding/create': ({ videoId, percent, seed }) => {
      const targets = videoId !== undefined ? [getVideo(db(), videoId)] : listVideos(db()).filter((v) => v.status === 'ready' && v.sampled > 0);
      if (!targets.length) throw new ApiError('invalid_argument', 'No video has sampled frames yet, so there is nothing to double-code. Sample frames first (Videos tab, or `auw sample`).');
      const sets = createDoubleCodingSets(
        db(),
        targets.map((v) => v.id),
        { percent, ...(seed !== undefined ? { seed } : {}) },
      );
      workbench.events.emit('data/changed', { domain: 'samples' });
      return sets;
    },

    'agreement/compute': ({ coderA, coderB, videoId, limit, presenceAt }) =>
      computeAgreement(db(), project().auSet().aus, { limit, presenceAt, ...(coderA !== undefined ? { coderA } : {}), ...(coderB !== undefined ? { coderB } : {}), ...(videoId !== undefined ? { videoId } : {}) }),

    'labels/rule': () => getLabelRule(db()),
    'labels/setRule': ({ rule }) => {
      const saved = setLabelRule(db(), rule);
      workbench.events.emit('data/changed', { domain: 'rule' });
      return saved;
    },
  };
}
