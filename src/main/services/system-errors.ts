/**
 * Turns the errors that SQLite and the file system throw into ApiErrors a person can act on.
 * Without this a full disk, a damaged database or a folder given where a file was expected
 * reached the UI as "internal" (HTTP 500) with a raw errno in it. Every boundary (the API
 * dispatch, the job manager) passes unknown errors through here.
 */
import { ApiError, DISK_FULL_MESSAGE } from '../../shared/errors';

interface CodedError {
  code?: unknown;
  path?: unknown;
  message?: unknown;
}

function codeOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as CodedError).code) : '';
}

function pathOf(err: unknown): string | null {
  const p = typeof err === 'object' && err !== null ? (err as CodedError).path : undefined;
  return typeof p === 'string' ? p : null;
}

export const CORRUPT_ADVICE =
  'Close the project and restore project.sqlite from a backup; `sqlite3 project.sqlite ".recover"` can often rescue the labels into a new file.';

/** Matches the disk-full wording of SQLite and the OS, also when only a message survived (a worker's error). */
export function isDiskFull(err: unknown): boolean {
  const code = codeOf(err);
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return true;
  if (err instanceof ApiError) return err.code === 'disk_full';
  const message = err instanceof Error ? err.message : String(err);
  return /ENOSPC|EDQUOT|no space left on device|database or disk is full|disk quota exceeded/i.test(message);
}

/**
 * A write refused because the row it belongs to (a video, a model) was removed meanwhile:
 * SQLite's foreign key check, also when only its message survived.
 */
export function isRemovedMeanwhile(err: unknown): boolean {
  if (codeOf(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY') return true;
  return err instanceof Error && !(err instanceof ApiError) && /FOREIGN KEY constraint failed/.test(err.message);
}

export const REMOVED_MEANWHILE_MESSAGE =
  'Stopped: the video or model this was working on was removed from the project meanwhile. Nothing more was written for it; start again if it is still needed.';

/** The ApiError for a known system failure, or null when the error is not one we can explain. */
export function explainSystemError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  const code = codeOf(err);
  const where = pathOf(err);
  const at = where ? ` (${where})` : '';
  if (isDiskFull(err)) {
    return new ApiError('disk_full', where && !/project\.sqlite/.test(where) ? `The disk holding ${where} is full; free space and try again — nothing was saved.` : DISK_FULL_MESSAGE);
  }
  if (isRemovedMeanwhile(err)) return new ApiError('conflict', REMOVED_MEANWHILE_MESSAGE);
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new ApiError('corrupt', `The project database is damaged (${(err as Error).message}). Nothing more was written. ${CORRUPT_ADVICE}`);
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') {
    return new ApiError('read_only', `The project cannot be written${at}: the disk or folder is read-only. Copy the project to a writable folder and open the copy.`);
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new ApiError('locked', 'The project database is busy (another program holds it). Close that program and try again.');
  }
  switch (code) {
    case 'EISDIR':
      return new ApiError('invalid_argument', `${where ?? 'That path'} is a folder, not a file. Choose a file.`);
    case 'ENOTDIR':
      return new ApiError('invalid_argument', `${where ?? 'That path'} goes through a file as if it were a folder. Check the path.`);
    case 'ENAMETOOLONG':
      return new ApiError('invalid_argument', `${where ? `The path ${where.slice(0, 120)}… ` : 'That path '}is too long for the file system (a name over 255 bytes, or the whole path over the limit). Choose a shorter name.`);
    case 'ENOENT':
      return new ApiError('not_found', `There is no file or folder at ${where ?? 'that path'}. Check the path.`);
    case 'EACCES':
    case 'EPERM':
      return new ApiError('read_only', `AU Workbench is not allowed to use ${where ?? 'that path'} (permissions). Choose another place, or change the permissions.`);
    case 'ELOOP':
      return new ApiError('invalid_argument', `${where ?? 'That path'} goes through too many symbolic links. Choose the real file.`);
    case 'EEXIST':
      return new ApiError('conflict', `${where ?? 'That file'} already exists; nothing was overwritten. Choose a new name.`);
    case 'EMFILE':
    case 'ENFILE':
      return new ApiError('unavailable', 'Too many files are open right now. Close some programs and try again.');
    default:
      return null;
  }
}
