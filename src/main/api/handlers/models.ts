import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import type { CurvePoint, Job, LearnBackendStatus, LearnOptions, StoppedRun } from '../../../shared/types';
import type { Workbench } from '../../workbench';
import { getJob } from '../../services/store/jobs';
import { getLabelRule } from '../../services/store/labelRule';
import { readCurve } from '../../services/learn/curve';
import { DEFAULT_FINETUNE_START, DEFAULT_OBJECTIVES, PRESETS, type FinetuneOverrides, type PretrainOverrides } from '../../services/learn/config';
import { PRESET_NAMES, PRESET_NOTES } from '../../../shared/settings/presets';
import { DEFAULT_SEED, FINETUNE_SETTINGS, PRETRAIN_SETTINGS, routeSettings } from '../../../shared/settings/training';
import { computeModelMetrics } from '../../services/learn/backend/evaluate';
import { LEARN_JOB_KINDS, type FinetuneJobParams, type PretrainJobParams, type PredictJobParams } from '../../services/learn/backend/jobs';
import { findModelByName, getModel, setModelMetrics } from '../../services/store/models';
import { modelDirFor, removeModel, stoppedCheckpoint } from '../../services/learn/backend/modelFolders';
import { objectiveCatalog, resolveObjectives } from '../../services/learn/objectives/catalog';
import { runTask } from '../../worker/launch';
import { isKindOf, jobParams } from '../../services/jobs/kinds';
import type { HandlerSlice } from './types';
import { listVideos } from '../../services/store/videos';
import { labelledFrames } from '../../services/learn/backend/trainingData';
import { personOf } from '../../../shared/people';

/** The job kinds that train a model of a name. */
const TRAINING = ['pretrain', 'finetune'] as const;

type M =
  | 'learn/backend'
  | 'learn/options'
  | 'learn/labelledPeople'
  | 'models/pretrain'
  | 'models/finetune'
  | 'predictions/run'
  | 'models/metrics'
  | 'models/curve'
  | 'models/resume'
  | 'models/stopped'
  | 'models/discard'
  | 'models/remove';

/** What `npm run bench:quality -- --demo-timing` measured (BENCHMARKS.md): the demo project, 2 CPU cores, wasm. */
const DEMO_MINUTES: Partial<Record<keyof typeof PRESETS, { pretrain: number; finetune: number }>> = { quick: { pretrain: 7, finetune: 15 } };

let probe: Promise<LearnBackendStatus> | null = null;

/** Drops undefined fields so presets keep their values where the caller said nothing. */
function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function modelHandlers(workbench: Workbench): HandlerSlice<M> {
  const project = () => workbench.requireProject();
  const db = () => project().db;

  /** A new model name must be free: unused by a finished model and by a pending job. */
  const checkNewName = (name: string) => {
    if (findModelByName(db(), name)) throw new ApiError('conflict', `There is already a model called "${name}". Choose another name, or remove that model first.`);
    const pending = workbench
      .requireJobs()
      .list(500)
      .find((j) => (j.state === 'queued' || j.state === 'running') && jobParams(j, TRAINING)?.name === name);
    if (pending) throw new ApiError('conflict', `Job ${pending.id} is already training "${name}". Wait for it, or cancel it.`);
  };

  return {
    'learn/backend': () => {
      // Asked of a worker process: the backend process itself never loads TensorFlow.js.
      probe ??= runTask('learnProbe', {}, { signal: new AbortController().signal }).then(
        (r) => ({ kind: r.kind, name: r.name, trainingAllowed: r.trainingAllowed, ...defined({ simd: r.simd, threads: r.threads, note: r.note }) }),
        (err: unknown) => {
          probe = null;
          throw new ApiError('unavailable', `The learning engine could not start: ${err instanceof Error ? err.message : String(err)}`);
        },
      );
      return probe;
    },

    'learn/options': async (): Promise<LearnOptions> => {
      return {
        presets: PRESET_NAMES.map((name) => {
          const p = PRESETS[name];
          return {
            name,
            description: PRESET_NOTES[name],
            pretrainSteps: p.pretrain.steps,
            finetuneHeadSteps: p.finetune.headSteps,
            finetuneFullSteps: p.finetune.fullSteps,
            clipLength: p.model.clipLength,
            channels: [...p.model.channels],
            ...(DEMO_MINUTES[name] ? { demoMinutes: DEMO_MINUTES[name] } : {}),
          };
        }),
        objectives: objectiveCatalog().map((f) => ({ kind: f.kind, label: f.label, description: f.description, params: f.params })),
        defaultObjectives: DEFAULT_OBJECTIVES.map((o) => ({ kind: o.kind, weight: o.weight })),
        finetuneStart: DEFAULT_FINETUNE_START,
      };
    },

    'learn/labelledPeople': () => {
      // As finetuneJob reads them: the ready videos, the project's AUs, the label rule in force.
      const videos = listVideos(db()).filter((v) => v.status === 'ready');
      const labels = labelledFrames(db(), project().auSet().aus, videos.map((v) => v.id), getLabelRule(db()));
      const labelled = new Set(labels.map((l) => l.videoId));
      return { people: new Set(videos.filter((v) => labelled.has(v.id)).map(personOf)).size, frames: labels.length };
    },

    'models/pretrain': async (a) => {
      checkNewName(a.name);
      if (a.objectives) {
        // Checked now so a typo fails at the button, not minutes later in the worker.
        try {
          resolveObjectives(a.objectives);
        } catch (err) {
          throw new ApiError('invalid_argument', (err as Error).message);
        }
      }
      // Each declared setting goes where settings/training.ts says; unset ones keep the preset's value.
      const { schedule, model } = routeSettings(PRETRAIN_SETTINGS, a);
      const overrides: PretrainOverrides = { ...schedule, ...(a.objectives ? { objectives: a.objectives.map((o) => ({ kind: o.kind, weight: o.weight, params: o.params })) } : {}), model };
      const params: PretrainJobParams = { name: a.name, preset: a.preset, overrides, ...(a.videoIds ? { videoIds: a.videoIds } : {}) };
      return workbench.requireJobs().add('pretrain', params);
    },

    'models/finetune': (a) => {
      checkNewName(a.name);
      if (a.parentId !== null) {
        const parent = getModel(db(), a.parentId);
        if (parent.stage !== 'pretrain') throw new ApiError('invalid_argument', `${parent.name} is a finetuned model; start from a pretrained one (or from scratch).`);
        if (a.inputNorm) throw new ApiError('invalid_argument', `${parent.name} already fixes what the network reads; leave the input normalisation unset when finetuning from it.`);
      }
      const { schedule, model } = routeSettings(FINETUNE_SETTINGS, a);
      const overrides: FinetuneOverrides = { ...schedule, model };
      const params: FinetuneJobParams = {
        name: a.name,
        preset: a.preset,
        parentId: a.parentId,
        overrides,
        valFraction: a.valFraction,
        cvFolds: a.cvFolds,
        splitSeed: a.seed ?? DEFAULT_SEED,
        predict: a.predict,
        ...(a.videoIds ? { videoIds: a.videoIds } : {}),
        // The rule in force when queued: a later change of rule does not change this model.
        labelRule: getLabelRule(db()),
      };
      return workbench.requireJobs().add('finetune', params);
    },

    'predictions/run': ({ modelId, videoIds }) => {
      const model = getModel(db(), modelId);
      if (model.stage !== 'finetune') throw new ApiError('invalid_argument', `${model.name} is only pretrained: finetune it on labels before predicting.`);
      const params: PredictJobParams = { modelId, ...(videoIds ? { videoIds } : {}) };
      return workbench.requireJobs().add('predict', params);
    },

    'models/metrics': ({ modelId }) => {
      const model = getModel(db(), modelId);
      if (model.stage !== 'finetune') throw new ApiError('invalid_argument', `${model.name} is only pretrained; metrics need a finetuned model.`);
      const metrics = computeModelMetrics(db(), modelId);
      setModelMetrics(db(), modelId, { ...(model.metrics ?? {}), ...metrics });
      workbench.events.emit('data/changed', { domain: 'models' });
      const { checkpoint: _c, ...row } = getModel(db(), modelId);
      return row;
    },

    'models/curve': ({ modelId, jobId }): CurvePoint[] => {
      let name: string;
      if (modelId !== undefined) name = getModel(db(), modelId).name;
      else {
        const trains = jobParams(getJob(db(), jobId!), TRAINING);
        if (!trains) throw new ApiError('invalid_argument', `Job ${jobId} is not a training job.`);
        name = trains.name;
      }
      return readCurve(modelDirFor(project().dir, name)) as unknown as CurvePoint[];
    },

    'models/resume': ({ jobId }) => {
      const job = getJob(db(), jobId);
      if (job.kind === 'import') throw new ApiError('invalid_argument', `Job ${jobId} is an import; an import continues through Retry import on its video (Videos), which keeps what was written, its labels and sample sets.`);
      if (!isKindOf(job.kind, LEARN_JOB_KINDS)) throw new ApiError('invalid_argument', `Job ${jobId} is a ${job.kind} job; only training and prediction jobs resume here.`);
      if (!['interrupted', 'failed', 'cancelled'].includes(job.state)) throw new ApiError('conflict', `Job ${jobId} is ${job.state}; only an interrupted, failed or cancelled job can be resumed.`);
      const trained = jobParams(job, TRAINING)?.name;
      if (trained !== undefined && findModelByName(db(), trained)) throw new ApiError('conflict', `"${trained}" already finished; there is nothing to resume.`);
      // Same kind, same parameters (read through the kind's schema): the worker finds the checkpoint and continues from it.
      return workbench.requireJobs().requeue(job);
    },

    'models/stopped': (): StoppedRun[] => {
      const jobs = workbench.requireJobs().list(500);
      const nameOf = (j: Job) => jobParams(j, TRAINING)?.name;
      const active = new Set(jobs.filter((j) => j.state === 'queued' || j.state === 'running').map(nameOf));
      const seen = new Set<string>();
      const out: StoppedRun[] = [];
      // Newest first: a name's newest job decides (a resumed run that finished is not offered again).
      for (const j of jobs) {
        const name = nameOf(j);
        if (name === undefined || seen.has(name)) continue;
        seen.add(name);
        if ((j.state !== 'cancelled' && j.state !== 'interrupted') || active.has(name) || findModelByName(db(), name)) continue;
        const at = stoppedCheckpoint(modelDirFor(project().dir, name));
        if (at) out.push({ jobId: j.id, kind: j.kind as StoppedRun['kind'], name, state: j.state, step: at.step, fold: at.fold, stoppedAt: j.finishedAt });
      }
      return out;
    },

    'models/discard': ({ jobId }) => {
      const job = getJob(db(), jobId);
      const name = jobParams(job, TRAINING)?.name;
      if (name === undefined) throw new ApiError('invalid_argument', `Job ${jobId} is a ${job.kind} job; only a stopped training can be discarded.`);
      if (!['interrupted', 'failed', 'cancelled'].includes(job.state)) throw new ApiError('conflict', `Job ${jobId} is ${job.state}; only a cancelled, interrupted or failed training can be discarded.`);
      if (findModelByName(db(), name)) throw new ApiError('conflict', `"${name}" finished as a model; remove the model instead.`);
      const pending = workbench
        .requireJobs()
        .list(500)
        .find((j) => (j.state === 'queued' || j.state === 'running') && jobParams(j, TRAINING)?.name === name);
      if (pending) throw new ApiError('conflict', `Job ${pending.id} is training "${name}" again; cancel it first.`);
      const dir = modelDirFor(project().dir, name);
      if (dir.startsWith(project().path('models') + path.sep)) fs.rmSync(dir, { recursive: true, force: true });
      // An interrupted job is offered for resume on opening the project; a discarded one is not.
      if (job.state === 'interrupted') workbench.requireJobs().cancel(jobId, 'Discarded: its checkpoint was removed.');
      workbench.events.emit('data/changed', { domain: 'models' });
      return null;
    },

    'models/remove': async ({ modelId }) => {
      await removeModel(project(), modelId, workbench.requireJobs());
      workbench.events.emit('data/changed', { domain: 'models' });
      return null;
    },
  };
}
