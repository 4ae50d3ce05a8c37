import { ApiError } from '../../../shared/errors';
import type { Workbench } from '../../workbench';
import { addNeutralMark, clearNeutralOfPerson, listNeutral, removeNeutralMark } from '../../services/store/neutral';
import { getVideo } from '../../services/store/videos';
import type { Db } from '../../services/store/db';
import type { NeutralSubject } from '../../../shared/types';
import type { HandlerSlice } from './types';

type M = 'neutral/list' | 'neutral/mark' | 'neutral/clear';

/** The person of a video after a change, as the Label and Review views show it. */
function personOfVideo(db: Db, videoId: number): NeutralSubject {
  const [p] = listNeutral(db, videoId);
  if (!p) throw new ApiError('internal', `Video ${videoId} belongs to no person; reload the video list.`);
  return p;
}

export function neutralHandlers(workbench: Workbench): HandlerSlice<M> {
  const db = () => workbench.requireProject().db;
  const changed = (videoId: number) => workbench.events.emit('data/changed', { domain: 'neutral', videoId });
  return {
    'neutral/list': ({ videoId }) => listNeutral(db(), videoId),
    'neutral/mark': ({ videoId, firstFrame, lastFrame, coder }) => {
      addNeutralMark(db(), { videoId, firstFrame, coder, ...(lastFrame !== undefined ? { lastFrame } : {}) });
      changed(videoId);
      return personOfVideo(db(), videoId);
    },
    'neutral/clear': ({ markId, videoId }) => {
      if (markId !== undefined) {
        const from = removeNeutralMark(db(), markId);
        changed(from);
        return personOfVideo(db(), from);
      }
      const video = getVideo(db(), videoId!);
      if (!clearNeutralOfPerson(db(), video.id)) throw new ApiError('not_found', `${video.subject ?? video.name} has no neutral frames marked; there is nothing to clear.`);
      changed(video.id);
      return personOfVideo(db(), video.id);
    },
  };
}
