import type { Handlers } from '../../../shared/contract';
import type { Workbench } from '../../workbench';
import { appHandlers } from './app';
import { codingHandlers } from './coding';
import { exportHandlers } from './exports';
import { jobHandlers } from './jobs';
import { labelHandlers } from './labels';
import { modelHandlers } from './models';
import { neutralHandlers } from './neutral';
import { openFaceHandlers } from './openface';
import { predictionHandlers } from './predictions';
import { projectHandlers } from './projects';
import { sampleHandlers } from './samples';
import { videoHandlers } from './videos';

/** Binds every contract method to the services; the type fails if a method is left out. */
export function createHandlers(workbench: Workbench): Handlers {
  return {
    ...appHandlers(workbench),
    ...projectHandlers(workbench),
    ...videoHandlers(workbench),
    ...sampleHandlers(workbench),
    ...labelHandlers(workbench),
    ...modelHandlers(workbench),
    ...predictionHandlers(workbench),
    ...jobHandlers(workbench),
    ...exportHandlers(workbench),
    ...codingHandlers(workbench),
    ...openFaceHandlers(workbench),
    ...neutralHandlers(workbench),
  };
}
