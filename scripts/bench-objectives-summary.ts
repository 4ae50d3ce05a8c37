// npm run bench:objectives:summary -- run1.json run2.json … — averages bench:objectives runs
// made with different --seed values (each seed draws its own subject split, 2 % labels and
// initialisation) into one table: mean ICC and MAE per setting, each seed's mean ICC, and
// per-AU mean ICC. A single seed moves the mean ICC by ±0.05 or more on the demo data, so an
// objective only "helps" if it wins across seeds.
import fs from 'node:fs';
import { auColumn, DISFA_AUS } from '../src/shared/aus';
import type { MetricsTable } from '../src/shared/types';

interface Run {
  seed: number;
  preset: string;
  preSteps: number;
  ftSteps: number;
  headSteps: number;
  rows: { setting: string; table: MetricsTable }[];
}

const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: npm run bench:objectives:summary -- <bench-objectives-*.json> …');
  process.exit(1);
}
const runs = files.map((f) => {
  let run: Partial<Run>;
  try {
    run = JSON.parse(fs.readFileSync(f, 'utf8')) as Partial<Run>;
  } catch (e) {
    console.error(`${f}: cannot read it as JSON (${(e as Error).message})`);
    process.exit(1);
  }
  if (typeof run.seed !== 'number' || typeof run.preSteps !== 'number' || !Array.isArray(run.rows)) {
    console.error(`${f}: not a bench:objectives result (bench-objectives-*.json in the bench's work folder)`);
    process.exit(1);
  }
  return run as Run;
});
const settings = [...new Set(runs.flatMap((r) => r.rows.map((x) => x.setting)))];
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const sd = (xs: number[]) => (xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)) : NaN);
const fmt = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const aus = DISFA_AUS.filter((au) => runs.some((r) => r.rows.some((x) => x.table.perAu.some((p) => p.au === au))));

const lines: string[] = [];
lines.push(`Seeds ${runs.map((r) => r.seed).join(', ')}; ${[...new Set(runs.map((r) => `${r.preset}, pretrain ${r.preSteps}, finetune ${r.headSteps} + ${r.ftSteps}`))].join(' / ')}`);
lines.push('');
lines.push(`| setting | mean ICC (± sd over seeds) | mean MAE | ICC per seed | ${aus.map((au) => `${auColumn(au)} ICC`).join(' | ')} |`);
lines.push(`| --- | --- | --- | --- | ${aus.map(() => '---').join(' | ')} |`);
for (const s of settings) {
  const per = runs.map((r) => r.rows.find((x) => x.setting === s)?.table ?? null);
  const iccs = per.flatMap((t) => (t?.mean.icc !== null && t?.mean.icc !== undefined ? [t.mean.icc] : []));
  const maes = per.flatMap((t) => (t?.mean.mae !== null && t?.mean.mae !== undefined ? [t.mean.mae] : []));
  const auIcc = aus.map((au) => fmt(mean(per.flatMap((t) => t?.perAu.find((p) => p.au === au)?.icc ?? []).filter((x): x is number => x !== null)), 2));
  lines.push(`| ${s} | ${fmt(mean(iccs))} ± ${fmt(sd(iccs))} | ${fmt(mean(maes))} | ${per.map((t) => fmt(t?.mean.icc ?? NaN, 2)).join(' / ')} | ${auIcc.join(' | ')} |`);
}
console.log(lines.join('\n'));
