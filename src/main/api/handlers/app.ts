import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import type { DirEntry } from '../../../shared/types';
import type { Workbench } from '../../workbench';
import { VIDEO_EXTENSIONS } from '../../services/media/backend/import';
import { DB_FILE } from '../../services/store/project';
import type { HandlerSlice } from './types';

export function appHandlers(workbench: Workbench): HandlerSlice<'app/info' | 'fs/list' | 'fs/pickDirectory' | 'fs/pickVideos'> {
  const { platform } = workbench;
  return {
    'app/info': () => ({
      version: platform.version,
      shell: platform.shell,
      platform: process.platform,
      nativeDialogs: Boolean(platform.pickDirectory),
      demo: workbench.demoStatus(),
      browseRoots: platform.paths.roots,
    }),

    'fs/list': ({ dir, files }) => {
      const extensions = files === 'csv' ? ['.csv'] : VIDEO_EXTENSIONS;
      const target = platform.paths.check(dir ?? platform.paths.roots[0] ?? process.cwd());
      let names: fs.Dirent[];
      try {
        names = fs.readdirSync(target, { withFileTypes: true });
      } catch (err) {
        throw new ApiError('not_found', `Cannot list ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
      }
      const entries: DirEntry[] = names
        .filter((d) => !d.name.startsWith('.') && (d.isDirectory() || extensions.includes(path.extname(d.name).toLowerCase())))
        .map((d): DirEntry => {
          const full = path.join(target, d.name);
          return { name: d.name, path: full, kind: d.isDirectory() ? 'dir' : 'file', isProject: d.isDirectory() && fs.existsSync(path.join(full, DB_FILE)) };
        })
        .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'dir' ? -1 : 1));
      const parent = path.dirname(target);
      return { dir: target, parent: parent !== target && platform.paths.allows(parent) ? parent : null, entries };
    },

    'fs/pickDirectory': async ({ title }) => {
      if (!platform.pickDirectory) throw new ApiError('unavailable', 'This shell has no native folder dialog; use the folder browser.');
      const picked = await platform.pickDirectory(title);
      if (picked) platform.paths.grant(picked);
      return picked;
    },

    'fs/pickVideos': async ({ title }) => {
      if (!platform.pickVideos) throw new ApiError('unavailable', 'This shell has no native file dialog; use the file browser.');
      const picked = await platform.pickVideos(title);
      for (const p of picked) platform.paths.grant(p);
      return picked;
    },
  };
}
