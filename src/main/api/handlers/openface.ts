import { ApiError } from '../../../shared/errors';
import type { Workbench } from '../../workbench';
import { compareOpenFace } from '../../services/openface/compare';
import { importOpenFace } from '../../services/openface/import';
import { deleteOpenFaceTrack, getOpenFaceTrack, listOpenFaceTracks } from '../../services/store/openface';
import { getVideo } from '../../services/store/videos';
import type { HandlerSlice } from './types';

type M = 'openface/import' | 'openface/list' | 'openface/get' | 'openface/remove' | 'openface/compare';

export function openFaceHandlers(workbench: Workbench): HandlerSlice<M> {
  const project = () => workbench.requireProject();
  const db = () => project().db;
  return {
    'openface/import': async ({ videoId, path, replace }) => {
      const file = workbench.platform.paths.check(path);
      const result = await importOpenFace(project(), { videoId, file, replace });
      workbench.events.emit('data/changed', { domain: 'openface', videoId });
      return result;
    },
    'openface/list': () => listOpenFaceTracks(db()),
    'openface/get': ({ videoId }) => {
      getVideo(db(), videoId);
      return getOpenFaceTrack(db(), videoId);
    },
    'openface/remove': ({ videoId }) => {
      const video = getVideo(db(), videoId);
      if (!deleteOpenFaceTrack(db(), videoId)) throw new ApiError('not_found', `${video.name} has no OpenFace track to remove.`);
      workbench.events.emit('data/changed', { domain: 'openface', videoId });
      return null;
    },
    'openface/compare': ({ videoId, modelId }) => {
      if (videoId !== undefined) getVideo(db(), videoId);
      return compareOpenFace(db(), project().auSet().aus, { ...(videoId !== undefined ? { videoId } : {}), ...(modelId !== undefined ? { modelId } : {}) });
    },
  };
}
