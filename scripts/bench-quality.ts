// npm run bench:quality — on people the model never saw, does the one-click default (2 %
// labels) beat an OpenFace-style linear model, come near full supervision, and does the app's
// own verdict agree with the unseen people? (issues 15, 23)
//
// Data: one set per demo generator (issue 23), each made on first use and imported through the
// real ingest: `original` (scripts/demo-data.ts, 17 people × 60 s, .demo-data/quality-17x60) and
// `gen2` (scripts/demo-gen2.ts, 12 people × 40 s, 320×240 MPEG-4 AVI, .demo-data/quality-gen2-12x40).
// Each set gets its own table; a last table gives every setting's worst set, and the targets
// count as met only if met on every set (defaults are chosen by the worst set, never by one). People are split into k folds
// (default 3): each split tests one fold's people (never labelled; their frames are only seen
// unlabelled by pretraining, as in the app) and labels the others. Settings, on the same split
// and the same labelled frames:
//   (a) the one-click default on 2 % random labels: finetune from scratch with the app's
//       cross-validation over the labelled people, whose out-of-fold predictions choose each
//       AU's delivered track (network, baseline or a mix); scored on what the app delivers
//   (a′) the same model's network alone (its own tracks, before the mix)
//   (b) pretrain on every frame (no labels, once per seed: it does not depend on the split),
//       then finetune on the same 2 % (no cross-validation: the network alone)
//   (c) the one-click default on 100 % of the training people's frames
//   (d) HOG + landmark geometry, both minus the video's median, ridge with λ chosen by
//       cross-validation over the training people, the same 2 %
// (a)–(c) run as the app runs them: models/pretrain and models/finetune jobs with the preset's
// defaults, in a worker process. Scores: ICC(3,1), Pearson r and MAE against the ground truth
// of every face frame of the test people, per AU and averaged over the AUs that vary there.
// The verdict check compares the app's cross-validated verdict (from the labelled frames alone)
// with (a′) − (d) on the test people.
//   --preset quick  --folds 3  --seeds 1[,2…]  --percent 2  --only a,b,c,d
//   --landmark-units N: every finetune with the network's landmark stream (a candidate, off by default)
//   --generator original|gen2|all (default all; or a comma list)
//   --demo DIR (one folder made by either generator, instead of --generator)  --work DIR (with --demo)  --fresh (re-import)
//   --demo-timing: instead, time one-click Pretrain + Finetune (every default, cross-validation
//     included) on the app's demo project (6 videos × 30 s, 2 % labels), target 4 of issue 15
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Interval, MetricsTable, ModelComparison, ModelRow } from '../src/shared/types';
import { runTask } from '../src/main/worker/launch';
import { modelDirFor } from '../src/main/services/learn/backend/modelFolders';
import { auColumn, DISFA_AUS } from '../src/shared/aus';
import { PRESETS, type PresetName } from '../src/main/services/learn/config';
import { CropLibrary, type LabelledFrame } from '../src/main/services/learn/data';
import { BaselineFeatures, fitBaseline, predictBaselineVideo } from '../src/main/services/learn/worker/baseline';
import { labelledFrames, trainingVideos } from '../src/main/services/learn/backend/trainingData';
import { machineLine, openBench } from './bench-common';
import { DEMO_DEFAULTS, generateDemoData } from './demo-data';
import { GEN2_DEFAULTS, generateGen2Data } from './demo-gen2';

const root = path.resolve(import.meta.dirname, '..');
const { values: opt } = parseArgs({
  options: {
    preset: { type: 'string', default: 'quick' },
    folds: { type: 'string', default: '3' },
    seeds: { type: 'string', default: '1' },
    percent: { type: 'string', default: '2' },
    only: { type: 'string', default: 'a,b,c,d' },
    generator: { type: 'string', default: 'all' },
    demo: { type: 'string' },
    work: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    'landmark-units': { type: 'string', default: '0' },
    'demo-timing': { type: 'boolean', default: false },
  },
});
const preset = opt.preset as PresetName;
if (!(preset in PRESETS)) throw new Error(`--preset is one of ${Object.keys(PRESETS).join(', ')}`);
const k = Number(opt.folds);
const seeds = opt.seeds!.split(',').map(Number);
const percent = Number(opt.percent);
const only = new Set(opt.only!.split(','));
/** A candidate to measure against the default: the network's landmark input stream (0 = off, the default). */
const landmarkUnits = Number(opt['landmark-units']);
const log = (s: string) => process.stderr.write(`[bench-quality] ${s}\n`);
const started = performance.now();

if (opt['demo-timing']) {
  await demoTiming();
  process.exit(0);
}

/** Target 4: the app's demo project, pretrained and finetuned as the Train view's buttons do. */
async function demoTiming(): Promise<void> {
  const dir = path.join(root, '.demo-data');
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    log('making the app demo set (6 × 30 s)…');
    await generateDemoData({ ...DEMO_DEFAULTS, out: dir, log });
  }
  const b = await openBench({ demoDir: dir, work: path.join(dir, 'bench-timing'), name: 'demo timing', seed: 1, fresh: opt.fresh, log });
  const labelled = b.setLabels(percent, b.videos);
  const tag = Date.now().toString(36);
  const t0 = performance.now();
  await b.waitJob((await b.call('models/pretrain', { name: `t-pre-${tag}`, preset })).id);
  const pre = await b.modelByName(`t-pre-${tag}`);
  const t1 = performance.now();
  await b.waitJob((await b.call('models/finetune', { name: `t-ft-${tag}`, preset, parentId: pre.id })).id);
  const t2 = performance.now();
  const ft = await b.modelByName(`t-ft-${tag}`);
  const cv = (ft.metrics as { crossValidation?: { network: MetricsTable; baseline: MetricsTable | null; people: number; folds: number } }).crossValidation;
  const minutes = (t2 - t0) / 60000;
  console.log(`Machine/backend: ${await machineLine()}`);
  console.log(`Demo project: ${b.videos.length} videos, ${labelled} labelled frames (${percent} %), preset ${preset}, every other setting the default`);
  console.log(`| step | minutes |\n| --- | --- |\n| Pretrain | ${((t1 - t0) / 60000).toFixed(1)} |\n| Finetune (${cv ? `${cv.folds}-fold cross-validation + final model` : 'final model'}, then predict every frame) | ${((t2 - t1) / 60000).toFixed(1)} |\n| total | ${minutes.toFixed(1)} |`);
  if (cv) console.log(`In-app estimate: network ICC ${cv.network.mean.icc ?? '–'} vs baseline ${cv.baseline?.mean.icc ?? '–'} over ${cv.people} people.`);
  console.log(`- target 4, pretrain + finetune ≤ 20 min: **${minutes <= 20 ? 'met' : 'not met'}** (${minutes.toFixed(1)} min)`);
  await b.app.workbench.close();
}

type Setting = 'a' | 'n' | 'b' | 'c' | 'd';
const ALL_SETTINGS: Setting[] = ['a', 'n', 'b', 'c', 'd'];
const NAMES: Record<Setting, string> = {
  a: `(a) one-click default, ${percent} % labels (delivered per-AU mix)`,
  n: `(a′) its network alone`,
  b: `(b) pretrain + ${percent} % labels`,
  c: '(c) one-click default, 100 % labels',
  d: `(d) HOG + geometry + ridge, ${percent} %`,
};
/** Per split of (a): what the app's own cross-validation said, and what the unseen people say. */
interface VerdictCheck {
  seed: number;
  fold: number;
  inApp: string;
  difference: Interval | null;
  unseen: number;
  agrees: boolean;
}
interface Run {
  setting: Setting;
  seed: number;
  fold: number;
  testSubjects: string[];
  labelled: number;
  seconds: number;
  steps: string;
  table: MetricsTable;
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => (xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1)) : 0);
const fmt = (x: number | null | undefined, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
const pm = (xs: number[]) => (xs.length ? `${fmt(mean(xs))} ± ${fmt(sd(xs))}` : '–');

/** One generator's data set: where it lives and how to make it on first use. */
interface DataSet {
  name: string;
  demoDir: string;
  work: string;
  make: (() => Promise<void>) | null;
}
const SETS: Record<string, Omit<DataSet, 'work'>> = {
  original: {
    name: 'original (demo-data.ts, 17 people × 60 s)',
    demoDir: path.join(root, '.demo-data', 'quality-17x60'),
    make: async () => {
      log('making the original quality set (17 people × 60 s, ≈ 3 minutes)…');
      await generateDemoData({ ...DEMO_DEFAULTS, out: SETS.original!.demoDir, seconds: 60, videos: 17, subjects: 17, log });
    },
  },
  gen2: {
    name: 'gen2 (demo-gen2.ts, 12 people × 40 s, 320×240 MPEG-4)',
    demoDir: path.join(root, '.demo-data', 'quality-gen2-12x40'),
    make: async () => {
      log('making the gen2 quality set (12 people × 40 s, ≈ 6 minutes)…');
      await generateGen2Data({ ...GEN2_DEFAULTS, out: SETS.gen2!.demoDir, videos: 12, subjects: 12, seconds: 40, log });
    },
  },
};
let sets: DataSet[];
if (opt.demo) {
  const demoDir = path.resolve(opt.demo);
  sets = [{ name: path.basename(demoDir), demoDir, work: path.resolve(opt.work ?? path.join(demoDir, 'bench-quality')), make: null }];
} else {
  const names = opt.generator === 'all' ? Object.keys(SETS) : opt.generator!.split(',');
  for (const n of names) if (!SETS[n]) throw new Error(`--generator is one of ${Object.keys(SETS).join(', ')} or all (got ${n})`);
  if (opt.work && names.length > 1) throw new Error('--work needs a single set (--generator NAME or --demo DIR)');
  sets = names.map((n) => ({ ...SETS[n]!, work: path.resolve(opt.work ?? path.join(SETS[n]!.demoDir, 'bench-quality')) }));
}

interface SetResult {
  set: DataSet;
  /** Mean ICC per setting over splits × seeds (null: not run). */
  icc: Record<Setting, number | null>;
  verdicts: VerdictCheck[];
  lines: string[];
}

async function runSet(set: DataSet): Promise<SetResult> {
  const { demoDir, work } = set;
  if (!fs.existsSync(path.join(demoDir, 'manifest.json'))) {
    if (!set.make) throw new Error(`No demo data in ${demoDir}`);
    await set.make();
  }
  const bench = await openBench({ demoDir, work, name: 'bench-quality', seed: 1, fresh: opt.fresh, log });
  const { call, waitJob, db, aus } = bench;
  const stamp = Date.now().toString(36);
  const setStarted = performance.now();
  const runs: Run[] = [];
  const verdicts: VerdictCheck[] = [];
  const pretrainSeconds: number[] = [];
  /** The learning workers' backends as the models record them (this process's own may differ). */
  const workerBackends = new Set<string>();

  /**
   * The app's finetune job with its defaults. The one-click default keeps the app's
   * cross-validation, which chooses the per-AU mix; the others run without it (the network
   * alone). Every video is passed: the test people have no labels, but their frames are there
   * unlabelled, as in the app.
   */
  async function finetune(name: string, parentId: number | null, seed: number, oneClick = false): Promise<{ model: ModelRow; seconds: number }> {
    const t0 = performance.now();
    const extra = landmarkUnits > 0 ? { landmarkUnits } : {};
    const job = await call('models/finetune', oneClick ? { name, parentId, preset, seed, ...extra } : { name, parentId, preset, seed, cvFolds: 0, valFraction: 0, ...extra });
    await waitJob(job.id);
    const model = await bench.modelByName(name);
    if (model.backend) workerBackends.add(model.backend);
    return { model, seconds: (performance.now() - t0) / 1000 };
  }

  /** (a′): the finetuned network's own tracks on the test people, before the per-AU mix. */
  async function networkAloneMetrics(model: ModelRow, testIds: number[]): Promise<MetricsTable> {
    const tracks = new Map<number, { aus: number[]; frameCount: number; data: Float32Array }>();
    const videos = trainingVideos(db, bench.project.dir, testIds, { landmarks: true });
    await runTask('predict', { modelDir: modelDirFor(bench.project.dir, model.name), videos }, { signal: new AbortController().signal, onEvent: (e) => tracks.set(e.videoId, e) });
    return bench.testMetrics((id, f) => {
      const t = tracks.get(id);
      if (!t) return null;
      const out = aus.map((au) => t.data[t.aus.indexOf(au) * t.frameCount + f]!);
      return out.some((x) => Number.isNaN(x)) ? null : out;
    }, testIds);
  }

  /** (d): the product's baseline code, fit on the labels now in the database. */
  async function baseline(trainIds: number[], testIds: number[]): Promise<{ predictions: Map<number, Float32Array>; lambda: number; seconds: number }> {
    const t0 = performance.now();
    const videos = trainingVideos(db, bench.project.dir, [...trainIds, ...testIds], { landmarks: true });
    const lib = await CropLibrary.open(videos, { geometry: true });
    try {
      const features = await BaselineFeatures.open(lib);
      const labels: LabelledFrame[] = labelledFrames(db, aus, trainIds);
      const subjectOf = new Map(videos.map((v) => [v.id, v.subject ?? `video${v.id}`]));
      const fit = fitBaseline(aus, labels, await features.at(labels), (id) => subjectOf.get(id)!);
      const predictions = new Map<number, Float32Array>();
      for (const id of testIds) predictions.set(id, await predictBaselineVideo(fit, features, id, lib.videos.get(id)!.frameCount, aus.length));
      return { predictions, lambda: fit.lambda, seconds: (performance.now() - t0) / 1000 };
    } finally {
      await lib.close();
    }
  }

  for (const seed of seeds) {
    const folds = bench.subjectFolds(k, seed);
    let pre: ModelRow | null = null;
    if (only.has('b')) {
      const t0 = performance.now();
      const name = `q-pre-s${seed}-${stamp}`;
      const job = await call('models/pretrain', { name, preset, seed });
      await waitJob(job.id);
      pre = await bench.modelByName(name);
      pretrainSeconds.push((performance.now() - t0) / 1000);
      log(`seed ${seed}: pretrained on every video in ${pretrainSeconds.at(-1)!.toFixed(0)} s (${String(pre.params.steps)} steps)`);
    }
    for (const [fold, split] of folds.entries()) {
      const trainIds = split.train.map((v) => v.id);
      const testIds = split.test.map((v) => v.id);
      const add = (setting: Setting, labelled: number, seconds: number, steps: string, table: MetricsTable) => {
        runs.push({ setting, seed, fold, testSubjects: split.testSubjects, labelled, seconds, steps, table });
        log(`seed ${seed} fold ${fold} (test ${split.testSubjects.join(' ')}): ${NAMES[setting]}: ICC ${table.mean.icc?.toFixed(3) ?? '–'}, r ${table.mean.r?.toFixed(3) ?? '–'}, MAE ${table.mean.mae?.toFixed(3) ?? '–'} (${seconds.toFixed(0)} s)`);
      };
      const sparse = bench.setLabels(percent, split.train);
      let oneClick: ModelRow | null = null;
      if (only.has('a')) {
        const { model, seconds } = await finetune(`q-a-s${seed}f${fold}-${stamp}`, null, seed, true);
        oneClick = model;
        add('a', sparse, seconds, `${String(model.params.steps)} × ${1 + ((model.params.crossValidation as { folds?: number } | undefined)?.folds ?? 0)}`, bench.modelTestMetrics(model, testIds));
        add('n', sparse, 0, String(model.params.steps), await networkAloneMetrics(model, testIds));
      }
      if (pre) {
        const { model, seconds } = await finetune(`q-b-s${seed}f${fold}-${stamp}`, pre.id, seed);
        add('b', sparse, seconds, `${String(pre.params.steps)} + ${String(model.params.steps)}`, bench.modelTestMetrics(model, testIds));
      }
      if (only.has('d')) {
        const d = await baseline(trainIds, testIds);
        add('d', sparse, d.seconds, `λ=${d.lambda}`, bench.testMetrics((id, f) => {
          const p = d.predictions.get(id);
          if (!p) return null;
          const n = p.length / aus.length;
          const out = aus.map((_, a) => p[a * n + f]!);
          return out.some((x) => Number.isNaN(x)) ? null : out;
        }, testIds));
      }
      if (oneClick && only.has('d')) {
        const inApp = (oneClick.metrics as { crossValidation?: { comparison?: ModelComparison } }).crossValidation?.comparison;
        const unseen = (runs.findLast((r) => r.setting === 'n')!.table.mean.icc ?? NaN) - (runs.findLast((r) => r.setting === 'd')!.table.mean.icc ?? NaN);
        const said = inApp?.verdict ?? 'unknown';
        // Target 2: where the unseen people separate the two by more than 0.05, the app must not name the other one.
        const agrees = Math.abs(unseen) <= 0.05 || !((unseen > 0 && said === 'baseline') || (unseen < 0 && said === 'network'));
        verdicts.push({ seed, fold, inApp: said, difference: inApp?.difference ?? null, unseen, agrees });
        log(`seed ${seed} fold ${fold}: in-app verdict ${said} (difference ${fmt(inApp?.difference?.estimate)} [${fmt(inApp?.difference?.low, 2)}, ${fmt(inApp?.difference?.high, 2)}]); unseen people: network − ridge ${fmt(unseen)}`);
      }
      if (only.has('c')) {
        const full = bench.setLabels(100, split.train);
        const { model, seconds } = await finetune(`q-c-s${seed}f${fold}-${stamp}`, null, seed, true);
        add('c', full, seconds, String(model.params.steps), bench.modelTestMetrics(model, testIds));
      }
    }
  }

  // ── the set's table ──
  const shown = DISFA_AUS.filter((au) => aus.includes(au));
  const settings = ALL_SETTINGS.filter((s) => runs.some((r) => r.setting === s));
  const of = (s: Setting) => runs.filter((r) => r.setting === s);
  const icc = (s: Setting) => of(s).map((r) => r.table.mean.icc ?? NaN);
  const p = PRESETS[preset];
  const lines: string[] = [];
  lines.push(`### Set: ${set.name}`);
  lines.push('');
  lines.push(`Machine: ${await machineLine()}${workerBackends.size ? `; training workers: ${[...workerBackends].join(', ')}` : ''}`);
  lines.push(
    `Preset ${preset} (${p.model.channels.join('-')} channels, clip ${p.model.clipLength}; pretraining ${p.pretrain.steps} steps; finetuning ${p.finetune.headSteps} head + ${p.finetune.fullSteps} steps); ` +
      `${landmarkUnits > 0 ? `landmark stream ${landmarkUnits} units; ` : ''}data ${bench.videos.length} videos of ${bench.subjects.length} people; ${k} folds of people × seeds ${seeds.join(', ')}; ${((performance.now() - setStarted) / 60000).toFixed(1)} min for this set, ${((performance.now() - started) / 60000).toFixed(1)} min so far` +
      (pretrainSeconds.length ? `; pretraining took ${pretrainSeconds.map((s) => s.toFixed(0)).join(', ')} s` : ''),
  );
  lines.push('');
  lines.push(`| setting | labelled frames | steps | s per split | ICC mean ± sd | r | MAE | ICC per split | ${shown.map((au) => auColumn(au)).join(' | ')} |`);
  lines.push(`| --- | --- | --- | --- | --- | --- | --- | --- | ${shown.map(() => '---').join(' | ')} |`);
  for (const s of settings) {
    const rs = of(s);
    const per = shown.map((au) => fmt(mean(rs.map((r) => r.table.perAu.find((q) => q.au === au)?.icc ?? NaN).filter(Number.isFinite)), 2));
    lines.push(
      `| ${NAMES[s]} | ${Math.round(mean(rs.map((r) => r.labelled)))} | ${rs[0]!.steps} | ${mean(rs.map((r) => r.seconds)).toFixed(0)} | ${pm(icc(s))} | ${pm(rs.map((r) => r.table.mean.r ?? NaN))} | ${pm(rs.map((r) => r.table.mean.mae ?? NaN))} | ${icc(s).map((x) => fmt(x, 2)).join(', ')} | ${per.join(' | ')} |`,
    );
  }
  lines.push('');
  lines.push('Per-AU columns: ICC averaged over the splits where the AU varies in the test people. ± is the sd over splits × seeds.');
  const avg = (s: Setting): number | null => (of(s).length ? mean(icc(s)) : null);
  const [A, N, B, C, D] = [avg('a'), avg('n'), avg('b'), avg('c'), avg('d')];
  const check = (name: string, ok: boolean, detail: string) => lines.push(`- target ${name}: **${ok ? 'met' : 'not met'}** (${detail})`);
  const paired = (x: Setting, y: Setting) => of(x).map((r, i) => fmt((r.table.mean.icc ?? NaN) - (of(y)[i]?.table.mean.icc ?? NaN), 2)).join(', ');
  if (A !== null && D !== null) check('1a (issue 23), one-click default ≥ ridge + 0.10', A >= D + 0.1, `${fmt(A)} vs ${fmt(D + 0.1)}; paired per split: ${paired('a', 'd')}`);
  if (A !== null && C !== null) check('1b (issue 23), one-click default ≥ 0.9 × the same with 100 % labels', A >= 0.9 * C, `${fmt(A)} vs ${fmt(0.9 * C)}`);
  if (verdicts.length)
    check(
      '2 (issue 23), the in-app verdict never names the loser where unseen people separate them by > 0.05',
      verdicts.every((v) => v.agrees),
      verdicts.map((v) => `seed ${v.seed} fold ${v.fold}: app ${v.inApp} [${fmt(v.difference?.low, 2)}, ${fmt(v.difference?.high, 2)}], unseen ${fmt(v.unseen, 2)}`).join('; '),
    );
  if (B !== null && A !== null) check('pretraining gain, (b) − (a)', B - A >= 0.1, `${fmt(B - A)}; paired per split: ${paired('b', 'a')}`);
  fs.writeFileSync(path.join(work, `bench-quality-${stamp}.json`), JSON.stringify({ preset, k, seeds, percent, landmarkUnits, pretrainSeconds, runs, verdicts }, null, 2));
  await bench.app.workbench.close();
  return { set, icc: { a: A, n: N, b: B, c: C, d: D }, verdicts, lines };
}

const results: SetResult[] = [];
for (const set of sets) {
  log(`set ${set.name}: ${set.demoDir}`);
  const r = await runSet(set);
  console.log(r.lines.join('\n') + '\n');
  results.push(r);
}
if (results.length > 1) {
  // Every setting's worst set, and the targets judged there: a default must hold on every source.
  const lines: string[] = ['### Worst set', '', `| setting | ${results.map((r) => r.set.name.split(' ')[0]).join(' | ')} | worst | worst set |`, `| --- | ${results.map(() => '---').join(' | ')} | --- | --- |`];
  const worst: Partial<Record<Setting, number>> = {};
  for (const s of ALL_SETTINGS) {
    const xs = results.map((r) => r.icc[s]);
    if (xs.every((x) => x === null)) continue;
    const present = results.filter((r) => r.icc[s] !== null);
    const w = present.reduce((m, r) => (r.icc[s]! < m.icc[s]! ? r : m));
    worst[s] = w.icc[s]!;
    lines.push(`| ${NAMES[s]} | ${xs.map((x) => fmt(x)).join(' | ')} | ${fmt(w.icc[s])} | ${w.set.name.split(' ')[0]} |`);
  }
  lines.push('');
  const every = (f: (r: SetResult) => boolean | null) => {
    const v = results.map(f).filter((x): x is boolean => x !== null);
    return v.length ? v.every(Boolean) : null;
  };
  const t1a = every((r) => (r.icc.a !== null && r.icc.d !== null ? r.icc.a >= r.icc.d + 0.1 : null));
  const t1b = every((r) => (r.icc.a !== null && r.icc.c !== null ? r.icc.a >= 0.9 * r.icc.c : null));
  const t2 = every((r) => (r.verdicts.length ? r.verdicts.every((v) => v.agrees) : null));
  const gap = results.map((r) => (r.icc.a !== null && r.icc.d !== null ? `${r.set.name.split(' ')[0]} ${fmt(r.icc.a - r.icc.d)}` : null)).filter(Boolean);
  lines.push(`Worst set: ${Object.entries(worst).map(([s, x]) => `(${s}) ${fmt(x)}`).join(', ')}${gap.length ? `; (a) − (d) per set: ${gap.join(', ')}` : ''}`);
  if (t1a !== null) lines.push(`- target 1a on every set, (a) ≥ (d) + 0.10: **${t1a ? 'met' : 'not met'}**`);
  if (t1b !== null) lines.push(`- target 1b on every set, (a) ≥ 0.9 × (c): **${t1b ? 'met' : 'not met'}**`);
  if (t2 !== null) lines.push(`- target 2 on every set, the in-app verdict never names the loser: **${t2 ? 'met' : 'not met'}**`);
  console.log(lines.join('\n'));
}
