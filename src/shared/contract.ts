/**
 * The one API between the UI and the services. Each method is named 'domain/verb' and has a
 * runtime schema for its argument; the result type rides along as a phantom so that both
 * transports stay generic: adding a method here needs no transport code.
 */
import { z } from 'zod';
import { annotatorNameProblem, controlCharProblem } from './names';
import type {
  AgreementReport,
  AppInfo,
  CoderSetting,
  CoderSummary,
  DoubleCodingSet,
  LabelRule,
  NeutralSubject,
  OpenFaceComparison,
  OpenFaceImportResult,
  OpenFaceTrack,
  OpenFaceTrackInfo,
  AuSet,
  DataDomain,
  DirListing,
  EncodedImage,
  ExportResult,
  FrameInfo,
  Peaks,
  Job,
  CurvePoint,
  Label,
  LabelChange,
  LabelsExportResult,
  LabelsImportResult,
  LearnBackendStatus,
  LearnOptions,
  LabelledPeople,
  StoppedRun,
  LearnProgress,
  ModelRow,
  PredictionTrack,
  ProjectSummary,
  QueueFrame,
  RecentProject,
  SampleSet,
  VideoRow,
} from './types';
import { presetName } from './settings/presets';
import { FINETUNE_INPUT, PRETRAIN_INPUT } from './settings/training';

interface MethodSpec<I extends z.ZodType, O> {
  input: I;
  /** Never read at runtime; carries the result type. */
  output?: O;
}

function method<O>() {
  return <I extends z.ZodType>(input: I): MethodSpec<I, O> => ({ input });
}

const none = z.object({}).strict();
const id = z.number().int().positive();
const absPath = z
  .string()
  .min(1, 'a path is required')
  .max(4096, 'the path is too long')
  .refine((p) => !p.includes('\0'), 'the path contains a NUL character');
/** Adds a custom issue when a name (project, model, subject) holds a control character (issue 24 §12). */
function refuseControls(what: string) {
  return (name: string, ctx: { addIssue(issue: { code: 'custom'; message: string }): void }) => {
    const problem = controlCharProblem(name, what);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };
}
const projectName = z.string().trim().min(1, 'a project name is required').max(120, 'keep the name under 120 characters').superRefine(refuseControls('the project name'));
const subjectName = z.string().trim().min(1).max(120).superRefine(refuseControls('the subject'));
const annotator = z
  .string()
  .trim()
  .superRefine((name, ctx) => {
    const problem = annotatorNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
export const auNumber = z.number().int().min(1, 'AU numbers start at 1').max(99, 'AU numbers stop at 99');
export const intensity = z.number().int().min(0, 'intensity is 0 (absent) to 5 (E)').max(5, 'intensity is 0 (absent) to 5 (E)');
const frameIndex = z.number().int().min(0, 'frame numbers start at 0');

const modelName = z
  .string()
  .trim()
  .min(1, 'a model name is required')
  .max(80, 'keep the model name under 80 characters')
  .refine((n) => /[A-Za-z0-9]/.test(n), 'the model name needs at least one letter or digit')
  .superRefine(refuseControls('the model name'));

const objectiveSpec = z
  .object({
    kind: z.string().trim().min(1, 'an objective kind is required').max(40),
    weight: z.number().min(0, 'objective weights are 0 or more').max(1000).default(1),
    params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
  })
  .strict();

export const labelRule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mean') }).strict(),
  z.object({ kind: z.literal('coder'), coder: annotator }).strict(),
]);
const sharePercent = z.number().gt(0, 'the share must be above 0 %').max(100, 'the share is at most 100 %');
const exportDir = z.string().min(1).max(300).regex(/^[\w.-]+$/, 'an export folder name');

const auSetChoice = z.union([
  z.object({ preset: z.enum(['disfa', 'bp4d']) }).strict(),
  z
    .object({
      custom: z
        .array(auNumber)
        .min(1, 'a custom AU set needs at least one AU')
        .max(40)
        .refine((a) => new Set(a).size === a.length, 'the AU set lists an AU twice'),
      name: z.string().trim().min(1).max(60),
    })
    .strict(),
]);

export const contract = {
  'app/info': method<AppInfo>()(none),

  /** Folders and, by `files`, the video files (default) or the .csv files in one folder. */
  'fs/list': method<DirListing>()(z.object({ dir: absPath.optional(), files: z.enum(['videos', 'csv']).default('videos') }).strict()),
  'fs/pickDirectory': method<string | null>()(z.object({ title: z.string().max(200).optional() }).strict()),
  'fs/pickVideos': method<string[]>()(z.object({ title: z.string().max(200).optional() }).strict()),

  'projects/recent': method<RecentProject[]>()(none),
  'projects/create': method<ProjectSummary>()(
    z
      .object({
        dir: absPath,
        name: projectName,
        auSet: auSetChoice.default({ preset: 'disfa' }),
        cropSize: z.number().int().min(32).max(256).optional(),
      })
      .strict(),
  ),
  'projects/open': method<ProjectSummary>()(z.object({ dir: absPath }).strict()),
  'projects/openDemo': method<ProjectSummary>()(none),
  'projects/current': method<ProjectSummary | null>()(none),
  'projects/close': method<null>()(none),
  'projects/forget': method<RecentProject[]>()(z.object({ dir: absPath }).strict()),

  'aus/sets': method<AuSet[]>()(none),

  'videos/list': method<VideoRow[]>()(none),
  'videos/import': method<Job[]>()(
    z
      .object({
        paths: z.array(absPath).min(1, 'choose at least one video').max(500, 'import at most 500 videos at a time'),
        alreadyAligned: z.boolean().default(false),
        detectEvery: z.number().int().min(1).max(30).optional(),
        subject: subjectName.optional(),
      })
      .strict(),
  ),
  'videos/remove': method<null>()(z.object({ videoId: id }).strict()),
  /** A failed or interrupted import, again into the same video: its labels and sample sets stay. */
  'videos/retryImport': method<Job>()(z.object({ videoId: id }).strict()),
  'videos/relink': method<VideoRow>()(z.object({ videoId: id, path: absPath }).strict()),
  'videos/mediaUrl': method<string>()(z.object({ videoId: id }).strict()),
  'videos/peaks': method<Peaks | null>()(z.object({ videoId: id }).strict()),
  'videos/setSubject': method<VideoRow>()(
    z.object({ videoId: id, subject: subjectName.nullable() }).strict(),
  ),

  'samples/list': method<SampleSet[]>()(z.object({ videoId: id.optional() }).strict()),
  'samples/create': method<SampleSet[]>()(
    z
      .object({
        videoId: id.optional(),
        percent: z.number().gt(0, 'the percentage must be above 0').max(100, 'the percentage is at most 100').default(2),
        strategy: z.enum(['random', 'stride']).default('random'),
        seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
        /** Random only: no two sampled frames closer than this many frames (0 or 1: no rule). */
        minGap: z.number().int().min(0, 'the spacing is 0 frames or more').max(100_000).optional(),
      })
      .strict(),
  ),
  'frames/info': method<FrameInfo>()(z.object({ videoId: id, frame: frameIndex }).strict()),
  'frames/still': method<EncodedImage>()(z.object({ videoId: id, frame: frameIndex, maxWidth: z.number().int().min(32).max(4096).optional() }).strict()),
  'frames/crop': method<EncodedImage>()(z.object({ videoId: id, frame: frameIndex }).strict()),
  'samples/queue': method<QueueFrame[]>()(z.object({ videoId: id }).strict()),
  /**
   * Queues *Suggest frames*: a finetuned model (default: the newest) ranks the unlabelled face
   * frames by what a label there would teach, and the picks become suggested sample sets.
   */
  'samples/suggest': method<Job>()(
    z
      .object({
        modelId: id.optional(),
        percent: z.number().gt(0, 'the share must be above 0').max(20, 'suggest at most 20 % of the frames at a time').default(1),
        /** Suggest in these videos only (default: every imported video). */
        videoIds: z.array(id).min(1, 'choose at least one video').max(10_000).optional(),
      })
      .strict(),
  ),

  'labels/set': method<Label | null>()(
    z
      .object({
        videoId: id,
        frame: frameIndex,
        au: auNumber,
        intensity: intensity.nullable(),
        annotator,
      })
      .strict(),
  ),
  'labels/forFrame': method<Label[]>()(z.object({ videoId: id, frame: frameIndex }).strict()),
  'labels/forVideo': method<Label[]>()(z.object({ videoId: id }).strict()),
  'labels/history': method<LabelChange[]>()(
    z
      .object({
        videoId: id,
        frame: frameIndex.optional(),
        /** One coder's changes only (a second coder must not see the first one's values). */
        annotator: annotator.optional(),
        limit: z.number().int().min(1).max(10_000).default(200),
      })
      .strict(),
  ),

  // Coders and agreement.
  /** This machine's coder (the app's settings): asked once, changeable. */
  'coder/get': method<CoderSetting>()(none),
  'coder/set': method<CoderSetting>()(z.object({ name: annotator }).strict()),
  'coders/list': method<CoderSummary[]>()(z.object({ videoId: id.optional() }).strict()),
  'doubleCoding/list': method<DoubleCodingSet[]>()(z.object({ videoId: id.optional() }).strict()),
  /** Sets aside (or grows) a seeded share of each video's sampled frames for a second coder. */
  'doubleCoding/create': method<DoubleCodingSet[]>()(
    z
      .object({ videoId: id.optional(), percent: sharePercent.default(20), seed: z.number().int().min(0).max(2 ** 31 - 1).optional() })
      .strict(),
  ),
  'agreement/compute': method<AgreementReport>()(
    z
      .object({
        coderA: annotator.optional(),
        coderB: annotator.optional(),
        videoId: id.optional(),
        limit: z.number().int().min(0).max(1000).default(50),
        /** Occurrence: an AU is present at this intensity or above (1 = FACS A). */
        presenceAt: z.number().int().min(1).max(5).default(1),
      })
      .strict(),
  ),
  /** The training rule: one value per frame and AU where several coders labelled it. */
  'labels/rule': method<LabelRule>()(none),
  'labels/setRule': method<LabelRule>()(z.object({ rule: labelRule }).strict()),

  // OpenFace in: a FeatureExtraction CSV as a read-only track of its video.
  'openface/import': method<OpenFaceImportResult>()(z.object({ videoId: id, path: absPath, replace: z.boolean().default(false) }).strict()),
  'openface/list': method<OpenFaceTrackInfo[]>()(none),
  'openface/get': method<OpenFaceTrack | null>()(z.object({ videoId: id }).strict()),
  'openface/remove': method<null>()(z.object({ videoId: id }).strict()),
  'openface/compare': method<OpenFaceComparison>()(z.object({ videoId: id.optional(), modelId: id.optional() }).strict()),

  // Neutral reference per person: frames marked as the face at rest replace the video median.
  /** Every person (or the one of videoId) with its marks and the reference in use. */
  'neutral/list': method<NeutralSubject[]>()(z.object({ videoId: id.optional() }).strict()),
  /** Marks frames first…last (one frame without lastFrame) of a video; returns its person. */
  'neutral/mark': method<NeutralSubject>()(
    z
      .object({ videoId: id, firstFrame: frameIndex, lastFrame: frameIndex.optional(), coder: annotator })
      .strict()
      .refine((a) => a.lastFrame === undefined || a.firstFrame <= a.lastFrame, 'the first frame must not come after the last'),
  ),
  /** Removes one mark (markId), or every mark of a video's person (videoId); returns the person. */
  'neutral/clear': method<NeutralSubject>()(
    z
      .object({ markId: id.optional(), videoId: id.optional() })
      .strict()
      .refine((a) => (a.markId === undefined) !== (a.videoId === undefined), 'give either markId (one mark) or videoId (every mark of its person)'),
  ),

  'jobs/list': method<Job[]>()(z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict()),
  'jobs/cancel': method<Job>()(z.object({ jobId: id }).strict()),

  'models/list': method<ModelRow[]>()(none),
  'export/run': method<ExportResult>()(
    z
      .object({ modelId: id, videoId: id.optional(), videoIds: z.array(id).min(1).max(10_000).optional() })
      .strict()
      .refine((a) => a.videoId === undefined || a.videoIds === undefined, 'give videoId or videoIds, not both'),
  ),
  'export/saveAs': method<string | null>()(z.object({ relDir: exportDir }).strict()),
  /** Copies an export folder's files into `dir` (made if missing); existing files only with overwrite. */
  'export/copy': method<string>()(z.object({ relDir: exportDir, dir: absPath, overwrite: z.boolean().default(false) }).strict()),
  'predictions/get': method<PredictionTrack | null>()(z.object({ modelId: id, videoId: id }).strict()),

  // Learning engine: training and inference run as jobs in a worker process.
  'learn/backend': method<LearnBackendStatus>()(none),
  'learn/options': method<LearnOptions>()(none),
  // Who has labels, counted as a finetune job counts them (ready videos, the label rule): the Train view's plan.
  'learn/labelledPeople': method<LabelledPeople>()(none),
  // Each training setting (range, default, meaning) is declared once, in settings/training.ts.
  'models/pretrain': method<Job>()(
    PRETRAIN_INPUT.extend({
      name: modelName,
      preset: presetName.default('quick'),
      objectives: z.array(objectiveSpec).min(1, 'choose at least one objective').max(16).optional(),
      videoIds: z.array(id).min(1).max(10_000).optional(),
    }).strict(),
  ),
  'models/finetune': method<Job>()(
    FINETUNE_INPUT.extend({
      name: modelName,
      parentId: id.nullable().default(null),
      preset: presetName.default('quick'),
      predict: z.boolean().default(true),
      /** Train and validate on these videos only (predictions still cover every video). */
      videoIds: z.array(id).min(1).max(10_000).optional(),
    }).strict(),
  ),
  'predictions/run': method<Job>()(z.object({ modelId: id, videoIds: z.array(id).min(1).max(10_000).optional() }).strict()),
  'models/metrics': method<ModelRow>()(z.object({ modelId: id }).strict()),
  'models/curve': method<CurvePoint[]>()(
    z
      .object({ modelId: id.optional(), jobId: id.optional() })
      .strict()
      .refine((a) => (a.modelId === undefined) !== (a.jobId === undefined), 'give either modelId or jobId'),
  ),
  'models/resume': method<Job>()(z.object({ jobId: id }).strict()),
  // Cancelled or interrupted trainings whose last checkpoint is kept: resume one, or discard it.
  'models/stopped': method<StoppedRun[]>()(none),
  'models/discard': method<null>()(z.object({ jobId: id }).strict()),
  'models/remove': method<null>()(z.object({ modelId: id }).strict()),
  'labels/import': method<LabelsImportResult>()(
    z
      .object({
        path: absPath,
        format: z.enum(['auto', 'long', 'wide']).default('auto'),
        videoId: id.optional(),
        annotator: annotator.default('import'),
      })
      .strict(),
  ),
  'labels/export': method<LabelsExportResult>()(
    z
      .object({
        path: absPath,
        format: z.enum(['long', 'wide']).default('long'),
        videoId: id.optional(),
        annotator: annotator.optional(),
        /** The user confirmed replacing an existing .csv of that name. */
        overwrite: z.boolean().default(false),
      })
      .strict()
      .refine((a) => a.format === 'long' || a.videoId !== undefined, 'a wide export holds one video: give videoId'),
  ),
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
/** What a caller passes (defaults may be omitted). */
export type Params<M extends MethodName> = z.input<Contract[M]['input']>;
/** What a handler receives, after validation and defaults. */
export type Args<M extends MethodName> = z.output<Contract[M]['input']>;
export type Result<M extends MethodName> = Exclude<Contract[M]['output'], undefined>;

export type Handlers = { [M in MethodName]: (args: Args<M>) => Promise<Result<M>> | Result<M> };

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

/** Events the services push to every connected UI. */
export interface Events {
  'jobs/progress': Job;
  'data/changed': { domain: DataDomain; videoId?: number };
  'learn/progress': LearnProgress;
}
export type EventName = keyof Events;
/** Discriminated on `event`, so a switch on it narrows the payload. */
export type EventMessage = { [E in EventName]: { event: E; payload: Events[E] } }[EventName];

/** The one object the renderer talks to; each shell provides a transport behind it. */
export interface ApiClient {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}
