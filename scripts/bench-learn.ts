// npm run bench:learn — the learning engine on the demo data, subject-independent:
//   (a) scratch + 2 % labels   (b) contrastive pretraining, then 2 % labels
//   (c) scratch + 100 % labels (d) HOG + landmark geometry + ridge on the same 2 % labels
// Subjects are split three ways: training, validation (early stopping, λ of the baseline) and
// test (never labelled, never pretrained on). Figures are ICC(3,1) and MAE against the ground
// truth of every face frame of the test subjects' videos. Options:
//   --preset quick|default|tiny  --pretrain-steps N  --finetune-steps N  --head-steps N
//   --percent P (default 2)  --seed N  --work DIR  --fresh (re-import the videos)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { MetricsTable, ModelRow } from '../src/shared/types';
import { auColumn, DISFA_AUS } from '../src/shared/aus';
import { CropFileReader, cropFileFor } from '../src/main/services/media/cropFile';
import { MetricsAccumulator } from '../src/main/services/learn/metrics';
import { hog, normalizeShape, RidgeModel } from '../src/main/services/learn/worker/baseline';
import { initBackend, tf } from '../src/main/services/learn/worker/tfjs';
import { PRESETS, type PresetName } from '../src/main/services/learn/config';
import { openBench } from './bench-common';

const root = path.resolve(import.meta.dirname, '..');
const { values: opt } = parseArgs({
  options: {
    preset: { type: 'string', default: 'quick' },
    'pretrain-steps': { type: 'string' },
    'finetune-steps': { type: 'string' },
    'head-steps': { type: 'string' },
    percent: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    work: { type: 'string' },
    demo: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const preset = opt.preset as PresetName;
const percent = Number(opt.percent);
const seed = Number(opt.seed);
const demoDir = path.resolve(opt.demo ?? process.env.AUW_DEMO_DIR ?? path.join(root, '.demo-data'));
const work = path.resolve(opt.work ?? path.join(demoDir, 'bench-learn'));
const only = new Set((opt.only ?? 'a,b,c,d').split(','));
const log = (s: string) => process.stderr.write(`[bench-learn] ${s}\n`);

const bench = await openBench({ demoDir, work, name: 'bench-learn', seed, fresh: opt.fresh, log });
const { call, waitJob, project, db, videos, subjects, aus, testIds, trainval, inner, valFraction, setLabels, testMetrics, modelTestMetrics } = bench;
const subj = bench.subjectsOf;
log(`${subjects.length} subjects; ${bench.splitText}`);

interface Row {
  setting: string;
  labels: number;
  steps: string;
  seconds: number;
  fps: number | null;
  gflops: number | null;
  table: MetricsTable;
}
const rows: Row[] = [];
const stamp = Date.now().toString(36);
const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
const ftSteps = num(opt['finetune-steps']);
const headSteps = num(opt['head-steps']);
const preSteps = num(opt['pretrain-steps']);

async function finetune(label: string, parentId: number | null, pct: number): Promise<{ model: ModelRow; seconds: number }> {
  const frames = setLabels(pct);
  log(`${label}: ${frames} labelled frames (${pct} % of the training and validation subjects' face frames)`);
  const t0 = performance.now();
  const job = await call('models/finetune', {
    name: `bench-${label}-${stamp}`,
    parentId,
    preset,
    valFraction,
    seed,
    videoIds: trainval.map((v) => v.id),
    ...(ftSteps !== undefined ? { fullSteps: ftSteps } : {}),
    ...(headSteps !== undefined ? { headSteps } : {}),
  });
  await waitJob(job.id);
  const model = (await call('models/list', {})).find((m) => m.name === `bench-${label}-${stamp}`)!;
  return { model, seconds: (performance.now() - t0) / 1000 };
}

function learnedRow(setting: string, m: ModelRow, seconds: number, extra: { steps?: string; seconds?: number; labels: number }): Row {
  const p = m.params as { steps: number; framesPerSec: number; stepSeconds?: number; flopsPerStep?: number };
  return {
    setting,
    labels: extra.labels,
    steps: extra.steps ?? String(p.steps),
    seconds: extra.seconds ?? seconds,
    fps: p.framesPerSec,
    gflops: p.flopsPerStep && p.stepSeconds ? p.flopsPerStep / p.stepSeconds / 1e9 : null,
    table: modelTestMetrics(m),
  };
}

const labelCount = (pct: number) => {
  setLabels(pct);
  return (db.prepare('SELECT count(DISTINCT video_id || \':\' || frame_idx) AS n FROM labels').get() as { n: number }).n;
};

// (a) scratch, 2 %
if (only.has('a')) {
  const { model, seconds } = await finetune('a', null, percent);
  rows.push(learnedRow(`(a) scratch, ${percent} % labels`, model, seconds, { labels: labelCount(percent) }));
}
// (b) pretrain, then 2 %
if (only.has('b')) {
  const t0 = performance.now();
  const job = await call('models/pretrain', { name: `bench-pre-${stamp}`, preset, seed, videoIds: trainval.map((v) => v.id), ...(preSteps !== undefined ? { steps: preSteps } : {}) });
  await waitJob(job.id);
  const pre = (await call('models/list', {})).find((m) => m.name === `bench-pre-${stamp}`)!;
  const preSeconds = (performance.now() - t0) / 1000;
  const pp = pre.params as { steps: number; framesPerSec: number; stepSeconds?: number; flopsPerStep?: number };
  log(`pretrained ${pp.steps} steps in ${preSeconds.toFixed(0)} s (${pp.framesPerSec.toFixed(0)} frames/s)`);
  const { model, seconds } = await finetune('b', pre.id, percent);
  const r = learnedRow(`(b) pretrain + ${percent} % labels`, model, seconds, { labels: labelCount(percent), steps: `${pp.steps} + ${String(model.params.steps)}`, seconds: preSeconds + seconds });
  r.fps = pp.framesPerSec;
  r.gflops = pp.flopsPerStep && pp.stepSeconds ? pp.flopsPerStep / pp.stepSeconds / 1e9 : null;
  rows.push(r);
}
// (c) scratch, 100 %
if (only.has('c')) {
  const { model, seconds } = await finetune('c', null, 100);
  rows.push(learnedRow('(c) scratch, 100 % labels', model, seconds, { labels: labelCount(100) }));
}
// (d) HOG + geometry + ridge, same 2 % labels
if (only.has('d')) {
  const t0 = performance.now();
  setLabels(percent);
  const readers = new Map<number, CropFileReader>();
  for (const v of videos) readers.set(v.id, await CropFileReader.open(cropFileFor(project.dir, v.id)));
  const lmStmt = db.prepare('SELECT landmarks FROM frames WHERE video_id = ? AND idx = ?');
  let ref: Float32Array | null = null;
  const features = async (videoId: number, f: number): Promise<Float32Array | null> => {
    const row = lmStmt.get(videoId, f) as { landmarks: Buffer | null } | undefined;
    if (!row?.landmarks) return null;
    const rec = await readers.get(videoId)!.read(f);
    if (rec.flag === 0) return null;
    const lm = new Float32Array(new Uint8Array(row.landmarks).buffer);
    ref ??= normalizeShape(lm, null);
    const geo = normalizeShape(lm, ref);
    const app = hog(rec.pixels, readers.get(videoId)!.header.cropSize);
    const x = new Float32Array(app.length + geo.length);
    x.set(app);
    x.set(geo, app.length);
    return x;
  };
  const labelled = db.prepare('SELECT video_id, frame_idx, au, avg(intensity) AS y FROM labels GROUP BY video_id, frame_idx, au').all() as { video_id: number; frame_idx: number; au: number; y: number }[];
  const byFrame = new Map<string, { videoId: number; frame: number; y: Map<number, number> }>();
  for (const l of labelled) {
    const k = `${l.video_id}:${l.frame_idx}`;
    if (!byFrame.has(k)) byFrame.set(k, { videoId: l.video_id, frame: l.frame_idx, y: new Map() });
    byFrame.get(k)!.y.set(l.au, l.y);
  }
  const sets = { train: [] as { x: Float32Array; y: number[] }[], val: [] as { x: Float32Array; y: number[] }[] };
  for (const s of byFrame.values()) {
    const x = await features(s.videoId, s.frame);
    if (!x) continue;
    (inner.val.includes(s.videoId) ? sets.val : sets.train).push({ x, y: aus.map((au) => s.y.get(au) ?? 0) });
  }
  const Y = aus.map((_, a) => Float64Array.from(sets.train, (s) => s.y[a]!));
  let best: { lambda: number; icc: number; model: RidgeModel } | null = null;
  for (const lambda of [0.01, 0.1, 1, 10, 100, 1000, 10000]) {
    const m = new RidgeModel(lambda).fit(sets.train.map((s) => s.x), Y);
    const acc = new MetricsAccumulator(aus);
    for (const s of sets.val) {
      const p = m.predict(s.x);
      aus.forEach((au, a) => acc.add(au, s.y[a]!, p[a]!));
    }
    const icc = acc.table('val').mean.icc ?? -Infinity;
    if (!best || icc > best.icc) best = { lambda, icc, model: m };
  }
  log(`baseline: ${sets.train.length} training frames, λ = ${best!.lambda} (validation ICC ${best!.icc.toFixed(3)})`);
  const preds = new Map<string, number[]>();
  for (const id of testIds) {
    const v = videos.find((x) => x.id === id)!;
    for (let f = 0; f < v.frameCount; f++) {
      const x = await features(id, f);
      if (x) preds.set(`${id}:${f}`, best!.model.predict(x));
    }
  }
  for (const r of readers.values()) await r.close();
  rows.push({
    setting: `(d) HOG + geometry + ridge, ${percent} %`,
    labels: sets.train.length + sets.val.length,
    steps: `λ=${best!.lambda}`,
    seconds: (performance.now() - t0) / 1000,
    fps: null,
    gflops: null,
    table: testMetrics((id, f) => preds.get(`${id}:${f}`) ?? null),
  });
}

// ── plain matmul on the same backend, for scale ──
const backend = await initBackend();
const N = 1024;
const a = tf.randomNormal([N, N]);
const b = tf.randomNormal([N, N]);
tf.matMul(a, b).dataSync();
const reps = 8;
const m0 = performance.now();
for (let i = 0; i < reps; i++) tf.tidy(() => tf.matMul(a, b).dataSync());
const matmulGflops = (2 * N ** 3 * reps) / ((performance.now() - m0) / 1000) / 1e9;

// ── the table ──
const fmt = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? '–' : x.toFixed(d));
const shown = DISFA_AUS.filter((au) => aus.includes(au));
const lines: string[] = [];
lines.push(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
lines.push(`Backend: ${backend.kind}${backend.threads ? ` (${backend.threads} threads${backend.simd ? ', SIMD' : ''})` : ''}; preset ${preset} (${PRESETS[preset].model.channels.join('-')} channels, clip ${PRESETS[preset].model.clipLength})`);
lines.push(`Data: ${videos.length} demo videos, ${subjects.length} subjects; test subjects ${subj(testIds)} (${testIds.length} videos, every face frame scored against ground truth)`);
lines.push(`Plain 1024² matmul on this backend: ${matmulGflops.toFixed(1)} GFLOP/s`);
lines.push('');
lines.push(`| setting | labelled frames | steps | time (s) | train frames/s | step GFLOP/s | ICC avg | MAE avg | ${shown.map((au) => `ICC ${auColumn(au)}`).join(' | ')} |`);
lines.push(`| --- | --- | --- | --- | --- | --- | --- | --- | ${shown.map(() => '---').join(' | ')} |`);
for (const r of rows) {
  const per = shown.map((au) => fmt(r.table.perAu.find((m) => m.au === au)?.icc, 2));
  lines.push(`| ${r.setting} | ${r.labels} | ${r.steps} | ${r.seconds.toFixed(0)} | ${fmt(r.fps, 0)} | ${fmt(r.gflops, 2)} | ${fmt(r.table.mean.icc)} | ${fmt(r.table.mean.mae)} | ${per.join(' | ')} |`);
}
const byKey = (k: string) => rows.find((r) => r.setting.startsWith(k))?.table.mean.icc ?? null;
const [ia, ib, ic, id] = [byKey('(a)'), byKey('(b)'), byKey('(c)'), byKey('(d)')];
lines.push('');
lines.push('ICC is averaged over the AUs whose ICC is defined on the test frames (AUs that never occur there have none).');
if (ib !== null) {
  const check = (name: string, ok: boolean, detail: string) => lines.push(`target ${name}: ${ok ? 'met' : 'NOT met'} (${detail})`);
  if (ic !== null) check('(b) ≥ 0.9 × (c)', ib >= 0.9 * ic, `${ib.toFixed(3)} vs ${(0.9 * ic).toFixed(3)}`);
  if (ia !== null) check('(b) ≥ (a) + 0.15', ib >= ia + 0.15, `${ib.toFixed(3)} vs ${(ia + 0.15).toFixed(3)}`);
  if (id !== null) check('(b) ≥ (d) + 0.15', ib >= id + 0.15, `${ib.toFixed(3)} vs ${(id + 0.15).toFixed(3)}`);
}
console.log(lines.join('\n'));
fs.writeFileSync(path.join(work, `bench-learn-${stamp}.json`), JSON.stringify({ rows, matmulGflops, backend, preset, split: { train: inner.train, val: inner.val, test: testIds } }, null, 2));
await bench.app.workbench.close();
