/**
 * Headless CLI over the same services and the same API methods the UI calls, for batch work
 * and servers: `auw <command> <project> …`. Exit code 0 on success, 1 on any error.
 */
import { parseDecimal } from '../shared/numbers';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { MethodName, Params, Result } from '../shared/contract';
import type { Job } from '../shared/types';
import { dispatch } from './api/dispatch';
import { CODING_COMMANDS, CODING_HELP, runCodingCli } from './cli-coding';
import { LEARN_COMMANDS, LEARN_HELP, runLearnCli } from './cli-learn';
import { compose } from './compose';
import { terminalText } from '../shared/names';
import { writeFileAtomic } from './services/files/safe-write';

const HELP = `AU Workbench command line

  auw create  <dir> [--name NAME] [--aus disfa|bp4d|1,2,4,…] [--crop-size N]
  auw import  <project> <video>… [--aligned] [--detect-every K] [--subject ID]
  auw sample  <project> [--percent P] [--strategy random|stride] [--seed N] [--min-gap FRAMES] [--video ID]
  auw frames  <project> --video ID [--frame N --out still.jpg]
  auw videos  <project>

${LEARN_HELP}

${CODING_HELP}

Paths may be anywhere the command line user can reach.`;

const argv = process.argv.slice(2);
const learnCommand = LEARN_COMMANDS.includes(argv[0] ?? '');
const codingCommand = CODING_COMMANDS.includes(argv[0] ?? '') && !argv.includes('--help') && !argv.includes('-h');
const { positionals, values } = parseArgs({
  args: learnCommand || codingCommand ? [] : argv,
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    aus: { type: 'string' },
    'crop-size': { type: 'string' },
    aligned: { type: 'boolean', default: false },
    'detect-every': { type: 'string' },
    subject: { type: 'string' },
    percent: { type: 'string' },
    strategy: { type: 'string' },
    seed: { type: 'string' },
    'min-gap': { type: 'string' },
    video: { type: 'string' },
    frame: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const num = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = parseDecimal(v) ?? NaN;
  if (!Number.isFinite(n)) throw new Error(`${flag} must be a number (decimal digits; no hex or exponent), not "${v}".`);
  return n;
};

// The CLI user may name any file they can read: the roots are the filesystem root.
const { workbench, handlers, events } = compose({ shell: 'cli', roots: [path.parse(process.cwd()).root] });

/** Everything printed carries names from the store or the file system: never raw (issue 24 §12). */
function print(text: string): void {
  console.log(terminalText(text));
}

async function call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
  const envelope = await dispatch(handlers, method, params);
  if (!envelope.ok) throw new Error(envelope.error.message);
  return envelope.result as Result<M>;
}

function bar(job: Job): string {
  const width = 30;
  const filled = Math.round(job.progress * width);
  const eta = job.etaSeconds !== null ? ` ${Math.ceil(job.etaSeconds)} s left` : '';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(job.progress * 100).toFixed(0).padStart(3)} %${eta} ${job.message ?? ''}`;
}

/** Waits for the given jobs, drawing progress on stderr; fails if any job failed. */
async function waitFor(jobs: Job[]): Promise<void> {
  const ids = new Set(jobs.map((j) => j.id));
  const tty = process.stderr.isTTY;
  const off = events.subscribe((m) => {
    if (m.event !== 'jobs/progress' || !ids.has(m.payload.id)) return;
    const job = m.payload;
    if (tty) process.stderr.write(`\r\x1b[2K${job.kind} #${job.id} ${terminalText(bar(job))}`);
    if (['done', 'failed', 'cancelled'].includes(job.state)) process.stderr.write(`${tty ? '\n' : ''}${job.kind} #${job.id}: ${job.state}${job.error ? ` — ${terminalText(job.error)}` : ''}\n`);
  });
  await workbench.requireJobs().idle();
  off();
  const final = await call('jobs/list', { limit: 500 });
  const failed = final.filter((j) => ids.has(j.id) && j.state !== 'done');
  if (failed.length) throw new Error(`${failed.length} of ${ids.size} job(s) did not finish: ${failed.map((j) => j.error ?? j.state).join('; ')}`);
}

async function main(): Promise<void> {
  if (learnCommand) return runLearnCli(argv, { call, events, waitFor });
  if (codingCommand) return runCodingCli(argv, { call });
  const [command, target, ...rest] = positionals;
  if (values.help || !command) return void print(HELP);
  if (!target) throw new Error(`\`auw ${command}\` needs a project folder. See \`auw --help\`.`);
  const dir = path.resolve(target);
  switch (command) {
    case 'create': {
      const aus = values.aus ?? 'disfa';
      const auSet: Params<'projects/create'>['auSet'] =
        aus === 'disfa' || aus === 'bp4d' ? { preset: aus } : { custom: aus.split(',').map((a) => num(a.trim(), '--aus')!), name: `Custom (${aus})` };
      const cropSize = num(values['crop-size'], '--crop-size');
      const p = await call('projects/create', { dir, name: values.name ?? path.basename(dir), auSet, ...(cropSize ? { cropSize } : {}) });
      print(`Created ${p.name} at ${p.dir} (${p.auSet.name}).`);
      return;
    }
    case 'import': {
      await call('projects/open', { dir });
      if (!rest.length) throw new Error('Name at least one video to import.');
      const detectEvery = num(values['detect-every'], '--detect-every');
      const jobs = await call('videos/import', {
        paths: rest.map((p) => path.resolve(p)),
        alreadyAligned: values.aligned,
        ...(detectEvery ? { detectEvery } : {}),
        ...(values.subject ? { subject: values.subject } : {}),
      });
      await waitFor(jobs);
      for (const v of await call('videos/list', {})) print(`${v.id}\t${v.name}\t${v.frameCount} frames\tfaces ${v.facesFound}\t${v.status}`);
      return;
    }
    case 'sample': {
      await call('projects/open', { dir });
      const percent = num(values.percent, '--percent');
      const seed = num(values.seed, '--seed');
      const minGap = num(values['min-gap'], '--min-gap');
      const videoId = num(values.video, '--video');
      const sets = await call('samples/create', {
        ...(percent !== undefined ? { percent } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(minGap !== undefined ? { minGap } : {}),
        ...(videoId !== undefined ? { videoId } : {}),
        ...(values.strategy ? { strategy: values.strategy as 'random' | 'stride' } : {}),
      });
      for (const s of sets) print(`video ${s.videoId}: ${s.frames} frames (${s.strategy}, ${s.percent} %, seed ${s.seed}${s.minGap > 1 ? `, at least ${s.minGap} frames apart` : ''})`);
      return;
    }
    case 'frames': {
      await call('projects/open', { dir });
      const videoId = num(values.video, '--video');
      if (videoId === undefined) throw new Error('`auw frames` needs --video ID (see `auw videos`).');
      const frame = num(values.frame, '--frame');
      if (frame !== undefined) {
        const info = await call('frames/info', { videoId, frame });
        print(JSON.stringify({ ...info, landmarks: info.landmarks ? `${info.landmarks.length / 2} points` : null }));
        if (values.out) {
          const still = await call('frames/still', { videoId, frame });
          // Like every file a user names: a .jpg, atomically, never through a link nor into a project.
          const out = writeFileAtomic(path.resolve(values.out), Buffer.from(still.base64, 'base64'), { extensions: ['.jpg', '.jpeg'], overwrite: true });
          print(`Wrote ${terminalText(out)} (${still.width}×${still.height}).`);
        }
        return;
      }
      const queue = await call('samples/queue', { videoId });
      print(`frame\tlabelled_aus\tsuggested`);
      for (const q of queue) print(`${q.frame}\t${q.labelledAus}\t${q.suggested ? 1 : 0}`);
      return;
    }
    case 'videos': {
      await call('projects/open', { dir });
      for (const v of await call('videos/list', {})) {
        print(`${v.id}\t${v.name}\t${v.frameCount} frames\t${v.fps.toFixed(2)} fps\tfaces ${v.facesFound}\tsampled ${v.sampled}\tlabelled ${v.labelled}\t${v.status}`);
      }
      return;
    }
    default:
      throw new Error(`Unknown command "${command}". See \`auw --help\`.`);
  }
}

main()
  .then(() => workbench.close())
  .catch(async (err: unknown) => {
    console.error(terminalText(`Error: ${err instanceof Error ? err.message : String(err)}`));
    await workbench.close().catch(() => {});
    process.exitCode = 1;
  });
