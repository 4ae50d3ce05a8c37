/**
 * The learning commands of the CLI: pretrain, finetune, predict, metrics, models, backend and
 * labels import|export. They call the same API methods as the UI (through the caller's
 * dispatch) and follow the jobs' 'learn/progress' events on stderr.
 *
 *   import { LEARN_COMMANDS, LEARN_HELP, runLearnCli } from './cli-learn';
 *   if (LEARN_COMMANDS.includes(argv[0])) await runLearnCli(argv, { call, events, waitFor });
 */
import { fixed, parseDecimal } from '../shared/numbers';
import { comparisonOf, verdict, withInterval, type Comparison } from '../shared/comparison';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { MethodName, Params, Result } from '../shared/contract';
import type { Job, LearnProgress, MetricsTable, ModelRow, NeutralReference } from '../shared/types';
import { normalisationText } from '../shared/neutral';
import { auColumn } from '../shared/aus';
import { PRESET_NAMES, PRESET_NOTES, defaultOf, presetName, type PresetName } from '../shared/settings/presets';
import { STAGE_SETTINGS, flagArg, rangeOf, rangeText, type Settings, type Stage, type StageInput } from '../shared/settings/training';
import type { EventBus } from './events';
import { terminalText } from '../shared/names';

export const LEARN_COMMANDS: readonly string[] = ['pretrain', 'finetune', 'predict', 'suggest', 'metrics', 'models', 'backend', 'labels', 'resume'];

/** One --help line per declared setting: flag, value, what it does, its range and each preset's value. */
function settingLines(stage: Stage): string[] {
  return Object.entries(STAGE_SETTINGS[stage] as Settings).map(([key, s]) => {
    const values = PRESET_NAMES.map((p) => String(defaultOf(stage, key, p)));
    // One value for every preset (or a fixed default), else each preset's.
    const unset = new Set(values).size === 1 ? `default ${values[0]}` : PRESET_NAMES.map((p, i) => `${p} ${values[i]}`).join(', ');
    return `    --${`${s.flag} ${flagArg(s)}`.padEnd(30)} ${s.help}\n${' '.repeat(37)}${rangeText(s)}; ${unset}`;
  });
}

export const LEARN_HELP = `Learning:
  auw pretrain <project> --name NAME [--preset ${PRESET_NAMES.join('|')}] [SETTING …]
               [--objectives infonce=1,temporal-margin=0.5] [--param KIND.NAME=X …] [--temperature X] [--margin X]
               --param sets one objective setting, e.g. --param temporal-margin.margin=0.2
               --param flow.grid=8 (the settings of each objective: \`auw backend\` lists them)
  pretraining settings (unset: the preset's value):
${settingLines('pretrain').join('\n')}
  auw finetune <project> --name NAME [--from PRETRAINED_ID] [--preset …] [--no-predict] [SETTING …]
  finetuning settings (unset: the preset's value):
${settingLines('finetune').join('\n')}
  auw predict  <project> --model ID [--video ID]
  auw suggest  <project> [--model ID] [--percent P] [--video ID,ID…]
               a finetuned model (default: the newest) suggests P % (default 1) of the face
               frames to label next: where it and the baseline disagree and where its tracks
               jump, spread over the videos; they join the labelling queue (\`auw frames\`)
  auw metrics  <project> --model ID
  auw models   <project>
  auw backend  <project>
  auw resume   <project> --job ID
  auw labels import <project> <file.csv> [--format auto|long|wide] [--video ID] [--annotator NAME]
  auw labels export <project> <file.csv> [--format long|wide] [--video ID] [--annotator NAME] [--force (replace an existing file)]
  A training job that was killed or interrupted continues from its checkpoint: run the same
  command again with the same --name and settings, or \`auw resume <project> --job ID\`.
  Presets:
${PRESET_NAMES.map((p) => `    ${p.padEnd(8)} ${PRESET_NOTES[p]}`).join('\n')}`;

export interface LearnCliIO {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  events: EventBus;
  /** Waits for the jobs (the CLI's own helper: progress bar, throws if one did not finish). */
  waitFor(jobs: Job[]): Promise<void>;
  out?: (line: string) => void;
  err?: (text: string) => void;
}

/** Every declared setting's flag (both stages), then the commands' own flags. */
const SETTING_FLAGS = Object.fromEntries(
  Object.values(STAGE_SETTINGS).flatMap((table) => Object.values(table as Settings).map((s) => [s.flag, { type: 'string' }] as const)),
) as Record<string, { type: 'string' }>;

const OPTIONS = {
  ...SETTING_FLAGS,
  name: { type: 'string' },
  preset: { type: 'string' },
  temperature: { type: 'string' },
  margin: { type: 'string' },
  objectives: { type: 'string' },
  param: { type: 'string', multiple: true },
  from: { type: 'string' },
  'no-predict': { type: 'boolean', default: false },
  model: { type: 'string' },
  video: { type: 'string' },
  percent: { type: 'string' },
  job: { type: 'string' },
  format: { type: 'string' },
  annotator: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/**
 * A stage's settings from their flags, each checked against its declared schema, so a bad value
 * is refused here, naming its flag, before any job is queued. A flag of the other stage only is
 * refused too: it would otherwise be dropped without a word.
 */
export function settingsFromFlags<S extends Stage>(stage: S, values: Record<string, unknown>): StageInput[S] {
  const table = STAGE_SETTINGS[stage] as Settings;
  const mine = new Set(Object.values(table).map((s) => s.flag));
  const other = STAGE_SETTINGS[stage === 'pretrain' ? 'finetune' : 'pretrain'] as Settings;
  const stray = Object.values(other).find((s) => !mine.has(s.flag) && values[s.flag] !== undefined);
  if (stray) throw new Error(`\`auw ${stage}\` has no --${stray.flag} (a ${stage === 'pretrain' ? 'finetuning' : 'pretraining'} setting).`);
  const out: Record<string, number | string> = {};
  for (const [key, s] of Object.entries(table)) {
    const text = values[s.flag];
    if (typeof text !== 'string') continue;
    const value = rangeOf(s).options ? text : num(text, s.flag)!;
    const checked = s.schema.safeParse(value);
    if (!checked.success) {
      const what = s.choices ? Object.entries(s.choices).map(([k, label]) => `${k} (${label})`).join(' or ') : (checked.error.issues[0]?.message ?? rangeText(s));
      throw new Error(`--${s.flag} is ${what}, not "${text}".`);
    }
    out[key] = checked.data as number | string;
  }
  return out as StageInput[S];
}

function presetArg(text: string | undefined): { preset?: PresetName } {
  if (text === undefined) return {};
  const p = presetName.safeParse(text);
  if (!p.success) throw new Error(`--preset is ${PRESET_NAMES.join(', ')}, not "${text}".`);
  return { preset: p.data };
}

function num(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = parseDecimal(v) ?? NaN;
  if (!Number.isFinite(n)) throw new Error(`--${flag} must be a number (decimal digits; no hex or exponent), not "${v}".`);
  return n;
}

function need<T>(v: T | undefined, msg: string): T {
  if (v === undefined) throw new Error(msg);
  return v;
}

/**
 * "infonce=1,temporal-margin=0.5" → objective specs; --temperature/--margin and every
 * --param kind.name=value fill their params (the backend checks names and ranges).
 */
function objectiveList(spec: string | undefined, temperature?: number, margin?: number, settings: readonly string[] = []): Params<'models/pretrain'>['objectives'] {
  if (spec === undefined && temperature === undefined && margin === undefined && !settings.length) return undefined;
  const extra = settings.map((s) => {
    const m = /^([\w-]+)\.(\w+)=(.+)$/.exec(s.trim());
    const value = m ? Number(m[3]) : NaN;
    if (!m || !Number.isFinite(value)) throw new Error(`--param: "${s}" is not KIND.NAME=NUMBER (e.g. temporal-margin.margin=0.2).`);
    return { kind: m[1]!, name: m[2]!, value };
  });
  const entries = (spec ?? (margin !== undefined ? 'infonce=1,temporal-margin=1' : 'infonce=1')).split(',').map((s) => s.trim()).filter(Boolean);
  const list = entries.map((e) => {
    const [kind, w] = e.split('=');
    const weight = w === undefined ? 1 : Number(w);
    if (!kind || !Number.isFinite(weight)) throw new Error(`--objectives: "${e}" is not kind=weight.`);
    const params: Record<string, number> = {};
    if (kind === 'infonce' && temperature !== undefined) params.temperature = temperature;
    if (kind === 'temporal-margin' && margin !== undefined) params.margin = margin;
    for (const x of extra) if (x.kind === kind) params[x.name] = x.value;
    return { kind, weight, params };
  });
  const kinds = new Set(list.map((o) => o.kind));
  const stray = extra.find((x) => !kinds.has(x.kind));
  if (stray) throw new Error(`--param ${stray.kind}.${stray.name}: ${stray.kind} is not among the objectives (${[...kinds].join(', ')}); add it to --objectives.`);
  return list;
}

function fmt(x: number | null | undefined, digits = 3): string {
  return fixed(x, digits);
}

export function metricsTableText(t: MetricsTable): string {
  const lines = [`${t.source} (${t.frames} frames)`, `  AU     ICC     r       MAE     n`];
  for (const m of t.perAu) lines.push(`  ${auColumn(m.au).padEnd(6)} ${fmt(m.icc).padEnd(7)} ${fmt(m.r).padEnd(7)} ${fmt(m.mae).padEnd(7)} ${m.n}`);
  lines.push(`  mean   ${fmt(t.mean.icc).padEnd(7)} ${fmt(t.mean.r).padEnd(7)} ${fmt(t.mean.mae).padEnd(7)} (over ${t.mean.aus} AUs with a defined ICC)`);
  return lines.join('\n');
}

/** The network against the baseline per AU, as the Train view's comparison table shows it (with the delivered mix where there is one), and its verdict. */
export function comparisonText(c: Comparison): string {
  const base = new Map((c.baseline?.perAu ?? []).map((m) => [m.au, m]));
  const delivered = new Map((c.delivered?.perAu ?? []).map((m) => [m.au, m]));
  const blend = new Map((c.blend ?? []).map((b) => [b.au, b]));
  const scored = c.intervals ? new Set(c.intervals.aus) : null;
  const lines = [`${c.caption}`, `  ${c.footing}`, `  AU     net ICC base ICC net MAE base MAE${c.delivered ? ' delivered  track from' : ''}`];
  const row = (name: string, n: { icc: number | null; mae: number | null }, b: { icc: number | null; mae: number | null } | undefined, d: { icc: number | null } | undefined, from: string) =>
    `  ${name.padEnd(6)} ${fmt(n.icc, 2).padEnd(7)} ${fmt(b?.icc, 2).padEnd(8)} ${fmt(n.mae, 2).padEnd(7)} ${fmt(b?.mae, 2).padEnd(8)}${c.delivered ? ` ${fmt(d?.icc, 2).padEnd(10)} ${from}` : ''}`.trimEnd();
  const source = (au: number) => {
    const b = blend.get(au);
    return !b ? '' : b.source === 'blend' ? `mix ${Math.round(b.networkWeight * 100)} % network` : b.source;
  };
  for (const m of c.network.perAu) if (!scored || scored.has(m.au)) lines.push(row(auColumn(m.au), m, base.get(m.au), delivered.get(m.au), source(m.au)));
  lines.push(row('mean', c.network.mean, c.baseline?.mean, c.delivered?.mean, ''));
  const i = c.intervals;
  if (i) lines.push(`  95 % intervals: network ${withInterval(i.network)}, baseline ${withInterval(i.baseline)}, delivered ${withInterval(i.delivered)}`);
  lines.push(`  ${verdict(c)}`);
  return lines.join('\n');
}

function printMetrics(model: ModelRow, out: (l: string) => void): void {
  const m = (model.metrics ?? {}) as Record<string, MetricsTable | null | undefined>;
  const comparison = comparisonOf(model);
  // The comparison already shows the held-out table; the others follow as they are.
  const tables = ['groundTruthHeldOut', 'groundTruthAll', 'validation', ...(comparison ? [] : ['heldOutLabels'])]
    .map((k) => m[k])
    .filter((t): t is MetricsTable => !!t && Array.isArray(t.perAu));
  if (!comparison && !tables.length) return out(`${model.name}: no metrics yet (finetune, then predict).`);
  out(`Metrics of ${model.name} (#${model.id}):`);
  const norm = normalisationText((model.params.normalisation as { people?: Record<string, NeutralReference> } | undefined)?.people);
  if (norm) out(`Normalised against: ${norm}.`);
  if (comparison) out(comparisonText(comparison));
  for (const t of tables) out(metricsTableText(t));
}

/** Follows learn/progress on stderr: a line per step on a pipe is too much, so once a second. */
function followProgress(io: LearnCliIO): () => void {
  const write = io.err ?? ((s: string) => process.stderr.write(s));
  const err = (s: string) => write(terminalText(s));
  let last = 0;
  return io.events.subscribe((m) => {
    if (m.event !== 'learn/progress') return;
    const p = m.payload as LearnProgress;
    if (p.event === 'resumed') err(`${p.kind} ${p.model}: resuming from the checkpoint at step ${p.step}\n`);
    else if (p.event === 'eval') err(`${p.kind} ${p.model}: validation at step ${p.step}: mse ${fmt(p.valLoss, 4)}, ICC ${fmt(p.valIcc)}${p.best ? ' (best)' : ''}\n`);
    else if (p.event === 'step') {
      const now = Date.now();
      if (now - last < 1000 && p.step !== p.totalSteps) return;
      last = now;
      const eta = p.etaSeconds ? `, ETA ${Math.ceil(p.etaSeconds)} s` : '';
      err(`${p.kind} ${p.model} [${p.phase}] step ${p.step}/${p.totalSteps} loss ${fmt(p.loss, 4)} ${fmt(p.framesPerSec, 0)} frames/s${eta}\n`);
    }
  });
}

/** Runs one learning command; argv starts at the command (e.g. ['pretrain', 'proj', '--name', 'p1']). */
export async function runLearnCli(argv: string[], io: LearnCliIO): Promise<void> {
  const write = io.out ?? ((l: string) => console.log(l));
  // Model, video and coder names come from the store: never printed raw (issue 24 §12).
  const out = (l: string) => write(terminalText(l));
  const { positionals, values: v } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS, strict: true });
  if (v.help) return void out(LEARN_HELP);
  const command = positionals[0];
  let rest = positionals.slice(1);
  let sub: string | undefined;
  if (command === 'labels') [sub, ...rest] = rest;
  const [target, ...files] = rest;
  if (!target) throw new Error(`\`auw ${command}${sub ? ` ${sub}` : ''}\` needs a project folder.`);
  await io.call('projects/open', { dir: path.resolve(target) });
  const stop = followProgress(io);
  try {
    switch (command) {
      case 'backend': {
        const b = await io.call('learn/backend', {});
        out(`${b.kind}${b.threads ? ` (${b.threads} threads${b.simd ? ', SIMD' : ''})` : ''}${b.trainingAllowed ? '' : ' — training refused on this backend'}${b.note ? `\n${b.note}` : ''}`);
        const options = await io.call('learn/options', {});
        out(`Pretraining objectives (--objectives KIND=WEIGHT, --param KIND.NAME=X; default ${options.defaultObjectives.map((d) => `${d.kind}=${d.weight}`).join(',')}):`);
        for (const o of options.objectives) {
          out(`  ${o.kind}: ${o.label}`);
          for (const [name, p] of Object.entries(o.params)) out(`    ${o.kind}.${name} = ${p.default} (${p.min}–${p.max}): ${p.help}`);
        }
        return;
      }
      case 'pretrain': {
        const name = need(v.name, '`auw pretrain` needs --name NAME for the model.');
        const job = await io.call('models/pretrain', {
          name,
          ...presetArg(v.preset),
          ...settingsFromFlags('pretrain', v),
          ...opt('objectives', objectiveList(v.objectives, num(v.temperature, 'temperature'), num(v.margin, 'margin'), v.param ?? [])),
        });
        await io.waitFor([job]);
        const model = (await io.call('models/list', {})).find((m) => m.name === name);
        if (model) out(`Pretrained ${model.name} (#${model.id}) on ${model.backend}: ${String(model.params.steps)} steps, ${Number(model.params.framesPerSec).toFixed(0)} frames/s.`);
        return;
      }
      case 'finetune': {
        const name = need(v.name, '`auw finetune` needs --name NAME for the model.');
        const job = await io.call('models/finetune', {
          name,
          parentId: num(v.from, 'from') ?? null,
          ...presetArg(v.preset),
          ...settingsFromFlags('finetune', v),
          predict: !v['no-predict'],
        });
        await io.waitFor([job]);
        const model = (await io.call('models/list', {})).find((m) => m.name === name);
        if (model) printMetrics(model, out);
        return;
      }
      case 'predict': {
        const modelId = need(num(v.model, 'model'), '`auw predict` needs --model ID (see `auw models`).');
        const video = num(v.video, 'video');
        const job = await io.call('predictions/run', { modelId, ...(video !== undefined ? { videoIds: [video] } : {}) });
        await io.waitFor([job]);
        const model = (await io.call('models/list', {})).find((m) => m.id === modelId);
        if (model) printMetrics(model, out);
        return;
      }
      case 'suggest': {
        const modelId = num(v.model, 'model');
        const percent = num(v.percent, 'percent');
        const videoIds = v.video?.split(',').map((x) => need(num(x.trim(), 'video'), '--video takes video ids, e.g. --video 1,3'));
        const job = await io.call('samples/suggest', { ...(modelId !== undefined ? { modelId } : {}), ...(percent !== undefined ? { percent } : {}), ...(videoIds ? { videoIds } : {}) });
        await io.waitFor([job]);
        const sets = (await io.call('samples/list', {})).filter((s) => s.strategy === 'suggested' && (!videoIds || videoIds.includes(s.videoId)));
        const latest = new Map(sets.map((s) => [s.videoId, s]));
        for (const s of latest.values()) out(`video ${s.videoId}: ${s.frames} suggested frames (model ${s.modelId ?? 'deleted'}, ${s.createdAt})`);
        return;
      }
      case 'resume': {
        const jobId = need(num(v.job, 'job'), '`auw resume` needs --job ID (the interrupted or failed job).');
        const job = await io.call('models/resume', { jobId });
        await io.waitFor([job]);
        out(`Job ${job.id} (${job.kind}) finished.`);
        return;
      }
      case 'metrics': {
        const modelId = need(num(v.model, 'model'), '`auw metrics` needs --model ID (see `auw models`).');
        printMetrics(await io.call('models/metrics', { modelId }), out);
        return;
      }
      case 'models': {
        // The Train view's model list: the network's and the baseline's mean ICC on people it never saw, and what the model delivers.
        out('id\tstage\tname\tparent\tbackend\tsteps\tICC (unseen people)\tbaseline ICC\tdelivered ICC\tcreated');
        for (const m of await io.call('models/list', {})) {
          const c = comparisonOf(m);
          out(`${m.id}\t${m.stage}\t${m.name}\t${m.parentId ?? '-'}\t${m.backend ?? '-'}\t${String(m.params.steps ?? '-')}\t${fmt(c?.network.mean.icc, 2)}\t${fmt(c?.baseline?.mean.icc, 2)}\t${fmt(c?.delivered?.mean.icc, 2)}\t${m.createdAt}`);
        }
        return;
      }
      case 'labels': {
        const file = need(files[0], `\`auw labels ${sub ?? ''}\` needs a CSV file.`);
        const video = num(v.video, 'video');
        if (sub === 'import') {
          const r = await io.call('labels/import', {
            path: path.resolve(file),
            ...(v.format ? { format: v.format as 'auto' | 'long' | 'wide' } : {}),
            ...opt('videoId', video),
            ...opt('annotator', v.annotator),
          });
          out(`Imported ${r.imported} labels (${r.format} form) into ${r.videos} video(s)${r.skippedEmpty ? `; ${r.skippedEmpty} empty cells left unlabelled` : ''}.`);
        } else if (sub === 'export') {
          const r = await io.call('labels/export', {
            path: path.resolve(file),
            ...(v.format ? { format: v.format as 'long' | 'wide' } : {}),
            ...opt('videoId', video),
            ...opt('annotator', v.annotator),
            ...(v.force ? { overwrite: true } : {}),
          });
          out(`Wrote ${r.rows} rows to ${r.path}.`);
        } else throw new Error('Use `auw labels import …` or `auw labels export …`.');
        return;
      }
      default:
        throw new Error(`"${command}" is not a learning command (${LEARN_COMMANDS.join(', ')}).`);
    }
  } finally {
    stop();
  }
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
