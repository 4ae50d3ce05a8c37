import fs from 'node:fs';
import type { JobManager } from '../../jobs/manager';
import { jobParams } from '../../jobs/kinds';
import type { Project } from '../../store/project';
import { deleteVideo, getVideo } from '../../store/videos';
import { cropFileFor } from '../cropFile';
import { proxyFileFor } from './proxy';

/**
 * Removes a video from the project as one operation: its row (frames, labels, samples and
 * predictions go with it by foreign key), then its crop file and playable copy.
 */
export async function removeVideo(project: Project, videoId: number, jobs: JobManager): Promise<void> {
  const video = getVideo(project.db, videoId); // a clear not_found before anything changes
  // Its import first, so no job is left writing frames for a row that is gone: a retry names
  // the video; a first import (running) is known by its file.
  await jobs.cancelWhere((job, running) => {
    const p = jobParams(job, ['import']);
    return p !== null && (p.videoId === videoId || (p.videoId === undefined && running && p.path === video.path));
  }, `Cancelled: ${video.name} was removed from the project.`);
  deleteVideo(project.db, videoId);
  fs.rmSync(cropFileFor(project.dir, videoId), { force: true });
  fs.rmSync(proxyFileFor(project.dir, videoId), { force: true });
}
