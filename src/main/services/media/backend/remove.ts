import fs from 'node:fs';
import type { Project } from '../../store/project';
import { deleteVideo, getVideo } from '../../store/videos';
import { cropFileFor } from '../cropFile';
import { proxyFileFor } from './proxy';

/**
 * Removes a video from the project as one operation: its row (frames, labels, samples and
 * predictions go with it by foreign key), then its crop file and playable copy.
 */
export function removeVideo(project: Project, videoId: number): void {
  getVideo(project.db, videoId); // a clear not_found before anything changes
  deleteVideo(project.db, videoId);
  fs.rmSync(cropFileFor(project.dir, videoId), { force: true });
  fs.rmSync(proxyFileFor(project.dir, videoId), { force: true });
}
