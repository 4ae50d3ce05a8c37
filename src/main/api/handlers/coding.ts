import { ApiError } from '../../../shared/errors';
import type { Backend } from '../../backend';
import { computeAgreement } from '../../services/agreement/agreement';
import { listCoders } from '../../services/store/coders';
import { createDoubleCodingSets, listDoubleCoding } from '../../services/store/doubleCoding';
import { getLabelRule, setLabelRule } from '../../services/store/labelRule';
import { getVideo, listVideos } from '../../services/store/videos';
import type { HandlerSlice } from './types';

type M = 'coder/get' | 'coder/set' | 'coders/list' | 'doubleCoding/list' | 'doubleCoding/create' | 'agreement/compute' | 'labels/rule' | 'labels/setRule';

/** Coders (this machine's, and who labelled what), double coding, agreement and the training rule. */
export function codingHandlers(backend: Backend): HandlerSlice<M> {
  const project = () => backend.requireProject();
  const db = () => project().db;
  return {
    'coder/get': () => ({ name: backend.settings.coder() }),
    'coder/set': ({ name }) => {
      const saved = backend.settings.setCoder(name);
      backend.events.emit('data/changed', { domain: 'coder' });
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
      backend.events.emit('data/changed', { domain: 'samples' });
      return sets;
    },

    'agreement/compute': ({ coderA, coderB, videoId, limit }) =>
      computeAgreement(db(), project().auSet().aus, { limit, ...(coderA !== undefined ? { coderA } : {}), ...(coderB !== undefined ? { coderB } : {}), ...(videoId !== undefined ? { videoId } : {}) }),

    'labels/rule': () => getLabelRule(db()),
    'labels/setRule': ({ rule }) => {
      const saved = setLabelRule(db(), rule);
      backend.events.emit('data/changed', { domain: 'rule' });
      return saved;
    },
  };
}
