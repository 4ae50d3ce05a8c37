/**
 * Every error that crosses the API boundary carries one of these codes, so both transports
 * and the UI can react to the kind of failure without parsing messages.
 */
export type ErrorCode =
  | 'invalid_argument'
  | 'unknown_method'
  | 'unauthorized'
  | 'not_found'
  | 'not_a_project'
  | 'newer_version'
  | 'locked'
  | 'read_only'
  /** The disk holding the project (or the chosen file) has no space left; nothing was written. */
  | 'disk_full'
  /** The project database is damaged (a bad page, a torn file). */
  | 'corrupt'
  /** The request came from another web page (Origin or Fetch Metadata say so). */
  | 'forbidden'
  /** The request body is over the size limit. */
  | 'too_large'
  | 'conflict'
  | 'no_project'
  | 'unavailable'
  | 'internal';

export interface ApiErrorShape {
  code: ErrorCode;
  message: string;
}

/** An error whose message is written for the person using the app: what happened, what to do. */
export class ApiError extends Error implements ApiErrorShape {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toJSON(): ApiErrorShape {
    return { code: this.code, message: this.message };
  }
}

/** The message a person sees when a write found the disk full (the same wording everywhere). */
export const DISK_FULL_MESSAGE = 'The disk holding the project is full; free space and try again — nothing was saved.';

export type Envelope<T> = { ok: true; result: T } | { ok: false; error: ApiErrorShape };
