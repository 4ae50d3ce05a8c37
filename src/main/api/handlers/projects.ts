import type { Workbench } from '../../workbench';
import type { HandlerSlice } from './types';

type M = 'projects/recent' | 'projects/create' | 'projects/open' | 'projects/openDemo' | 'projects/current' | 'projects/close' | 'projects/forget' | 'aus/sets';

export function projectHandlers(workbench: Workbench): HandlerSlice<M> {
  const { platform, settings } = workbench;
  return {
    'projects/recent': () => settings.recent(),
    'projects/create': async ({ dir, name, auSet, cropSize }) => (await workbench.create(platform.paths.check(dir), { name, auSet, cropSize })).summary(),
    'projects/open': async ({ dir }) => (await workbench.open(platform.paths.check(dir))).summary(),
    'projects/openDemo': async () => (await workbench.openDemo()).summary(),
    'projects/current': () => workbench.project?.summary() ?? null,
    'projects/close': async () => {
      await workbench.close();
      return null;
    },
    'projects/forget': ({ dir }) => settings.forget(dir),
    'aus/sets': () => workbench.requireProject().auSets(),
  };
}
