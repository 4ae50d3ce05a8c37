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
//   The finetune's own prediction is the same code as the predict job (predictAndMeasure), so
//   --skip-predict-job leaves step 2 out where time is short; frames/s then come from step 1.
//   npm run bench:predict [-- --presets tiny,quick,default --steps 2 --batch 2 --fresh --skip-predict-job]
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
    'skip-predict-job': { type: 'boolean', default: false },
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

const started = ms();
const header = [
  'preset',
  'clip',
  'channels',
  'worker backend',
  'predict job s',
  'frames/s (job wall)',
  'frames/s (predict job, first → last video)',
  'frames/s (worker log)',
  'model saved → first track read by Review s',
  'model saved → last track stored s',
  'model saved → Finetune done s',
  'Finetune done → every track read s',
  "frames/s, Finetune's own prediction (worker log)",
  "frames/s, Finetune's own prediction (first → last video)",
];
const table = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');

/** Frames over the time from the first to the last predictions event in [from, to]: the first video's frames are not counted (its time is worker start + model load). */
function steadyRate(from: number, to: number): number {
  const tracks = seen.filter((e) => e.t >= from && e.t <= to && e.m.event === 'data/changed' && e.m.payload.domain === 'predictions');
  if (tracks.length < 2) return NaN;
  const first = tracks[0]!.m;
  const firstFrames = first.event === 'data/changed' ? (b.videos.find((v) => v.id === first.payload.videoId)?.frameCount ?? 0) : 0;
  return (totalFrames - firstFrames) / ((tracks.at(-1)!.t - tracks[0]!.t) / 1000);
}

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
  log(`${preset}: training ended ${((trainEnd - t0) / 1000).toFixed(1)} s in; first track readable +${((firstReadable - trainEnd) / 1000).toFixed(2)} s, done +${((done - trainEnd) / 1000).toFixed(1)} s`);

  // The Predict button: a predictions/run job over every frame of every video.
  let pjob: { seconds: number; rate: number; steady: number; worker: string } = { seconds: NaN, rate: NaN, steady: NaN, worker: '–' };
  if (!opt['skip-predict-job']) {
    const p0 = ms();
    const pj = await b.call('predictions/run', { modelId: model.id });
    await b.waitJob(pj.id);
    const p1 = ms();
    pjob = { seconds: (p1 - p0) / 1000, rate: totalFrames / ((p1 - p0) / 1000), steady: steadyRate(p0, p1), worker: workerRate(pj.id) };
    log(`${preset}: predict job ${pjob.seconds.toFixed(1)} s`);
  }
  const m = PRESETS[preset].model;
  const row = [
    preset,
    String(m.clipLength),
    m.channels.join('-'),
    (await b.modelByName(name)).backend ?? '–',
    f1(pjob.seconds),
    f1(pjob.rate),
    f1(pjob.steady),
    pjob.worker,
    ((firstReadable - trainEnd) / 1000).toFixed(2),
    ((lastTrack - trainEnd) / 1000).toFixed(2),
    ((done - trainEnd) / 1000).toFixed(2),
    (doneToAll / 1000).toFixed(3),
    workerRate(job.id),
    f1(steadyRate(trainEnd, done)),
  ];
  table.push(`| ${row.join(' | ')} |`);
  // Each row as soon as it is measured: a long preset that is stopped leaves the others' rows.
  log(table.at(-1)!);
}

const loadEnd = (await import('node:os')).loadavg()[0]!;
console.log(`Machine/backend: ${await machineLine()} (this process); load average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at the end`);
console.log(
  `Demo project: ${b.videos.length} videos, ${totalFrames} frames, ${labelled} labelled frames (${opt.percent} %). Each model finetuned from scratch for only ${steps} step(s) of batch ${batch}, no cross-validation: prediction cost does not depend on training length. Total ${((ms() - started) / 60000).toFixed(1)} min.`,
);
console.log('');
for (const line of table) console.log(line);
await b.app.workbench.close();
