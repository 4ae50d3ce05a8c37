import { realish } from './services/files/real-path';
import path from 'node:path';
import type { ShellKind } from '../shared/types';
import { ApiError } from '../shared/errors';

/**
 * What differs between shells sits behind this one interface: dialogs, and which folders the
 * UI may reach. Services ask it; they never check which shell they run in.
 */
export interface Platform {
  readonly shell: ShellKind;
  readonly version: string;
  /** Native folder dialog (Electron). Browser mode has none: its UI browses `browseRoots`. */
  pickDirectory?(title?: string): Promise<string | null>;
  /** Native multi-file dialog for videos (Electron). */
  pickVideos?(title?: string): Promise<string[]>;
  readonly paths: PathPolicy;
  /** A URL the renderer can put in <video src> for a project video. */
  mediaUrl(videoId: number): string;
}

export const browserMediaUrl = (videoId: number) => `/media/video/${videoId}`;
export const electronMediaUrl = (videoId: number) => `auw-media://video/${videoId}`;

/**
 * Paths the UI may name: inside a configured root, or a path the user picked in a native
 * dialog. Everything else is refused, so a compromised page cannot reach arbitrary files.
 */
export class PathPolicy {
  private readonly granted = new Set<string>();
  readonly roots: string[];

  constructor(roots: string[]) {
    this.roots = [...new Set(roots.map((r) => realish(path.resolve(r))))];
  }

  grant(p: string): void {
    this.granted.add(realish(path.resolve(p)));
  }

  allows(p: string): boolean {
    const abs = realish(path.resolve(p));
    return [...this.roots, ...this.granted].some((root) => abs === root || abs.startsWith(root.endsWith(path.sep) ? root : root + path.sep));
  }

  check(p: string): string {
    if (!path.isAbsolute(p)) throw new ApiError('invalid_argument', `"${p}" is not an absolute path. Choose the folder with the folder picker.`);
    const abs = path.resolve(p);
    if (!this.allows(abs)) {
      throw new ApiError(
        'invalid_argument',
        `${abs} is outside the folders AU Workbench may use (${this.roots.join(', ')}). Choose a folder inside them, or start with --root <folder>.`,
      );
    }
    return abs;
  }
}

