// Starts the detector thread from TypeScript source (unit tests, benchmarks, the dev CLI): a
// worker thread inherits no loader from its parent, so it registers tsx itself.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runDetectorThread } = await import(workerData.source);
await runDetectorThread();
