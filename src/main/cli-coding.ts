/**
 * The CLI's commands for coders, agreement, neutral references, OpenFace and export, on the same API methods as
 * the UI (through the caller's dispatch):
 *
 *   import { CODING_COMMANDS, CODING_HELP, runCodingCli } from './cli-coding';
 *   if (CODING_COMMANDS.includes(argv[0])) await runCodingCli(argv, { call });
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { MethodName, Params, Result } from '../shared/contract';
import type { AgreementReport, LabelRule, MetricsTable, NeutralSubject } from '../shared/types';
import { auColumn, levelText } from '../shared/aus';
import { fixed, parseDecimal } from '../shared/numbers';
import { referenceText } from '../shared/neutral';
import { terminalText } from '../shared/names';
import { fewFramesText } from '../shared/agreement';

export const CODING_COMMANDS: readonly string[] = ['export', 'agreement', 'import-openface', 'openface', 'double-code', 'training-rule', 'coder', 'neutral'];

export const CODING_HELP = `Coders, agreement, OpenFace and export:
  auw coder    [NAME]                       this machine's coder (every label the UI writes carries it)
  auw double-code <project> [--percent P] [--seed N] [--video ID]
               set aside P % (default 20) of each video's sampled frames for a second coder
  auw agreement <project> [--coders A,B] [--video ID] [--limit N]
               ICC(3,1), r, MAE and linearly weighted kappa per AU between two coders, and
               their largest disagreements (the two coders with most labels in common by default)
  auw training-rule <project> [mean | first NAME]
               which value training takes where several coders labelled a frame and AU
  auw neutral  <project> [--video ID]       each person's reference: neutral (marked frames) or video median
  auw neutral  <project> mark --video ID --frames A[-B] [--coder NAME]
               mark frame A (or frames A…B) of a video as its person's neutral face; that
               person's videos are then normalised against the marked frames, not their median
  auw neutral  <project> clear (--video ID | --mark ID)
               every mark of the video's person, or one mark (ids from \`auw neutral\`)
  auw import-openface <project> <openface.csv> --video ID [--replace] [--model ID]
               an OpenFace 2 FeatureExtraction CSV as the video's read-only track; prints how
               it scores on your labels (beside model ID on the same frames, with --model)
  auw openface <project> [--model ID] [--video ID]   the imported tracks and their scores
  auw export   <project> --model ID --out DIR [--video ID …] [--force (replace existing files)]
               one OpenFace-style CSV per video, labels.csv and model.json into DIR`;

export interface CodingCliIO {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  out?: (line: string) => void;
}

const OPTIONS = {
  percent: { type: 'string' },
  seed: { type: 'string' },
  video: { type: 'string', multiple: true },
  coders: { type: 'string' },
  limit: { type: 'string' },
  model: { type: 'string' },
  out: { type: 'string' },
  frames: { type: 'string' },
  coder: { type: 'string' },
  mark: { type: 'string' },
  replace: { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
} as const;

function num(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = parseDecimal(v) ?? NaN;
  if (!Number.isFinite(n)) throw new Error(`--${flag} must be a number (decimal digits; no hex or exponent), not "${v}".`);
  return n;
}

const fmt = (x: number | null | undefined, digits = 3) => fixed(x, digits);

export function ruleText(rule: LabelRule): string {
  return rule.kind === 'mean' ? 'mean of every coder' : `${rule.coder} first (the other coders' mean where ${rule.coder} gave none)`;
}

export function agreementText(r: AgreementReport): string {
  const scope = r.videoId === null ? 'every video' : `video ${r.videoId}`;
  const lines = [
    `Agreement of ${r.coderA} and ${r.coderB} over ${r.frames} frames both labelled (${scope})`,
    '  AU     n      ICC     r       MAE     kappa   ICC 95% CI        kappa 95% CI      occ.agree occ.kappa',
  ];
  const ci = (c: [number, number] | null) => (c ? `[${fmt(c[0])}, ${fmt(c[1])}]` : '–');
  const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)} %`);
  const few = r.perAu.filter((m) => m.n > 0 && m.n < r.minN);
  for (const m of r.perAu) lines.push(`  ${auColumn(m.au).padEnd(6)} ${`${m.n}${few.includes(m) ? '*' : ''}`.padEnd(6)} ${fmt(m.icc).padEnd(7)} ${fmt(m.r).padEnd(7)} ${fmt(m.mae).padEnd(7)} ${fmt(m.kappa).padEnd(7)} ${ci(m.iccCi).padEnd(17)} ${ci(m.kappaCi).padEnd(17)} ${pct(m.occurrence).padEnd(9)} ${fmt(m.occurrenceKappa)}`);
  lines.push(
    `  mean   ${''.padEnd(6)} ${fmt(r.mean.icc).padEnd(7)} ${fmt(r.mean.r).padEnd(7)} ${fmt(r.mean.mae).padEnd(7)} ${fmt(r.mean.kappa).padEnd(7)} ${''.padEnd(17)} ${''.padEnd(17)} ${pct(r.mean.occurrence).padEnd(9)} ${fmt(r.mean.occurrenceKappa)}  (over ${r.mean.aus} AUs with a defined ICC)`,
  );
  lines.push('  ICC(3,1): two-way mixed, consistency, single rater; kappa: Cohen, linear weights over the levels 0–5 (0 absent, A–E).');
  lines.push(`  95% CI: percentile bootstrap over frames (1000 resamples); occurrence: present at ${levelText(r.presenceAt)} or above, percent agreement and Cohen's kappa.`);
  if (few.length) lines.push(`  * ${fewFramesText(few.length, r.perAu.filter((m) => m.n > 0).length, r.minN)}`);
  if (!r.disagreements.length) lines.push('No disagreements: the two coders gave the same value everywhere both coded.');
  else {
    lines.push(`Largest disagreements (${r.disagreements.length}):`);
    for (const d of r.disagreements) {
      lines.push(`  ${d.videoName}  frame ${d.frame}  ${auColumn(d.au)}  ${r.coderA} ${levelText(d.a)}  ${r.coderB} ${levelText(d.b)}  |Δ| ${d.diff}`);
    }
  }
  return lines.join('\n');
}

/** A person's reference in use and its marks, as the Label and Review views say it. */
export function neutralText(p: NeutralSubject): string {
  const lines = [`${p.person}: reference ${referenceText(p.reference)} — videos ${p.videoIds.join(', ')}`];
  for (const m of p.marks) lines.push(`  mark ${m.id}: video ${m.videoId} (${m.videoName}) frames ${m.firstFrame}–${m.lastFrame}, ${m.faceFrames} with a face, by ${m.coder}`);
  return lines.join('\n');
}

function tableText(t: MetricsTable): string {
  const lines = [`${t.source} (${t.frames} frames)`, '  AU     ICC     r       MAE     n'];
  for (const m of t.perAu) lines.push(`  ${auColumn(m.au).padEnd(6)} ${fmt(m.icc).padEnd(7)} ${fmt(m.r).padEnd(7)} ${fmt(m.mae).padEnd(7)} ${m.n}`);
  lines.push(`  mean   ${fmt(t.mean.icc).padEnd(7)} ${fmt(t.mean.r).padEnd(7)} ${fmt(t.mean.mae).padEnd(7)} (over ${t.mean.aus} AUs with a defined ICC)`);
  return lines.join('\n');
}

/** Runs one command; argv starts at the command (e.g. ['agreement', 'proj', '--coders', 'a,b']). */
export async function runCodingCli(argv: string[], io: CodingCliIO): Promise<void> {
  const write = io.out ?? ((l: string) => console.log(l));
  // Names, video names and messages come from the store: never printed raw (issue 24 §12).
  const out = (l: string) => write(terminalText(l));
  const { positionals, values: v } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS, strict: true });
  const [command, target, ...rest] = positionals;
  if (command === 'coder') {
    // A machine setting: no project involved.
    const coder = target === undefined ? await io.call('coder/get', {}) : await io.call('coder/set', { name: [target, ...rest].join(' ') });
    out(coder.name ? `Coder on this machine: ${coder.name}` : 'No coder set on this machine yet: `auw coder NAME` sets one (the UI asks on first use).');
    return;
  }
  if (!target) throw new Error(`\`auw ${command}\` needs a project folder. See \`auw --help\`.`);
  await io.call('projects/open', { dir: path.resolve(target) });
  const videos = (v.video ?? []).map((s) => num(s, 'video')!);
  const oneVideo = () => {
    if (videos.length > 1) throw new Error(`\`auw ${command}\` takes one --video.`);
    return videos[0];
  };
  switch (command) {
    case 'double-code': {
      const percent = num(v.percent, 'percent');
      const seed = num(v.seed, 'seed');
      const videoId = oneVideo();
      const sets = await io.call('doubleCoding/create', { ...(percent !== undefined ? { percent } : {}), ...(seed !== undefined ? { seed } : {}), ...(videoId !== undefined ? { videoId } : {}) });
      for (const s of sets) out(`video ${s.videoId}: ${s.frames.length} of ${s.sampled} sampled frames set aside for a second coder (${s.percent} %, seed ${s.seed})`);
      return;
    }
    case 'agreement': {
      const coders = v.coders?.split(',').map((c) => c.trim()).filter(Boolean) ?? [];
      if (v.coders !== undefined && coders.length !== 2) throw new Error(`--coders names two coders, as --coders alice,bob (got "${v.coders}").`);
      const limit = num(v.limit, 'limit');
      const videoId = oneVideo();
      const report = await io.call('agreement/compute', {
        ...(coders.length ? { coderA: coders[0]!, coderB: coders[1]! } : {}),
        ...(videoId !== undefined ? { videoId } : {}),
        ...(limit !== undefined ? { limit } : {}),
      });
      out(agreementText(report));
      out(`Training takes: ${ruleText(await io.call('labels/rule', {}))} (change with \`auw training-rule\`).`);
      return;
    }
    case 'training-rule': {
      const [kind, ...name] = rest;
      let rule: LabelRule;
      if (kind === undefined) rule = await io.call('labels/rule', {});
      else if (kind === 'mean' && !name.length) rule = await io.call('labels/setRule', { rule: { kind: 'mean' } });
      else if (kind === 'first' && name.length) rule = await io.call('labels/setRule', { rule: { kind: 'coder', coder: name.join(' ') } });
      else throw new Error('Use `auw training-rule <project> mean` or `auw training-rule <project> first NAME`.');
      out(`Training takes: ${ruleText(rule)}. Models finetuned from now on record it.`);
      return;
    }
    case 'neutral': {
      const [verb = 'list', ...extra] = rest;
      if (extra.length) throw new Error(`\`auw neutral\` takes one of list, mark, clear; unexpected "${extra.join(' ')}".`);
      const videoId = oneVideo();
      if (verb === 'list') {
        const people = await io.call('neutral/list', videoId !== undefined ? { videoId } : {});
        if (!people.length) return out('No videos yet, so no people to mark.');
        for (const p of people) out(neutralText(p));
        return;
      }
      if (verb === 'mark') {
        if (videoId === undefined) throw new Error('`auw neutral mark` needs --video ID (see `auw videos`).');
        const m = /^(\d+)(?:-(\d+))?$/.exec(v.frames ?? '');
        if (!m) throw new Error(`--frames is a frame (12) or a segment first-last (12-40), frames counted from 0${v.frames === undefined ? '' : `, not "${v.frames}"`}.`);
        const coder = v.coder ?? (await io.call('coder/get', {})).name;
        if (!coder) throw new Error('Say who marks the frames: --coder NAME, or set this machine\'s coder with `auw coder NAME`.');
        const p = await io.call('neutral/mark', { videoId, firstFrame: Number(m[1]), ...(m[2] !== undefined ? { lastFrame: Number(m[2]) } : {}), coder });
        out(neutralText(p));
        return;
      }
      if (verb === 'clear') {
        const markId = num(v.mark, 'mark');
        if ((markId === undefined) === (videoId === undefined)) throw new Error('`auw neutral clear` needs --video ID (every mark of its person) or --mark ID (one mark), not both.');
        out(neutralText(await io.call('neutral/clear', markId !== undefined ? { markId } : { videoId: videoId! })));
        return;
      }
      throw new Error(`\`auw neutral\` takes list, mark or clear, not "${verb}".`);
    }
    case 'import-openface': {
      const file = rest[0];
      if (!file) throw new Error('`auw import-openface` needs the OpenFace CSV file.');
      const videoId = oneVideo();
      if (videoId === undefined) throw new Error('`auw import-openface` needs --video ID: the video the CSV was made from (see `auw videos`).');
      const r = await io.call('openface/import', { videoId, path: path.resolve(file), replace: v.replace });
      out(
        `${r.replaced ? 'Replaced' : 'Imported'} the OpenFace track of video ${videoId}: ${r.frameCount} frames at ${r.fps.toFixed(2)} fps, a face on ${r.faces}, ` +
          `${r.aus.map(auColumn).join(', ')}${r.ignoredAus.length ? ` (left out, not in the AU set: ${r.ignoredAus.map(auColumn).join(', ')})` : ''}.`,
      );
      await printComparison(io, out, num(v.model, 'model'), videoId);
      return;
    }
    case 'openface': {
      const tracks = await io.call('openface/list', {});
      if (!tracks.length) return out('No OpenFace tracks yet: `auw import-openface <project> <file.csv> --video ID` imports one.');
      out('video\tframes\tfps\tfaces\tAUs\tsource');
      for (const t of tracks) out(`${t.videoId}\t${t.frameCount}\t${t.fps.toFixed(2)}\t${t.faces}\t${t.aus.map(auColumn).join(',')}\t${t.source}`);
      await printComparison(io, out, num(v.model, 'model'), oneVideo());
      return;
    }
    case 'export': {
      const modelId = num(v.model, 'model');
      if (modelId === undefined) throw new Error('`auw export` needs --model ID (see `auw models`).');
      if (!v.out) throw new Error('`auw export` needs --out DIR: the folder the CSVs go to.');
      const result = await io.call('export/run', { modelId, ...(videos.length ? { videoIds: videos } : {}) });
      const dir = await io.call('export/copy', { relDir: result.relDir, dir: path.resolve(v.out), overwrite: v.force });
      for (const f of result.files) out(`${path.join(dir, f.name)}\t${f.bytes} bytes${f.rows !== null ? `\t${f.rows} frames` : ''}`);
      out(`Exported ${result.files.filter((f) => f.name.endsWith('.csv') && f.name !== 'labels.csv').length} video(s) of model ${modelId} into ${dir} (also kept in the project's exports/${result.relDir}).`);
      return;
    }
    default:
      throw new Error(`"${command}" is not one of ${CODING_COMMANDS.join(', ')}.`);
  }
}

async function printComparison(io: CodingCliIO, out: (l: string) => void, modelId: number | undefined, videoId: number | undefined): Promise<void> {
  const c = await io.call('openface/compare', { ...(modelId !== undefined ? { modelId } : {}), ...(videoId !== undefined ? { videoId } : {}) });
  if (!c.openface.frames) return out(`No labelled frames with an OpenFace value yet to score it on (labels by: ${ruleText(c.rule)}).`);
  out(`Scored on your labels (one value per frame and AU: ${ruleText(c.rule)}):`);
  out(tableText(c.openface));
  if (c.model) out(tableText(c.model));
}
