/**
 * The job kinds, like the API contract: each names the lane it runs in, the schema of the
 * params stored in its row, and the result its runner resolves with (a phantom, as the
 * contract's output). The rows outlive the code that queued them, so the manager reads every
 * row through its schema before a runner sees it. tfjs-free: the handlers import it.
 */
import { z } from 'zod';
import { labelRule } from '../../../shared/contract';
import { presetName as learnPreset } from '../../../shared/settings/presets';
import type { Job } from '../../../shared/types';
import type { FinetuneOverrides, PretrainOverrides } from '../learn/config';

/**
 * Each lane runs one job at a time, and the lanes run side by side: an hour of training does
 * not hold up an import, nor a queue of imports a training run.
 */
export type JobLane = 'media' | 'learning';

/** Params are an object: they are stored as a row's JSON object. */
export interface JobKindSpec<S extends z.ZodType<Record<string, unknown>> = z.ZodType<Record<string, unknown>>, R = unknown> {
  lane: JobLane;
  params: S;
  /** What to do when a stored row no longer reads (ends the job's error message). */
  redo: string;
  /** Never read at runtime; carries the type the runner resolves with. */
  result?: R;
}

export type KindRegistry = Record<string, JobKindSpec>;

function kind<R>() {
  return <S extends z.ZodType<Record<string, unknown>>>(spec: Omit<JobKindSpec<S, R>, 'result'>): JobKindSpec<S, R> => spec;
}

const id = z.number().int().positive();
const videoIds = z.array(id).optional();

/**
 * Training overrides were checked field by field by the contract when the job was queued, and
 * config.ts owns their shape (it fills the rest from the preset); the row only has to hold an
 * object of them.
 */
const overrides = <T>() =>
  z.custom<T>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'expected an object of training settings');

export const JOB_KINDS = {
  import: kind<{ videoId: number }>()({
    lane: 'media',
    params: z.object({
      path: z.string().min(1),
      alreadyAligned: z.boolean(),
      detectEvery: z.number().int().min(1),
      subject: z.string().nullable(),
      /** Retry import: ingest into this existing (failed) video, keeping its labels and sample sets. */
      videoId: id.optional(),
      /** The file's size when queued: what the Jobs panel scales the running import's rate by. Absent in older rows. */
      sizeBytes: z.number().nonnegative().optional(),
    }),
    redo: 'Import the video again.',
  }),
  pretrain: kind<{ modelId: number }>()({
    lane: 'learning',
    params: z.object({ name: z.string().min(1), preset: learnPreset, overrides: overrides<PretrainOverrides>(), videoIds }),
    redo: 'Start the pretraining again from the Train view.',
  }),
  finetune: kind<{ modelId: number }>()({
    lane: 'learning',
    params: z.object({
      name: z.string().min(1),
      preset: learnPreset,
      parentId: id.nullable(),
      overrides: overrides<FinetuneOverrides>(),
      valFraction: z.number().min(0).max(1),
      /**
       * Cross-validation over people for the reported metrics: this many folds, each trained on
       * the others' labels and scored on its own (0 = none; then `valFraction` holds people out).
       * Absent in jobs queued before it existed.
       */
      cvFolds: z.number().int().min(0).optional(),
      splitSeed: z.number().int(),
      /** Predict every frame of every video once trained (and compute the metrics). */
      predict: z.boolean(),
      /** Train and validate on these videos only. */
      videoIds,
      /** Which coder's value a frame and AU take (the project's rule when queued; absent in older jobs). */
      labelRule: labelRule.optional(),
    }),
    redo: 'Start the finetuning again from the Train view.',
  }),
  predict: kind<void>()({
    lane: 'learning',
    params: z.object({ modelId: id, videoIds }),
    redo: 'Run the prediction again from the Train view.',
  }),
  suggest: kind<{ frames: number }>()({
    lane: 'learning',
    params: z.object({
      modelId: id,
      /** Share of the chosen videos' face frames to suggest, in percent. */
      percent: z.number().gt(0).max(100),
      videoIds,
    }),
    redo: 'Ask for suggested frames again.',
  }),
} satisfies KindRegistry;

export type JobKinds = typeof JOB_KINDS;
export type JobKind = keyof JobKinds;
/** What a runner reads (defaults filled in). */
export type ParamsOf<R extends KindRegistry, K extends keyof R> = z.output<R[K]['params']>;
/** What `JobManager.add` takes (fields with defaults may be left out). */
export type ParamsIn<R extends KindRegistry, K extends keyof R> = z.input<R[K]['params']>;
export type ResultOf<R extends KindRegistry, K extends keyof R> = R[K] extends JobKindSpec<z.ZodType<Record<string, unknown>>, infer Res> ? Res : never;

export type JobParams<K extends JobKind> = ParamsOf<JobKinds, K>;

/** Whether a job's kind (a string from its row) is one of `kinds`. */
export function isKindOf<K extends JobKind>(kind: string, kinds: readonly K[]): kind is K {
  return (kinds as readonly string[]).includes(kind);
}

/**
 * A job's params when it is one of `kinds` and its row reads, else null: what a handler asks
 * of a listed job (which model does it train?) without trusting the row's shape.
 */
export function jobParams<K extends JobKind>(job: Pick<Job, 'kind' | 'params'>, kinds: readonly K[]): JobParams<K> | null {
  if (!isKindOf(job.kind, kinds)) return null;
  const parsed = JOB_KINDS[job.kind].params.safeParse(job.params);
  return parsed.success ? (parsed.data as JobParams<K>) : null;
}
