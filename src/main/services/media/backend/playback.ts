import fs from 'node:fs';
import type { Project } from '../../store/project';
import { videoSource } from '../../store/videos';
import { proxyFileFor } from './proxy';

/** The file a <video> element should play: the proxy where the import made one, else the original. */
export function playbackFile(project: Project, videoId: number): string {
  const proxy = proxyFileFor(project.dir, videoId);
  return fs.existsSync(proxy) ? proxy : videoSource(project.db, videoId).path;
}
