// npm run bench:suggest — at the same label budget, do suggested frames beat random ones?
// (issue 12, part 1)
//
// Data: the quality demo set (17 synthetic people × 60 s, made on first use in
// .demo-data/quality-17x60; the imported project is shared with bench:quality). Per seed, the
// people are dealt into 3 folds by that seed and fold 1's people are the test people: never
// labelled, scored on every face frame against the ground truth. On the others' frames:
//   (i)  2 % random labels, finetune
//   (ii) 1 % random labels (the first half of (i)'s frames: the same seeded draw), finetune,
//        then *Suggest frames* with that model for another 1 % of the same videos, label those
//        with the ground truth, finetune again (from scratch, as the app's one click does)
// Both through the app's own jobs (models/finetune with the preset's defaults, no
// cross-validation; samples/suggest), so the benchmark measures what a user gets.
//   --preset quick  --seeds 1,2,3  --percent 2 (the total budget)  --demo DIR  --work DIR
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { MetricsTable, ModelRow } from '../src/shared/types';
import { auColumn, DISFA_AUS } from '../src/shared/aus';
import { PRESETS, type PresetName } from '../src/main/services/learn/config';
import { machineLine, openBench } from './bench-common';
import { DEMO_DEFAULTS, generateDemoData } from './demo-data';

const root = path.resolve(import.meta.dirname, '..');
const { values: opt } = parseArgs({
  options: {
    preset: { type: 'string', default: 'quick' },
    seeds: { type: 'string', default: '1,2,3' },
    percent: { type: 'string', default: '2' },
    demo: { type: 'string' },
    work: { type: 'string' },
  },
});
const preset = opt.preset as PresetName;
if (!(preset in PRESETS)) throw new Error(`--preset is one of ${Object.keys(PRESETS).join(', ')}`);
const seeds = opt.seeds!.split(',').map(Number);
const budget = Number(opt.percent);
const demoDir = path.resolve(opt.demo ?? path.join(root, '.demo-data', 'quality-17x60'));
const work = path.resolve(opt.work ?? path.join(demoDir, 'bench-quality'));
const log = (s: string) => process.stderr.write(`[bench-suggest] ${s}\n`);
const started = performance.now();

if (!opt.demo && !fs.existsSync(path.join(demoDir, 'manifest.json'))) {
  log(`making the quality demo set in ${demoDir} (17 people × 60 s, ≈ 3 minutes)…`);
  await generateDemoData({ ...DEMO_DEFAULTS, out: demoDir, seconds: 60, videos: 17, subjects: 17, log });
}
const bench = await openBench({ demoDir, work, name: 'bench-quality', seed: 1, log });
const { call, waitJob, db, aus } = bench;
const stamp = Date.now().toString(36);

async function finetune(name: string, seed: number): Promise<{ model: ModelRow; seconds: number }> {
  const t0 = performance.now();
  await waitJob((await call('models/finetune', { name, parentId: null, preset, seed, cvFolds: 0, valFraction: 0 })).id);
  return { model: await bench.modelByName(name), seconds: (performance.now() - t0) / 1000 };
}

interface Run {
  seed: number;
  testSubjects: string[];
  random: { labelled: number; table: MetricsTable };
  half: { labelled: number; table: MetricsTable };
  suggested: { labelled: number; table: MetricsTable; suggestSeconds: number };
  seconds: number;
}
const runs: Run[] = [];
const icc = (t: MetricsTable) => t.mean.icc ?? NaN;

for (const seed of seeds) {
  const t0 = performance.now();
  const split = bench.subjectFolds(3, seed)[0]!;
  const trainIds = split.train.map((v) => v.id);
  const testIds = split.test.map((v) => v.id);
  const tag = `s${seed}-${stamp}`;
  db.prepare("DELETE FROM sample_sets WHERE strategy = 'suggested'").run();

  const nRandom = bench.setLabels(budget, split.train, seed);
  const i = await finetune(`sg-i-${tag}`, seed);
  const random = { labelled: nRandom, table: bench.modelTestMetrics(i.model, testIds) };
  log(`seed ${seed} (test ${split.testSubjects.join(' ')}): (i) ${budget} % random, ${nRandom} frames: ICC ${icc(random.table).toFixed(3)} (${i.seconds.toFixed(0)} s)`);

  const nHalf = bench.setLabels(budget / 2, split.train, seed);
  const h = await finetune(`sg-h-${tag}`, seed);
  const half = { labelled: nHalf, table: bench.modelTestMetrics(h.model, testIds) };
  log(`seed ${seed}: ${budget / 2} % random, ${nHalf} frames: ICC ${icc(half.table).toFixed(3)} (${h.seconds.toFixed(0)} s)`);

  const ts = performance.now();
  await waitJob((await call('samples/suggest', { modelId: h.model.id, percent: budget / 2, videoIds: trainIds })).id);
  const suggestSeconds = (performance.now() - ts) / 1000;
  const truth = bench.groundTruthOf;
  let added = 0;
  const insert = db.prepare("INSERT INTO labels (video_id, frame_idx, au, annotator, intensity, updated_at) VALUES (?, ?, ?, 'ground-truth', ?, ?)");
  const now = new Date().toISOString();
  for (const v of split.train) {
    const frames = (await call('samples/queue', { videoId: v.id })).filter((q) => q.suggested).map((q) => q.frame);
    db.transaction(() => {
      for (const f of frames) {
        for (const au of aus) {
          const y = truth(v.id, au, f);
          if (y !== undefined && Number.isFinite(y)) insert.run(v.id, f, au, Math.round(y), now);
        }
        added++;
      }
    })();
  }
  const s = await finetune(`sg-ii-${tag}`, seed);
  const suggested = { labelled: nHalf + added, table: bench.modelTestMetrics(s.model, testIds), suggestSeconds };
  log(`seed ${seed}: (ii) ${budget / 2} % random + ${added} suggested: ICC ${icc(suggested.table).toFixed(3)} (suggest ${suggestSeconds.toFixed(0)} s, finetune ${s.seconds.toFixed(0)} s)`);
  runs.push({ seed, testSubjects: split.testSubjects, random, half, suggested, seconds: (performance.now() - t0) / 1000 });
}

// ── the table ──
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => (xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1)) : 0);
const fmt = (x: number | null | undefined, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
const pm = (xs: number[]) => `${fmt(mean(xs))} ± ${fmt(sd(xs))}`;
const shown = DISFA_AUS.filter((au) => aus.includes(au));
const p = PRESETS[preset];
const lines: string[] = [];
lines.push(`Machine: ${await machineLine()}`);
lines.push(
  `Preset ${preset} (finetuning ${p.finetune.headSteps} head + ${p.finetune.fullSteps} steps, from scratch); data ${bench.videos.length} videos of ${bench.subjects.length} people; ` +
    `seeds ${seeds.join(', ')} (each its own split of people, labels and training seed); total ${((performance.now() - started) / 60000).toFixed(1)} min`,
);
lines.push('');
lines.push(`| setting | labelled frames | ICC mean ± sd | r | MAE | ICC per seed | ${shown.map((au) => auColumn(au)).join(' | ')} |`);
lines.push(`| --- | --- | --- | --- | --- | --- | ${shown.map(() => '---').join(' | ')} |`);
const row = (name: string, pick: (r: Run) => { labelled: number; table: MetricsTable }) => {
  const ts = runs.map(pick);
  const per = shown.map((au) => fmt(mean(ts.map((t) => t.table.perAu.find((q) => q.au === au)?.icc ?? NaN).filter(Number.isFinite)), 2));
  lines.push(
    `| ${name} | ${Math.round(mean(ts.map((t) => t.labelled)))} | ${pm(ts.map((t) => icc(t.table)))} | ${pm(ts.map((t) => t.table.mean.r ?? NaN))} | ${pm(ts.map((t) => t.table.mean.mae ?? NaN))} | ${ts.map((t) => fmt(icc(t.table), 2)).join(', ')} | ${per.join(' | ')} |`,
  );
};
row(`(i) ${budget} % random`, (r) => r.random);
row(`(ii) ${budget / 2} % random + ${budget / 2} % suggested`, (r) => r.suggested);
row(`${budget / 2} % random only (the model that suggested)`, (r) => r.half);
lines.push('');
const diffs = runs.map((r) => icc(r.suggested.table) - icc(r.random.table));
const spread = sd(runs.map((r) => icc(r.random.table)));
// With one seed there is no spread to beat: no verdict.
const met = runs.length >= 2 && mean(diffs) > 0 && mean(diffs) > sd(diffs) && mean(diffs) > spread;
lines.push(`Paired (ii) − (i) per seed: ${diffs.map((d) => fmt(d, 3)).join(', ')}; mean ${fmt(mean(diffs))}, sd ${fmt(sd(diffs))}; the sd of (i) over seeds is ${fmt(spread)}. Suggesting took ${runs.map((r) => r.suggested.suggestSeconds.toFixed(0)).join(', ')} s.`);
lines.push(`- suggested frames beat random ones at the same budget (mean paired gain > 0 and above both the paired sd and the seed spread): **${runs.length < 2 ? 'undecided (one seed)' : met ? 'met' : 'not met'}**`);
console.log(lines.join('\n'));
fs.writeFileSync(path.join(work, `bench-suggest-${stamp}.json`), JSON.stringify({ preset, seeds, budget, runs }, null, 2));
await bench.app.workbench.close();
