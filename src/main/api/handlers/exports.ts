import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import type { Workbench } from '../../workbench';
import { copyExport } from '../../services/export/copy';
import { exportPredictions } from '../../services/export/run';
import { checkWriteTarget, writeFileAtomic } from '../../services/files/safe-write';

const EXPORT_EXTENSIONS = ['.csv', '.json'];
import type { HandlerSlice } from './types';

export function exportHandlers(workbench: Workbench): HandlerSlice<'export/run' | 'export/saveAs' | 'export/copy'> {
  return {
    'export/run': ({ modelId, videoId, videoIds }) => exportPredictions(workbench.requireProject(), modelId, videoIds ?? videoId),
    'export/copy': ({ relDir, dir, overwrite }) => copyExport(workbench.requireProject(), relDir, workbench.platform.paths.check(dir), overwrite),
    /** Electron: copy an export folder to a place the user picks in a native dialog. */
    'export/saveAs': async ({ relDir }) => {
      const project = workbench.requireProject();
      const source = project.path('exports', relDir);
      if (!fs.statSync(source, { throwIfNoEntry: false })?.isDirectory()) throw new ApiError('not_found', `There is no export ${relDir}. Export again.`);
      if (!workbench.platform.pickDirectory) throw new ApiError('unavailable', 'Save dialogs exist in the desktop app; in browser mode the files download.');
      const target = await workbench.platform.pickDirectory('Save the export into…');
      if (!target) return null;
      const dest = path.join(target, relDir);
      if (fs.lstatSync(dest, { throwIfNoEntry: false })) throw new ApiError('conflict', `${dest} already exists; nothing was overwritten. Choose another folder.`);
      // Only the files an export writes, each one new, atomically, never through a link.
      const files = fs.readdirSync(source, { withFileTypes: true }).filter((f) => f.isFile() && EXPORT_EXTENSIONS.includes(path.extname(f.name).toLowerCase()));
      for (const f of files) checkWriteTarget(path.join(dest, f.name), { extensions: EXPORT_EXTENSIONS });
      fs.mkdirSync(dest);
      for (const f of files) writeFileAtomic(path.join(dest, f.name), fs.readFileSync(path.join(source, f.name)), { extensions: EXPORT_EXTENSIONS });
      return dest;
    },
  };
}
