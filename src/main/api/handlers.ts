import fs from 'node:fs';
import path from 'node:path';
import type { Handlers } from '../../shared/contract';
import { ApiError } from '../../shared/errors';
import type { DirEntry } from '../../shared/types';
import type { Backend } from '../backend';
import { labelHistory, labelsForFrame, labelsForVideo, setLabel } from '../services/store/labels';
import { getPredictions, listModels } from '../services/store/models';
import { DB_FILE } from '../services/store/project';
import { labellingQueue, listSampleSets } from '../services/store/samples';
import { listVideos, setSubject } from '../services/store/videos';

const VIDEO_EXTENSIONS = new Set(['.mp4', '.mov', '.avi', '.mkv', '.webm']);

/** Binds every contract method to the services. Arguments arrive already validated. */
export function createHandlers(backend: Backend): Handlers {
  const { platform, settings } = backend;
  const db = () => backend.requireProject().db;
  const changed = (domain: 'labels' | 'videos', videoId?: number) => backend.events.emit('data/changed', { domain, videoId });

  return {
    'app/info': () => ({
      version: platform.version,
      shell: platform.shell,
      platform: process.platform,
      nativeDialogs: Boolean(platform.pickDirectory),
      demo: { available: false, reason: 'The demo project needs the demo videos, which come with video ingest (not built yet).' },
      browseRoots: platform.paths.roots,
    }),

    'fs/list': ({ dir }) => {
      const target = platform.paths.check(dir ?? platform.paths.roots[0] ?? process.cwd());
      let names: fs.Dirent[];
      try {
        names = fs.readdirSync(target, { withFileTypes: true });
      } catch (err) {
        throw new ApiError('not_found', `Cannot list ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
      }
      const entries: DirEntry[] = names
        .filter((d) => !d.name.startsWith('.') && (d.isDirectory() || VIDEO_EXTENSIONS.has(path.extname(d.name).toLowerCase())))
        .map((d) => {
          const full = path.join(target, d.name);
          return { name: d.name, path: full, kind: d.isDirectory() ? 'dir' : 'file', isProject: d.isDirectory() && fs.existsSync(path.join(full, DB_FILE)) } as DirEntry;
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

    'projects/recent': () => settings.recent(),
    'projects/create': async ({ dir, name, auSet, cropSize }) =>
      (await backend.create(platform.paths.check(dir), { name, auSet, cropSize })).summary(),
    'projects/open': async ({ dir }) => (await backend.open(platform.paths.check(dir))).summary(),
    'projects/openDemo': () => {
      throw new ApiError('unavailable', 'The demo project is not available yet: it needs the demo videos from video ingest.');
    },
    'projects/current': () => backend.project?.summary() ?? null,
    'projects/close': async () => {
      await backend.close();
      return null;
    },
    'projects/forget': ({ dir }) => settings.forget(dir),

    'aus/sets': () => backend.requireProject().auSets(),

    'videos/list': () => listVideos(db()),
    'videos/setSubject': ({ videoId, subject }) => {
      const video = setSubject(db(), videoId, subject);
      changed('videos', videoId);
      return video;
    },

    'samples/list': ({ videoId }) => listSampleSets(db(), videoId),
    'samples/queue': ({ videoId }) => labellingQueue(db(), videoId),

    'labels/set': (w) => {
      const project = backend.requireProject();
      const label = setLabel(project.db, w, project.auSet().aus);
      changed('labels', w.videoId);
      return label;
    },
    'labels/forFrame': ({ videoId, frame }) => labelsForFrame(db(), videoId, frame),
    'labels/forVideo': ({ videoId }) => labelsForVideo(db(), videoId),
    'labels/history': ({ videoId, frame, limit }) => labelHistory(db(), videoId, frame, limit),

    'jobs/list': ({ limit }) => backend.requireJobs().list(limit),
    'jobs/cancel': ({ jobId }) => backend.requireJobs().cancel(jobId),

    'models/list': () => listModels(db()),
    'predictions/get': ({ modelId, videoId }) => getPredictions(db(), modelId, videoId),
  };
}
