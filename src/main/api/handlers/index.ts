import type { Handlers } from '../../../shared/contract';
import type { Backend } from '../../backend';
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
export function createHandlers(backend: Backend): Handlers {
  return {
    ...appHandlers(backend),
    ...projectHandlers(backend),
    ...videoHandlers(backend),
    ...sampleHandlers(backend),
    ...labelHandlers(backend),
    ...modelHandlers(backend),
    ...predictionHandlers(backend),
    ...jobHandlers(backend),
    ...exportHandlers(backend),
    ...codingHandlers(backend),
    ...openFaceHandlers(backend),
    ...neutralHandlers(backend),
  };
}
