import type { Workbench } from '../../workbench';
import { labelHistory, labelsForFrame, labelsForVideo, setLabel } from '../../services/store/labels';
import { exportLabelsFile, importLabelsFile } from '../../services/export/labelsFile';
import type { HandlerSlice } from './types';

type M = 'labels/set' | 'labels/forFrame' | 'labels/forVideo' | 'labels/history' | 'labels/import' | 'labels/export';

export function labelHandlers(workbench: Workbench): HandlerSlice<M> {
  const db = () => workbench.requireProject().db;
  return {
    'labels/set': (w) => {
      const project = workbench.requireProject();
      const label = setLabel(project.db, w, project.auSet().aus);
      workbench.events.emit('data/changed', { domain: 'labels', videoId: w.videoId });
      return label;
    },
    'labels/forFrame': ({ videoId, frame }) => labelsForFrame(db(), videoId, frame),
    'labels/forVideo': ({ videoId }) => labelsForVideo(db(), videoId),
    'labels/history': ({ videoId, frame, limit, annotator }) => labelHistory(db(), videoId, frame, limit, annotator),

    'labels/import': ({ path: file, format, videoId, annotator }) => {
      const r = importLabelsFile(workbench.requireProject(), workbench.platform.paths.check(file), { format, videoId, annotator });
      for (const v of r.videoIds) workbench.events.emit('data/changed', { domain: 'labels', videoId: v });
      return { format: r.format, imported: r.imported, videos: r.videoIds.length, skippedEmpty: r.skippedEmpty };
    },
    'labels/export': ({ path: file, format, videoId, annotator, overwrite }) =>
      exportLabelsFile(workbench.requireProject(), workbench.platform.paths.check(file), { format, videoId, annotator, overwrite }),
  };
}
