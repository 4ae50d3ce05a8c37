import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import type { Workbench } from '../../workbench';
import { copyExport } from '../../services/export/copy';
import { exportPredictions } from '../../services/export/run';
import type { HandlerSlice } from './types';

export function exportHandlers(workbench: Workbench): HandlerSlice<'export/run' | 'export/saveAs' | 'export/copy'> {
  return {
    'export/run': ({ modelId, videoId, videoIds }) => exportPredictions(workbench.requireProject(), modelId, videoIds ?? videoId),
    'export/copy': ({ relDir, dir, overwrite }) => copyExport(workbench.requireProject(), relDir, workbench.platform.paths.check(dir), { overwrite }),
    /** Electron: copy an export folder to a place the user picks in a native dialog. */
    'export/saveAs': async ({ relDir }) => {
      const project = workbench.requireProject();
      if (!fs.statSync(project.path('exports', relDir), { throwIfNoEntry: false })?.isDirectory()) throw new ApiError('not_found', `There is no export ${relDir}. Export again.`);
      if (!workbench.platform.pickDirectory) throw new ApiError('unavailable', 'Save dialogs exist in the desktop app; in browser mode the files download.');
      const target = await workbench.platform.pickDirectory('Save the export into…');
      if (!target) return null;
      return copyExport(project, relDir, path.join(target, relDir), { overwrite: false, fresh: true });
    },
  };
}
