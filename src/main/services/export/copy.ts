/**
 * An export folder's files copied to a folder the user names (`auw export --out`, the desktop
 * app's Save as): only the files an export writes (.csv, .json), each checked first, built in a
 * temporary folder and moved into place as one (FolderStage), so a refused name, an existing
 * file (without overwrite) or a full disk leaves the destination as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import type { Project } from '../store/project';
import { FolderStage } from '../files/safe-write';

export const EXPORT_EXTENSIONS = ['.csv', '.json'];

export interface CopyOptions {
  overwrite: boolean;
  /** The destination must not exist yet (Save as names a new folder). */
  fresh?: boolean;
}

export function copyExport(project: Project, relDir: string, dest: string, o: CopyOptions): string {
  const source = project.path('exports', relDir);
  if (!fs.statSync(source, { throwIfNoEntry: false })?.isDirectory()) throw new ApiError('not_found', `There is no export ${relDir}. Export again.`);
  const target = path.resolve(dest);
  if (o.fresh && fs.lstatSync(target, { throwIfNoEntry: false })) throw new ApiError('conflict', `${target} already exists; nothing was overwritten. Choose another folder.`);
  const files = fs.readdirSync(source, { withFileTypes: true }).filter((f) => f.isFile() && !f.name.startsWith('.') && EXPORT_EXTENSIONS.includes(path.extname(f.name).toLowerCase()));
  const stage = FolderStage.begin(target, { extensions: EXPORT_EXTENSIONS, overwrite: o.overwrite });
  try {
    // Every target is checked before the first is written: all land, or none.
    for (const f of files) stage.check(f.name);
    for (const f of files) stage.write(f.name, fs.readFileSync(path.join(source, f.name)));
    return stage.commit();
  } catch (err) {
    stage.abort();
    throw err;
  }
}
