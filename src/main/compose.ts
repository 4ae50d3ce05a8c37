import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Handlers } from '../shared/contract';
import { createHandlers } from './api/handlers/index';
import { Workbench } from './workbench';
import { appRoot } from './paths';
import { importVideo } from './services/media/backend/import';
import { learnRunners } from './services/learn/backend/jobs';
import { suggestJob } from './services/learn/backend/suggestJob';
import { EventBus } from './events';
import { browserMediaUrl, electronMediaUrl, PathPolicy, type Platform } from './platform';
import { Settings } from './settings';
import type { ShellKind } from '../shared/types';
import { ApiError } from '../shared/errors';

export function appVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(appRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export interface ComposeOptions {
  shell: ShellKind;
  roots?: string[];
  settingsDir?: string;
  pickDirectory?: Platform['pickDirectory'];
  pickVideos?: Platform['pickVideos'];
  demoDir?: string | null;
  /** The URL a <video> loads a project video from; browser mode signs it (see transport/guards). */
  mediaUrl?: Platform['mediaUrl'];
}


/**
 * Roots named by the person starting the app: the --root flags exactly when there are any
 * (AUW_ROOTS is then ignored, so what the command line says is all there is); otherwise
 * AUW_ROOTS. An empty --root is refused: it would silently mean the working directory.
 */
export function namedRoots(flags: string[] = [], env = process.env.AUW_ROOTS): string[] {
  if (flags.length) {
    for (const r of flags) {
      if (r.trim() === '') {
        throw new ApiError('invalid_argument', '--root was given an empty folder name. Name a folder, e.g. --root ~/au-projects, or leave --root out to use your home folder and the current folder.');
      }
    }
    return [...new Set(flags.map((r) => path.resolve(r)))];
  }
  return (env ?? '')
    .split(path.delimiter)
    .filter((r) => r.trim() !== '')
    .map((r) => path.resolve(r));
}

/**
 * Folders the browser-mode UI may reach: exactly the named roots when there are any;
 * otherwise the home folder and the working directory, except a file-system root (a service
 * started from /, a user whose home is /), which is a root only when named.
 */
export function resolveRoots(flags: string[] = [], env = process.env.AUW_ROOTS): string[] {
  const named = namedRoots(flags, env);
  if (named.length) return named;
  return [os.homedir(), process.cwd()].map((r) => path.resolve(r)).filter((r) => path.parse(r).root !== r);
}

/** Wires services, events and handlers the same way for every shell. */
export function compose(opts: ComposeOptions): { workbench: Workbench; handlers: Handlers; events: EventBus } {
  const events = new EventBus();
  const platform: Platform = {
    shell: opts.shell,
    version: appVersion(),
    paths: new PathPolicy(opts.roots ?? resolveRoots()),
    mediaUrl: opts.mediaUrl ?? (opts.shell === 'electron' ? electronMediaUrl : browserMediaUrl),
    ...(opts.pickDirectory ? { pickDirectory: opts.pickDirectory } : {}),
    ...(opts.pickVideos ? { pickVideos: opts.pickVideos } : {}),
  };
  const settings = new Settings(path.join(opts.settingsDir ?? Settings.defaultDir(), 'settings.json'));
  const demoDir = opts.demoDir === undefined ? (process.env.AUW_DEMO_DIR ?? path.join(appRoot(), '.demo-data')) : opts.demoDir;
  const workbench = new Workbench(platform, settings, events, { import: importVideo, ...learnRunners, suggest: suggestJob }, demoDir);
  return { workbench, handlers: createHandlers(workbench), events };
}
