import type { Backend } from '../../backend';
import type { HandlerSlice } from './types';

type M = 'projects/recent' | 'projects/create' | 'projects/open' | 'projects/openDemo' | 'projects/current' | 'projects/close' | 'projects/forget' | 'aus/sets';

export function projectHandlers(backend: Backend): HandlerSlice<M> {
  const { platform, settings } = backend;
  return {
    'projects/recent': () => settings.recent(),
    'projects/create': async ({ dir, name, auSet, cropSize }) => (await backend.create(platform.paths.check(dir), { name, auSet, cropSize })).summary(),
    'projects/open': async ({ dir }) => (await backend.open(platform.paths.check(dir))).summary(),
    'projects/openDemo': async () => (await backend.openDemo()).summary(),
    'projects/current': () => backend.project?.summary() ?? null,
    'projects/close': async () => {
      await backend.close();
      return null;
    },
    'projects/forget': ({ dir }) => settings.forget(dir),
    'aus/sets': () => backend.requireProject().auSets(),
  };
}
