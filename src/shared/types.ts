/** Shapes returned by the API. Inputs are defined (and validated) in contract.ts. */

import type { PresetName } from './settings/presets';

export type ShellKind = 'electron' | 'browser' | 'cli';

export interface AppInfo {
  version: string;
  shell: ShellKind;
  platform: string;
  /** Set where the shell can show native file dialogs (Electron). */
  nativeDialogs: boolean;
  demo: { available: boolean; reason: string | null };
  /** Folders the in-app folder browser may list (browser mode). */
  browseRoots: string[];
}

export interface RecentProject {
  dir: string;
  name: string;
  openedAt: string;
}

export interface AuSet {
  id: number;
  name: string;
  aus: number[];
  builtin: boolean;
}

export interface ProjectSummary {
  dir: string;
  name: string;
  schemaVersion: number;
  createdAt: string;
  auSet: AuSet;
  cropSize: number;
  counts: { videos: number; labels: number; models: number };
}

/**
 * 'changed' is never stored: like 'missing', the video list reports it for a ready video whose
 * source file is not the file imported (another size or content), until it is relinked.
 */
export type VideoStatus = 'pending' | 'ingesting' | 'ready' | 'failed' | 'missing' | 'changed';

export interface VideoRow {
  id: number;
  path: string;
  name: string;
  subject: string | null;
  contentHash: string;
  fps: number;
  frameCount: number;
  duration: number;
  width: number;
  height: number;
  sizeBytes: number;
  hasAudio: boolean;
  status: VideoStatus;
  error: string | null;
  addedAt: string;
  facesFound: number;
  sampled: number;
  labelled: number;
}

/** random and stride sample the face frames; suggested sets are ranked by a model (*Suggest frames*). */
export type SampleStrategy = 'random' | 'stride' | 'suggested';

export interface SampleSet {
  id: number;
  videoId: number;
  strategy: SampleStrategy;
  percent: number;
  seed: number;
  /** The finetuned model that ranked a suggested set (null otherwise, or once it is deleted). */
  modelId: number | null;
  /** Random sets: no two frames closer than this many frames (0: no rule). */
  minGap: number;
  createdAt: string;
  frames: number;
}

export interface QueueFrame {
  videoId: number;
  frame: number;
  rank: number;
  labelledAus: number;
  /** A *Suggest frames* run put it in the queue (it may also be in a random or stride sample). */
  suggested: boolean;
}

export interface Label {
  videoId: number;
  frame: number;
  au: number;
  annotator: string;
  intensity: number;
  updatedAt: string;
}

export interface LabelChange {
  id: number;
  videoId: number;
  frame: number;
  au: number;
  annotator: string;
  oldIntensity: number | null;
  newIntensity: number | null;
  changedAt: string;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface Job {
  id: number;
  kind: string;
  state: JobState;
  params: Record<string, unknown>;
  progress: number;
  message: string | null;
  etaSeconds: number | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export type ModelStage = 'pretrain' | 'finetune';

export interface ModelRow {
  id: number;
  stage: ModelStage;
  parentId: number | null;
  name: string;
  params: Record<string, unknown>;
  metrics: Record<string, unknown> | null;
  backend: string | null;
  createdAt: string;
}

export interface PredictionTrack {
  modelId: number;
  videoId: number;
  aus: number[];
  frameCount: number;
  /** Per AU, one value per frame; null where the frame has no face. */
  values: Record<number, (number | null)[]>;
}

export interface DirEntry {
  name: string;
  path: string;
  kind: 'dir' | 'file';
  isProject: boolean;
}

export interface DirListing {
  dir: string;
  parent: string | null;
  entries: DirEntry[];
}

export type DataDomain = 'project' | 'videos' | 'samples' | 'labels' | 'jobs' | 'models' | 'predictions' | 'coder' | 'rule' | 'openface' | 'neutral';

export interface Peaks {
  /** Peak values per second of media. */
  perSecond: number;
  /** One array per audio channel, max |sample| per bucket in 0..1 (wavesurfer's `peaks`). */
  channels: number[][];
}

export interface FrameInfo {
  videoId: number;
  frame: number;
  face: boolean;
  score: number | null;
  /** x, y, width, height in source pixels. */
  box: number[] | null;
  /** 68 landmarks, x0, y0, x1, y1, … in source pixels. */
  landmarks: number[] | null;
}

/** A small image inline in a response: a JPEG still, or raw gray crop pixels. */
export interface EncodedImage {
  mime: 'image/jpeg' | 'application/x-gray8';
  width: number;
  height: number;
  base64: string;
}

export interface ExportResult {
  /** Absolute folder under the project's exports/. */
  dir: string;
  /** The same, relative to exports/ (what download links use). */
  relDir: string;
  files: { name: string; relPath: string; bytes: number; rows: number | null }[];
}

// ── Learning engine ──────────────────────────────────────────────────────────

/** A training preset (settings/presets.ts declares them). */
export type LearnPreset = PresetName;

/** The TensorFlow.js backend the learning worker runs on. */
export interface LearnBackendStatus {
  kind: 'node-gpu' | 'node' | 'wasm' | 'cpu';
  name: string;
  simd?: boolean;
  threads?: number;
  note?: string;
  /** False on the plain cpu backend unless AUW_TF_BACKEND=cpu asked for it. */
  trainingAllowed: boolean;
}

export interface LearnObjectiveInfo {
  kind: string;
  label: string;
  description: string;
  params: Record<string, { default: number; min: number; max: number; help: string }>;
}

export interface LearnPresetInfo {
  name: LearnPreset;
  description: string;
  pretrainSteps: number;
  /** Head-only steps of finetuning (run only from a pretrained model) and whole-network steps. */
  finetuneHeadSteps: number;
  finetuneFullSteps: number;
  clipLength: number;
  channels: number[];
  /** Minutes measured for the demo project on 2 CPU cores (bench:quality --demo-timing), where known. */
  demoMinutes?: { pretrain: number; finetune: number };
}

/**
 * A training job that was cancelled or interrupted before its model was saved, with its last
 * checkpoint still on disk: it can be resumed from that step, or discarded.
 */
export interface StoppedRun {
  jobId: number;
  kind: 'pretrain' | 'finetune';
  name: string;
  state: 'cancelled' | 'interrupted';
  /** The step of the last checkpoint, of the training it belongs to. */
  step: number;
  /** The cross-validation fold it belongs to (1-based), or null for the final (or only) training. */
  fold: number | null;
  stoppedAt: string | null;
}

/** Labelled frames and the people (personOf) they show, as the next finetune job reads them. */
export interface LabelledPeople {
  people: number;
  frames: number;
}

export interface LearnOptions {
  presets: LearnPresetInfo[];
  objectives: LearnObjectiveInfo[];
  /** What pretraining uses when no objectives are given (the ablation's pick, BENCHMARKS.md). */
  defaultObjectives: { kind: string; weight: number }[];
  /** Where one-click Finetune starts: from scratch, or from the latest pretrained model (bench:quality decides). */
  finetuneStart: 'scratch' | 'pretrained';
}

/** Streamed while a pretrain/finetune/predict job runs (the live loss plot reads these). */
export interface LearnProgress {
  jobId: number;
  kind: 'pretrain' | 'finetune';
  model: string;
  event: 'step' | 'eval' | 'checkpoint' | 'resumed';
  /** Which of a finetune's trainings this is ("fold 2 of 3", "final model"); the step counter restarts with each. */
  training?: string;
  step: number;
  totalSteps?: number;
  phase?: string;
  loss?: number;
  /** Each objective's loss, by objective kind. */
  parts?: Record<string, number>;
  lr?: number;
  framesPerSec?: number;
  etaSeconds?: number | null;
  valLoss?: number;
  valIcc?: number | null;
  best?: boolean;
}

export interface CurvePoint {
  step: number;
  loss: number;
  phase?: string;
  parts?: Record<string, number>;
  fps?: number;
  valLoss?: number;
  valIcc?: number | null;
}

export interface AuMetric {
  au: number;
  /** Pairs the figures were computed on. */
  n: number;
  icc: number | null;
  r: number | null;
  mae: number | null;
}

export interface MetricsTable {
  source: string;
  frames: number;
  perAu: AuMetric[];
  mean: { icc: number | null; r: number | null; mae: number | null; aus: number };
}

/** Where an AU's delivered track comes from: the network, the HOG + geometry baseline, or a weighted mix. */
export type TrackSource = 'network' | 'baseline' | 'blend';

/**
 * How one AU's delivered track is made from the two models' predictions, fitted on their
 * out-of-fold predictions at the labelled frames: clip(offset + scale · (w·network + (1 − w)·baseline), 0, 5).
 */
export interface AuBlend {
  au: number;
  /** Weight of the network (1 = the network alone, 0 = the baseline alone). */
  networkWeight: number;
  scale: number;
  offset: number;
  source: TrackSource;
  /** Labelled frames the weights were fitted on (0: not enough varying labels, the default mix). */
  frames: number;
}

/** An estimate with its 95 % interval. */
export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

/**
 * The network, the baseline and the delivered mix scored on people each was not trained on,
 * with 95 % bootstrap intervals (people resampled, then frames within each person), over the
 * AUs that vary in the labels. `verdict` names a winner only when the interval of the
 * difference (network − baseline) excludes 0.
 */
export interface ModelComparison {
  aus: number[];
  resamples: number;
  network: Interval | null;
  baseline: Interval | null;
  delivered: Interval | null;
  difference: Interval | null;
  verdict: 'network' | 'baseline' | 'tie' | 'unknown';
  perAu: { au: number; network: Interval | null; baseline: Interval | null; delivered: Interval | null }[];
}

export interface LabelsImportResult {
  format: 'long' | 'wide';
  imported: number;
  videos: number;
  /** Empty cells of a wide file (left unlabelled). */
  skippedEmpty: number;
}

export interface LabelsExportResult {
  path: string;
  rows: number;
}

// ── Coders and agreement ─────────────────────────────────────────────────────────────────

/** Who is coding on this machine (the app's settings, not the project's). */
export interface CoderSetting {
  name: string | null;
}

/**
 * Which one value training takes for a frame and AU that several coders labelled: the mean of
 * every coder's value, or a chosen coder's value where they gave one (the others' mean elsewhere).
 */
export type LabelRule = { kind: 'mean' } | { kind: 'coder'; coder: string };

export interface CoderSummary {
  name: string;
  /** Labels (frame × AU) this coder gave. */
  labels: number;
  frames: number;
  videos: number;
}

/** A video's double-coding share: sampled frames set aside for a second coder. */
export interface DoubleCodingSet {
  videoId: number;
  /** Share of the video's sampled frames, in percent. */
  percent: number;
  seed: number;
  createdAt: string;
  /** The frames of the share, ascending. */
  frames: number[];
  /** Sampled frames of the video now. */
  sampled: number;
  /**
   * Frames the share lacks of its percent of the sample now (the sample grew after the share
   * was set aside). A share never grows by itself: only an explicit grow adds them.
   */
  behind: number;
}

export interface AgreementAu {
  au: number;
  /** Frames on which both coders labelled this AU. */
  n: number;
  icc: number | null;
  r: number | null;
  mae: number | null;
  /** Cohen's kappa with linear weights over the six levels 0–5. */
  kappa: number | null;
  /** 95 % intervals of icc and kappa, by a bootstrap over the frames (null where undefined). */
  iccCi: [number, number] | null;
  kappaCi: [number, number] | null;
  /** Occurrence (present at the report's presenceAt or above): share of frames both coders agree on (0–1). */
  occurrence: number | null;
  /** Occurrence: Cohen's kappa on present/absent. */
  occurrenceKappa: number | null;
}

export interface CoderDisagreement {
  videoId: number;
  videoName: string;
  frame: number;
  au: number;
  a: number;
  b: number;
  diff: number;
}

export interface AgreementReport {
  coderA: string;
  coderB: string;
  /** null: every video. */
  videoId: number | null;
  /** Frames with at least one AU labelled by both coders. */
  frames: number;
  perAu: AgreementAu[];
  /** Averages over the AUs where each figure is defined (`aus` says over how many had an ICC). */
  mean: { icc: number | null; r: number | null; mae: number | null; kappa: number | null; occurrence: number | null; occurrenceKappa: number | null; aus: number };
  /** Occurrence threshold: an AU is present at this intensity or above (1 = FACS A). */
  presenceAt: number;
  /** Largest |a − b| first; only frames and AUs where the coders differ. */
  disagreements: CoderDisagreement[];
  /** Every coder in scope, most labels first. */
  coders: CoderSummary[];
  /**
   * The fewest frames per AU for a figure worth reporting: below it, ICC and kappa are shown
   * with a warning (from two frames they are ±1 or undefined as often as not).
   */
  minN: number;
}

// ── OpenFace in ──────────────────────────────────────────────────────────────────────────

export interface OpenFaceTrackInfo {
  videoId: number;
  /** The file it was imported from (as named at import). */
  source: string;
  aus: number[];
  frameCount: number;
  /** Frame rate read from the CSV's timestamps. */
  fps: number;
  /** Frames where OpenFace reported success 1. */
  faces: number;
  importedAt: string;
}

export interface OpenFaceImportResult extends OpenFaceTrackInfo {
  /** AU columns in the file that are not in the project's AU set (left out). */
  ignoredAus: number[];
  /** True when an earlier OpenFace track of this video was replaced. */
  replaced: boolean;
}

/** An OpenFace track in the shape of a model's predictions (null where success was 0). */
export interface OpenFaceTrack extends OpenFaceTrackInfo {
  values: Record<number, (number | null)[]>;
}

/**
 * OpenFace and (optionally) a model scored against the labels (one value per frame and AU, by
 * the training rule) on the same frames and AUs, so the two tables compare like with like.
 */
export interface OpenFaceComparison {
  rule: LabelRule;
  modelId: number | null;
  videos: number;
  openface: MetricsTable;
  model: MetricsTable | null;
}

/**
 * A stretch of one video a coder marked as the person's neutral face (frames first…last,
 * inclusive). The marks of all of a person's videos together make that person's reference.
 */
export interface NeutralMark {
  id: number;
  videoId: number;
  videoName: string;
  firstFrame: number;
  lastFrame: number;
  /** Frames of the stretch with a face (the only ones the reference reads). */
  faceFrames: number;
  coder: string;
  createdAt: string;
}

/**
 * The reference a person's frames are normalised against: the median of the frames marked
 * neutral (over all of the person's videos), or, unmarked, each video's own median.
 */
export type NeutralReference = { kind: 'neutral'; frames: number } | { kind: 'median' };

/** One person (a subject, or a video without one) with the reference in use and its marks. */
export interface NeutralSubject {
  /** The videos' subject; null for a video without one (it is its own person). */
  subject: string | null;
  /** The name shown and recorded on models: the subject, or "video <id>". */
  person: string;
  videoIds: number[];
  reference: NeutralReference;
  marks: NeutralMark[];
}
