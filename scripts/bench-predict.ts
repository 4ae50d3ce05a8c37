// npm run bench:predict — how fast a trained model predicts every frame of the demo project, per
// preset, and how long after *Finetune done* the Review view can show the tracks (issue 13).
//
// Per preset, on the app's demo project (6 × 30 s; imported through the real ingest once, 2 %
// ground-truth labels), everything through the app's own API methods as the UI calls them:
//   1. models/finetune with the UI's default `predict: true` (it predicts every frame as its last
//      part), from scratch, at a SMALL step count and batch: prediction cost does not depend on
//      how long the model trained. Timed from the job's "model saved" event (data/changed
//      {domain: 'models'}, the end of training) to the first track that predictions/get (what
//      Review reads, per video) returns, and from the job's done event (jobs/progress, state
//      done) to models/list + predictions/get having returned every video's track.
//   2. predictions/run on that model (the Train/Review "Predict" button): the predict job over
//      every frame of every video; frames/s over the job's wall time (worker start and model
//      load included), between the first and last video's stored track (steady state), and the
//      worker's own figure from the job log.
//   npm run bench:predict [-- --presets tiny,quick,default --steps 2 --batch 2 --fresh]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { EventMessage } from '../src/shared/contract';
import { PRESETS, type PresetName } from '../src/main/services/learn/config';
import { machineLine, openBench } from './bench-common';
import { DEMO_DEFAULTS, generateDemoData } from './demo-data';

const root = path.resolve(import.meta.dirname, '..');
const { values: opt } = parseArgs({
  options: {
    presets: { type: 'string', default: 'tiny,quick,default' },
    steps: { type: 'string', default: '2' },
    batch: { type: 'string', default: '2' },
    percent: { type: 'string', default: '2' },
    demo: { type: 'string' },
    fresh: { type: 'boolean', default: false },
  },
});
const presets = opt.presets!.split(',') as PresetName[];
for (const p of presets) if (!(p in PRESETS)) throw new Error(`--presets: "${p}" is not one of ${Object.keys(PRESETS).join(', ')}`);
const steps = Number(opt.steps);
const batch = Number(opt.batch);
if (!Number.isInteger(steps) || steps < 1) throw new Error('--steps must be a whole number ≥ 1');
if (!Number.isInteger(batch) || batch < 1) throw new Error('--batch must be a whole number ≥ 1');
const demoDir = path.resolve(opt.demo ?? path.join(root, '.demo-data'));
const log = (s: string) => process.stderr.write(`[bench-predict] ${s}\n`);
const ms = () => performance.now();

if (!fs.existsSync(path.join(demoDir, 'manifest.json'))) {
  log('making the app demo set (6 × 30 s)…');
  await generateDemoData({ ...DEMO_DEFAULTS, out: demoDir, log });
}
const loadStart = (await import('node:os')).loadavg()[0]!;
const b = await openBench({ demoDir, work: path.join(demoDir, 'bench-predict'), name: 'bench-predict', seed: 1, fresh: opt.fresh, log });
const labelled = b.setLabels(Number(opt.percent), b.videos);
const totalFrames = b.videos.reduce((n, v) => n + v.frameCount, 0);
const tag = Date.now().toString(36);

/** Every event of the app's bus from now on, with the time it arrived. */
const seen: { t: number; m: EventMessage }[] = [];
b.app.events.subscribe((m) => seen.push({ t: ms(), m }));

/** The first event `match` accepts (from `since` on), with its arrival time. */
function nextEventAt(match: (m: EventMessage) => boolean, since: number): Promise<{ t: number; m: EventMessage }> {
  const old = seen.find((e) => e.t >= since && match(e.m));
  if (old) return Promise.resolve(old);
  return new Promise((resolve) => {
    const off = b.app.events.subscribe((m) => {
      if (!match(m)) return;
      off();
      resolve({ t: ms(), m });
    });
  });
}
const nextEvent = async (match: (m: EventMessage) => boolean, since: number) => (await nextEventAt(match, since)).t;
const nextEventMessage = async (match: (m: EventMessage) => boolean, since: number) => (await nextEventAt(match, since)).m;
const jobDone = (id: number) => (m: EventMessage) => m.event === 'jobs/progress' && m.payload.id === id && m.payload.state !== 'running' && m.payload.state !== 'queued';

/** Review's reads: the model list, then one predictions/get per video; ms until every track came back with data. */
async function reviewReadsAll(name: string): Promise<number> {
  const t0 = ms();
  const model = (await b.call('models/list', {})).find((m) => m.name === name);
  if (!model) throw new Error(`models/list has no ${name}`);
  for (const v of b.videos) {
    const track = await b.call('predictions/get', { modelId: model.id, videoId: v.id });
    if (!track || !Object.keys(track.values).length) throw new Error(`predictions/get returned no track for ${v.name}`);
  }
  return ms() - t0;
}

/** The predict worker's own "Predictions: N frames in S s (F frames/s)" line from the job log. */
function workerRate(jobId: number): string {
  const row = b.db.prepare('SELECT log FROM jobs WHERE id = ?').get(jobId) as { log: string } | undefined;
  const m = /Predictions: (\d+) frames in ([\d.]+) s \((\d+) frames\/s\)/.exec(row?.log ?? '');
  return m ? m[3]! : '–';
}

interface Row {
  preset: PresetName;
  backend: string;
  trainToFirst: number;
  trainToLast: number;
  trainToDone: number;
  doneToAll: number;
  jobSeconds: number;
  jobRate: number;
  steadyRate: number;
  worker: string;
}
const rows: Row[] = [];
const started = ms();

for (const preset of presets) {
  const name = `bp-${preset}-${tag}`;
  log(`${preset}: finetune ${steps} steps (batch ${batch}), predicting every frame as the default finetune does…`);
  const t0 = ms();
  const job = await b.call('models/finetune', { name, preset, parentId: null, headSteps: 0, fullSteps: steps, batchClips: batch, cvFolds: 0, valFraction: 0, evalEvery: 0, predict: true });
  const trainEnd = await nextEvent((m) => m.event === 'data/changed' && m.payload.domain === 'models', t0);
  // The first video's track: the first predictions event after training, then Review's read of it.
  const firstEvent = await nextEventMessage((m) => m.event === 'data/changed' && m.payload.domain === 'predictions', trainEnd);
  const model = (await b.call('models/list', {})).find((m) => m.name === name)!;
  const firstVideo = firstEvent.event === 'data/changed' ? firstEvent.payload.videoId! : NaN;
  const firstTrack = await b.call('predictions/get', { modelId: model.id, videoId: firstVideo });
  if (!firstTrack || !Object.keys(firstTrack.values).length) throw new Error(`predictions/get returned no track for video ${firstVideo} after its predictions event`);
  const firstReadable = ms();
  const done = await nextEvent(jobDone(job.id), t0);
  await b.waitJob(job.id);
  const doneToAll = await reviewReadsAll(name);
  const lastTrack = seen.filter((e) => e.t >= trainEnd && e.t <= done && e.m.event === 'data/changed' && e.m.payload.domain === 'predictions').at(-1)!.t;
  log(`${preset}: training ended ${((trainEnd - t0) / 1000).toFixed(1)} s in; first track readable +${((firstReadable - trainEnd) / 1000).toFixed(2)} s`);

  // The Predict button: a predictions/run job over every frame of every video.
  const p0 = ms();
  const pjob = await b.call('predictions/run', { modelId: model.id });
  await b.waitJob(pjob.id);
  const p1 = ms();
  const tracks = seen.filter((e) => e.t >= p0 && e.m.event === 'data/changed' && e.m.payload.domain === 'predictions');
  const firstRun = tracks[0]?.m.event === 'data/changed' ? tracks[0].m.payload.videoId : undefined;
  const framesAfterFirst = totalFrames - (b.videos.find((v) => v.id === firstRun)?.frameCount ?? 0);
  const steady = tracks.length > 1 ? framesAfterFirst / ((tracks.at(-1)!.t - tracks[0]!.t) / 1000) : NaN;
  const backend = (await b.modelByName(name)).backend ?? '–';
  rows.push({
    preset,
    backend,
    trainToFirst: (firstReadable - trainEnd) / 1000,
    trainToLast: (lastTrack - trainEnd) / 1000,
    trainToDone: (done - trainEnd) / 1000,
    doneToAll: doneToAll / 1000,
    jobSeconds: (p1 - p0) / 1000,
    jobRate: totalFrames / ((p1 - p0) / 1000),
    steadyRate: steady,
    worker: workerRate(pjob.id),
  });
  log(`${preset}: predict job ${((p1 - p0) / 1000).toFixed(1)} s`);
}

const loadEnd = (await import('node:os')).loadavg()[0]!;
console.log(`Machine/backend: ${await machineLine()} (this process); load average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at the end`);
console.log(
  `Demo project: ${b.videos.length} videos, ${totalFrames} frames, ${labelled} labelled frames (${opt.percent} %). Each model finetuned from scratch for only ${steps} step(s) of batch ${batch}, no cross-validation: prediction cost does not depend on training length. Total ${((ms() - started) / 60000).toFixed(1)} min.`,
);
console.log('');
console.log('| preset | clip | channels | training worker | predict job s | frames/s (job wall) | frames/s (steady) | frames/s (worker log) | model saved → first track read by Review s | model saved → last track stored s | model saved → Finetune done s | Finetune done → every track read s |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const m = PRESETS[r.preset].model;
  console.log(
    `| ${r.preset} | ${m.clipLength} | ${m.channels.join('-')} | ${r.backend} | ${r.jobSeconds.toFixed(1)} | ${r.jobRate.toFixed(0)} | ${Number.isFinite(r.steadyRate) ? r.steadyRate.toFixed(0) : '–'} | ${r.worker} | ${r.trainToFirst.toFixed(2)} | ${r.trainToLast.toFixed(2)} | ${r.trainToDone.toFixed(2)} | ${r.doneToAll.toFixed(3)} |`,
  );
}
await b.app.backend.close();
