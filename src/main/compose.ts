import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Handlers } from '../shared/contract';
import { createHandlers } from './api/handlers';
import { Backend } from './backend';
import { EventBus } from './events';
import { PathPolicy, type Platform } from './platform';
import { Settings } from './settings';
import type { ShellKind } from '../shared/types';

export function appVersion(): string {
  try {
    const here = path.dirname(fileURLToPath(import.meta.url));
    for (const candidate of [path.join(here, '../../package.json'), path.join(here, '../../../package.json')]) {
      if (fs.existsSync(candidate)) return (JSON.parse(fs.readFileSync(candidate, 'utf8')) as { version: string }).version;
    }
  } catch {
    /* version is cosmetic */
  }
  return '0.0.0';
}

export interface ComposeOptions {
  shell: ShellKind;
  roots?: string[];
  settingsDir?: string;
  pickDirectory?: Platform['pickDirectory'];
}

/** Folders the UI may reach by default: the user's home and the working directory. */
export function defaultRoots(extra: string[] = []): string[] {
  const fromEnv = (process.env.AUW_ROOTS ?? '').split(path.delimiter).filter(Boolean);
  return [...extra, ...fromEnv, os.homedir(), process.cwd()];
}

/** Wires services, events and handlers the same way for every shell. */
export function compose(opts: ComposeOptions): { backend: Backend; handlers: Handlers; events: EventBus } {
  const events = new EventBus();
  const platform: Platform = {
    shell: opts.shell,
    version: appVersion(),
    paths: new PathPolicy(opts.roots ?? defaultRoots()),
    ...(opts.pickDirectory ? { pickDirectory: opts.pickDirectory } : {}),
  };
  const settings = new Settings(path.join(opts.settingsDir ?? Settings.defaultDir(), 'settings.json'));
  const backend = new Backend(platform, settings, events);
  return { backend, handlers: createHandlers(backend), events };
}
