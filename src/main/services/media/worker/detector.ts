/**
 * The pipeline's detect stage in a worker thread: the face detector runs on its own core, ahead
 * of the landmark net on the main thread, so the two face models overlap instead of taking turns.
 * Each side runs tfjs wasm with one thread: on two cores, two single-threaded models beat one
 * model on two threads (XNNPACK's pool waits on a core that is busy with the other model).
 *
 * The thread also runs the landmark net on the faces it detects, while it keeps up. A detected
 * frame's landmarks depend on its own detection only, not on the tracker, so they can be computed
 * ahead; up to a third of the landmark work (k = 3) leaves the main thread, which was the bottleneck
 * (bench:ingest, demo video on a fast Xeon: 97 → 106 frames/s).
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { appRoot, runningFromBundle } from '../../../paths';
import { FaceEngine, type DetectMode, type FaceDetection, type FaceEngineOptions, type RgbImage } from './faces';

export const DETECTOR_ROLE = 'auw:face-detector';

/** Where face detection runs: the detector thread, or this thread when no thread could start. */
export interface Detector {
  readonly where: 'thread' | 'inline';
  /** The whole frame's faces; mode 'scan' also looks for small ones (see FaceEngine.detect). */
  detect(image: RgbImage, mode?: DetectMode): Promise<FaceDetection[]>;
  /** Milliseconds the detector itself spent (on its own thread when threaded). */
  readonly detectMs: number;
  /** Milliseconds the thread spent on landmarks of its detections (0 inline: the tracker runs them). */
  readonly landmarkMs: number;
  readonly calls: number;
  /** Of calls: acquisition scans. */
  readonly scans: number;
  close(): Promise<void>;
}

type Request = { id: number; data: Uint8Array; width: number; height: number; mode: DetectMode };
type Reply = { id: number; dets?: FaceDetection[]; error?: string; detectMs: number; landmarkMs: number } | { ready: true } | { failed: string };

/**
 * Detections per frame the thread computes landmarks for, best score first: one person's video
 * has one, and a second covers the tracker choosing another face than the best-scoring one. Any
 * other face the tracker picks gets its landmarks on the tracker's thread.
 */
export const THREAD_LANDMARK_FACES = 2;

/**
 * Requests waiting behind the current one at which the thread stops adding landmarks. The detect
 * stage asks for every grid frame of READ_AHEAD decoded frames (8 at k = 3): a thread that keeps up
 * has one or two waiting; one that is the bottleneck piles them up, skips landmarks and catches up.
 */
export const THREAD_LANDMARKS_BELOW_BACKLOG = 3;

export interface DetectorThreadOptions extends Pick<FaceEngineOptions, 'detectorInputSize' | 'minScore'> {
  /** The landmark net to run on detections (the tracker's own), or 'none' for detection only. */
  landmarkModel: 'tiny' | 'full' | 'none';
}

function threadEntry(): { file: string | URL; source?: string } {
  if (runningFromBundle()) return { file: path.join(appRoot(), 'out/main/worker.js') };
  const here = path.dirname(fileURLToPath(import.meta.url));
  return { file: path.join(here, 'detector-boot.mjs'), source: pathToFileURL(path.join(here, 'detector.ts')).href };
}

/** A detector in a worker thread; resolves once its models are loaded, rejects if it cannot start. */
export async function startDetectorThread(opts: DetectorThreadOptions): Promise<Detector> {
  const entry = threadEntry();
  const worker = new Worker(entry.file, { workerData: { role: DETECTOR_ROLE, source: entry.source, opts } });
  const waiting = new Map<number, { resolve: (d: FaceDetection[]) => void; reject: (e: Error) => void }>();
  let next = 0;
  let detectMs = 0;
  let landmarkMs = 0;
  let calls = 0;
  let scans = 0;
  let dead: Error | null = null;
  const failAll = (err: Error) => {
    dead ??= err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (m: Reply) => {
      if ('ready' in m) return resolve();
      if ('failed' in m) return reject(new Error(m.failed));
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      detectMs += m.detectMs;
      landmarkMs += m.landmarkMs;
      calls++;
      if (m.error !== undefined) w?.reject(new Error(m.error));
      else w?.resolve(m.dets!);
    });
    worker.on('error', (err) => {
      reject(err);
      failAll(err);
    });
    worker.on('exit', (code) => {
      const err = new Error(`The face detector thread stopped (exit code ${code}).`);
      reject(err);
      failAll(err);
    });
  });
  return {
    where: 'thread',
    get detectMs() {
      return detectMs;
    },
    get landmarkMs() {
      return landmarkMs;
    },
    get calls() {
      return calls;
    },
    get scans() {
      return scans;
    },
    detect(image, mode = 'full') {
      if (dead) return Promise.reject(dead);
      const id = next++;
      if (mode === 'scan') scans++;
      // A copy travels (transferred, not cloned): the caller keeps its frame for the landmark net.
      const data = image.data.slice();
      const p = new Promise<FaceDetection[]>((resolve, reject) => waiting.set(id, { resolve, reject }));
      worker.postMessage({ id, data, width: image.width, height: image.height, mode } satisfies Request, [data.buffer]);
      return p;
    },
    async close() {
      failAll(new Error('The face detector was closed.'));
      await worker.terminate();
    },
  };
}

/** Detection on the calling thread: where threads are unavailable, and for tests of the stage itself. */
export function inlineDetector(engine: FaceEngine): Detector {
  const start = { ms: engine.timings.detectMs, calls: engine.timings.detectCalls, scans: engine.timings.scanCalls };
  return {
    where: 'inline',
    get detectMs() {
      return engine.timings.detectMs - start.ms;
    },
    landmarkMs: 0,
    get calls() {
      return engine.timings.detectCalls - start.calls;
    },
    get scans() {
      return engine.timings.scanCalls - start.scans;
    },
    detect: (image, mode) => engine.detect(image, { mode: mode ?? 'full' }),
    close: async () => {},
  };
}

/** The thread's side: load the detector, answer requests in order. */
export async function runDetectorThread(): Promise<void> {
  const port = parentPort!;
  const data = workerData as { opts: DetectorThreadOptions };
  let engine: FaceEngine;
  try {
    engine = await FaceEngine.load(data.opts);
  } catch (err) {
    port.postMessage({ failed: err instanceof Error ? err.message : String(err) } satisfies Reply);
    return;
  }
  // One request at a time, in order: the queue's length is how far behind the thread is.
  const queue: Request[] = [];
  let busy = false;
  const answer = async (m: Request) => {
    const lm0 = engine.timings.landmarkMs;
    const det0 = engine.timings.detectMs;
    const spent = () => ({ detectMs: engine.timings.detectMs - det0, landmarkMs: engine.timings.landmarkMs - lm0 });
    try {
      const image = { data: m.data, width: m.width, height: m.height };
      const dets = await engine.detect(image, { mode: m.mode });
      // tfjs wasm never yields to the event loop: let the requests that came meanwhile into the queue.
      await new Promise((resolve) => setImmediate(resolve));
      // Landmarks only while the thread keeps up: behind, it leaves them to the tracker's thread,
      // so the two threads balance whichever model is slower on this CPU.
      if (engine.landmarkModel !== 'none' && queue.length < THREAD_LANDMARKS_BELOW_BACKLOG) {
        const top = dets.slice(0, THREAD_LANDMARK_FACES);
        const lms = await engine.landmarks(top.map((d) => ({ image, box: d.box })));
        top.forEach((d, i) => (d.landmarks = lms[i]));
      }
      port.postMessage({ id: m.id, dets, ...spent() } satisfies Reply);
    } catch (err) {
      port.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err), ...spent() } satisfies Reply);
    }
  };
  port.on('message', async (m: Request) => {
    queue.push(m);
    if (busy) return;
    busy = true;
    while (queue.length) await answer(queue.shift()!);
    busy = false;
  });
  port.postMessage({ ready: true } satisfies Reply);
}

/** True inside a thread started by startDetectorThread (the bundled worker entry asks). */
export function isDetectorThread(): boolean {
  return !isMainThread && (workerData as { role?: string } | null)?.role === DETECTOR_ROLE;
}
