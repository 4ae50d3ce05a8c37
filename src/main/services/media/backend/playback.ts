import fs from 'node:fs';
import type { Project } from '../../store/project';
import { requireSource } from '../sourceCheck';
import { proxyFileFor } from './proxy';

/** The file a <video> element should play: the proxy where the import made one, else the original. */
export function playbackFile(project: Project, videoId: number): string {
  const proxy = proxyFileFor(project.dir, videoId);
  // The playable copy was made from the imported file; the original is played only while it still is that file.
  return fs.existsSync(proxy) ? proxy : requireSource(project.db, videoId);
}
