import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import type { Backend } from '../../backend';
import { exportPredictions } from '../../services/export/run';
import type { HandlerSlice } from './types';

export function exportHandlers(backend: Backend): HandlerSlice<'export/run' | 'export/saveAs'> {
  return {
    'export/run': ({ modelId, videoId }) => exportPredictions(backend.requireProject(), modelId, videoId),
    /** Electron: copy an export folder to a place the user picks in a native dialog. */
    'export/saveAs': async ({ relDir }) => {
      const project = backend.requireProject();
      const source = project.path('exports', relDir);
      if (!fs.existsSync(source)) throw new ApiError('not_found', `There is no export ${relDir}. Export again.`);
      if (!backend.platform.pickDirectory) throw new ApiError('unavailable', 'Save dialogs exist in the desktop app; in browser mode the files download.');
      const target = await backend.platform.pickDirectory('Save the export into…');
      if (!target) return null;
      const dest = path.join(target, relDir);
      fs.cpSync(source, dest, { recursive: true, errorOnExist: true, force: false });
      return dest;
    },
  };
}
