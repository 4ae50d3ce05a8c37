// npm run bench:objectives — pretraining objectives compared on the demo data (issue 6).
// Subject-independent split (as bench-learn): each objective alone pretrains on the training
// and validation subjects, then finetunes on 2 % random labels; the best combination likewise;
// beside "no pretraining" (2 % labels) and "100 % labels". ICC(3,1) and MAE against the ground
// truth of every face frame of the test subjects. The defaults are the recorded run (≈ 45 minutes
// on 2 cores): the ablation demo set (12 videos × 60 s, 6 subjects with 2 sessions each, made on
// first use in .demo-data/ablation-12x60), quick preset, 400 pretraining and 50 + 600 finetuning steps.
//   --preset quick|tiny|default  --pretrain-steps N (400)  --finetune-steps N (600)  --head-steps N (50)
//   --objectives infonce,temporal-margin,cross-identity,roi-inpaint,flow  --combo a=1,b=0.5 (else chosen)
//   --percent P (2)  --seed N  --work DIR  --demo DIR (a demo-data.ts folder)  --fresh
//   --input-norm video-median|none (the preset's when absent)
//   --only none,solos,combo,full (which rows; all by default)
//   --full-lr-scale X: learning rate of the whole-network phase after pretraining, as a multiple
//     of the head's (the preset's 0.3 when absent; from scratch there is no head phase)
//   --pretrain-on trainval|all: pretrain on the training and validation subjects only (default,
//     as bench:learn), or on every video as the app does (the test subjects' frames unlabelled)
// "Best combination" unless --combo: every objective whose solo run beat "no pretraining" on
// mean test ICC, each at weight 1 (if fewer than two did, the two best solos).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { MetricsTable } from '../src/shared/types';
import { auColumn, DISFA_AUS } from '../src/shared/aus';
import { PRESETS, type ObjectiveSpec, type PresetName } from '../src/main/services/learn/config';
import { machineLine, openBench } from './bench-common';
import { DEMO_DEFAULTS, generateDemoData } from './demo-data';

const root = path.resolve(import.meta.dirname, '..');
const { values: opt } = parseArgs({
  options: {
    preset: { type: 'string', default: 'quick' },
    'pretrain-steps': { type: 'string', default: '400' },
    'finetune-steps': { type: 'string', default: '600' },
    'head-steps': { type: 'string', default: '50' },
    objectives: { type: 'string', default: 'infonce,temporal-margin,cross-identity,roi-inpaint,flow' },
    combo: { type: 'string' },
    percent: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    work: { type: 'string' },
    demo: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    'input-norm': { type: 'string' },
    'pretrain-on': { type: 'string', default: 'trainval' },
    'full-lr-scale': { type: 'string' },
    only: { type: 'string', default: 'none,solos,combo,full' },
  },
});
const inputNorm = opt['input-norm'] as 'video-median' | 'none' | undefined;
const only = new Set(opt.only!.split(','));
if (opt['pretrain-on'] !== 'trainval' && opt['pretrain-on'] !== 'all') throw new Error('--pretrain-on is trainval or all');
const preset = opt.preset as PresetName;
const percent = Number(opt.percent);
const seed = Number(opt.seed);
const preSteps = Number(opt['pretrain-steps']);
const ftSteps = Number(opt['finetune-steps']);
const headSteps = Number(opt['head-steps']);
const demoDir = path.resolve(opt.demo ?? path.join(root, '.demo-data', 'ablation-12x60'));
const work = path.resolve(opt.work ?? path.join(demoDir, 'bench-objectives'));
const log = (s: string) => process.stderr.write(`[bench-objectives] ${s}\n`);
const started = performance.now();

// Six 30-second videos (one per subject, the app's demo) leave three training subjects with ~60
// labelled frames at 2 %: too few for any row to leave the constant-prediction regime.
if (!opt.demo && !fs.existsSync(path.join(demoDir, 'manifest.json'))) {
  log(`making the ablation demo set in ${demoDir} (12 videos × 60 s, ≈ 2 minutes)…`);
  await generateDemoData({ ...DEMO_DEFAULTS, out: demoDir, seconds: 60, videos: 12, log });
}
const bench = await openBench({ demoDir, work, name: 'bench-objectives', seed, fresh: opt.fresh, log });
const { call, waitJob, trainval, valFraction, aus } = bench;
log(`split: ${bench.splitText}`);
const stamp = Date.now().toString(36);

interface Row {
  setting: string;
  steps: string;
  seconds: number;
  table: MetricsTable;
}
const rows: Row[] = [];

async function finetune(label: string, parentId: number | null, pct: number): Promise<{ table: MetricsTable; seconds: number; steps: number }> {
  const frames = bench.setLabels(pct);
  const t0 = performance.now();
  const name = `bo-${label}-${stamp}`;
  const fullLrScale = opt['full-lr-scale'] === undefined ? undefined : Number(opt['full-lr-scale']);
  const job = await call('models/finetune', {
    name,
    parentId,
    preset,
    valFraction,
    seed,
    videoIds: trainval.map((v) => v.id),
    fullSteps: ftSteps,
    headSteps,
    ...(inputNorm && parentId === null ? { inputNorm } : {}),
    ...(fullLrScale !== undefined && parentId !== null ? { fullLrScale } : {}),
  });
  await waitJob(job.id);
  const m = await bench.modelByName(name);
  const seconds = (performance.now() - t0) / 1000;
  const table = bench.modelTestMetrics(m);
  log(`${label}: finetuned on ${frames} labelled frames in ${seconds.toFixed(0)} s; test ICC ${table.mean.icc?.toFixed(3) ?? '–'}, MAE ${table.mean.mae?.toFixed(3) ?? '–'}`);
  return { table, seconds, steps: Number(m.params.steps) };
}

async function pretrainThenFinetune(label: string, objectives: ObjectiveSpec[]): Promise<Row> {
  const t0 = performance.now();
  const name = `bo-pre-${label}-${stamp}`;
  const pretrainVideos = opt['pretrain-on'] === 'all' ? bench.videos : trainval;
  const job = await call('models/pretrain', { name, preset, seed, steps: preSteps, objectives, videoIds: pretrainVideos.map((v) => v.id), ...(inputNorm ? { inputNorm } : {}) });
  await waitJob(job.id);
  const pre = await bench.modelByName(name);
  const preSeconds = (performance.now() - t0) / 1000;
  log(`${label}: pretrained ${preSteps} steps in ${preSeconds.toFixed(0)} s, final loss ${Number(pre.params.finalLoss ?? NaN).toFixed(3)}; recorded objectives ${JSON.stringify(pre.params.objectives)}`);
  const ft = await finetune(label, pre.id, percent);
  return { setting: `${objectives.map((o) => `${o.kind}×${o.weight}`).join(' + ')}, ${percent} %`, steps: `${preSteps} + ${ft.steps}`, seconds: preSeconds + ft.seconds, table: ft.table };
}

const parseCombo = (s: string): ObjectiveSpec[] =>
  s.split(',').map((p) => {
    const [kind, w] = p.split('=');
    return { kind: kind!.trim(), weight: w === undefined ? 1 : Number(w), params: {} };
  });

// No pretraining, 2 %.
if (only.has('none')) {
  const ft = await finetune('none', null, percent);
  rows.push({ setting: `no pretraining, ${percent} %`, steps: String(ft.steps), seconds: ft.seconds, table: ft.table });
}
const noneIcc = rows[0]?.table.mean.icc ?? -Infinity;
// Each objective alone.
const solos: { kind: string; icc: number }[] = [];
for (const kind of only.has('solos') ? opt.objectives!.split(',').map((s) => s.trim()) : []) {
  const r = await pretrainThenFinetune(kind, [{ kind, weight: 1, params: {} }]);
  rows.push(r);
  solos.push({ kind, icc: r.table.mean.icc ?? -Infinity });
}
// Best combination.
let combo: ObjectiveSpec[];
if (opt.combo) combo = parseCombo(opt.combo);
else {
  const better = solos.filter((s) => s.icc > noneIcc).sort((a, b) => b.icc - a.icc);
  const pick = better.length >= 2 ? better : [...solos].sort((a, b) => b.icc - a.icc).slice(0, 2);
  combo = pick.map((s) => ({ kind: s.kind, weight: 1, params: {} }));
}
if (only.has('combo') && combo.length >= 2) rows.push(await pretrainThenFinetune('combo', combo));
// 100 % labels, no pretraining.
if (only.has('full')) {
  const ft = await finetune('full', null, 100);
  rows.push({ setting: 'no pretraining, 100 % labels', steps: String(ft.steps), seconds: ft.seconds, table: ft.table });
}

// ── table ──
const fmt = (x: number | null | undefined, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
const shown = DISFA_AUS.filter((au) => aus.includes(au));
const lines: string[] = [];
lines.push(`Machine/backend: ${await machineLine()}`);
lines.push(
  `Preset ${preset} (${PRESETS[preset].model.channels.join('-')} channels, clip ${PRESETS[preset].model.clipLength}, input ${inputNorm ?? PRESETS[preset].model.inputNorm}); pretrained on ${opt['pretrain-on'] === 'all' ? 'every video' : 'the training and validation subjects'}; data ${bench.videos.length} videos; pretrain ${preSteps} steps, finetune ${headSteps} head + ${ftSteps} full steps; seed ${seed}; split ${bench.splitText}; total ${((performance.now() - started) / 60000).toFixed(1)} min`,
);
lines.push('');
lines.push(`| setting | steps | s | mean ICC | mean MAE | ${shown.map((au) => `${auColumn(au)} ICC/MAE`).join(' | ')} |`);
lines.push(`| --- | --- | --- | --- | --- | ${shown.map(() => '---').join(' | ')} |`);
for (const r of rows) {
  const per = shown.map((au) => {
    const x = r.table.perAu.find((q) => q.au === au);
    return `${fmt(x?.icc)}/${fmt(x?.mae)}`;
  });
  lines.push(`| ${r.setting} | ${r.steps} | ${r.seconds.toFixed(0)} | ${fmt(r.table.mean.icc, 3)} | ${fmt(r.table.mean.mae, 3)} | ${per.join(' | ')} |`);
}
console.log(lines.join('\n'));
fs.writeFileSync(path.join(work, `bench-objectives-${stamp}.json`), JSON.stringify({ rows, preset, preSteps, ftSteps, headSteps, seed, combo }, null, 2));
await bench.app.workbench.close();
