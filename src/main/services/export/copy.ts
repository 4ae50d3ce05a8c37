/**
 * An export folder's files copied to a folder the user names (`auw export --out`): only the
 * files an export writes (.csv, .json), each checked first and then written atomically, so a
 * refused name or an existing file (without overwrite) leaves the destination untouched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import type { Project } from '../store/project';
import { checkWriteTarget, writeFileAtomic } from '../files/safe-write';

export const EXPORT_EXTENSIONS = ['.csv', '.json'];

export function copyExport(project: Project, relDir: string, dest: string, overwrite: boolean): string {
  const source = project.path('exports', relDir);
  if (!fs.statSync(source, { throwIfNoEntry: false })?.isDirectory()) throw new ApiError('not_found', `There is no export ${relDir}. Export again.`);
  const target = path.resolve(dest);
  const stat = fs.lstatSync(target, { throwIfNoEntry: false });
  if (stat && !stat.isDirectory()) throw new ApiError('invalid_argument', `${target} is ${stat.isSymbolicLink() ? 'a symbolic link' : 'a file'}, not a folder. Name a folder for the export.`);
  const files = fs.readdirSync(source, { withFileTypes: true }).filter((f) => f.isFile() && EXPORT_EXTENSIONS.includes(path.extname(f.name).toLowerCase()));
  // Every target is checked before the first is written: all land, or none.
  for (const f of files) checkWriteTarget(path.join(target, f.name), { extensions: EXPORT_EXTENSIONS, overwrite });
  fs.mkdirSync(target, { recursive: true });
  for (const f of files) writeFileAtomic(path.join(target, f.name), fs.readFileSync(path.join(source, f.name)), { extensions: EXPORT_EXTENSIONS, overwrite });
  return target;
}
