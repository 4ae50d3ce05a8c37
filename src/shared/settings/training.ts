/**
 * Every training setting of pretraining and finetuning, declared once: its range (a zod
 * schema), its one-line description, its command-line flag, its label in the Train view's
 * Advanced panel and where its value goes. The API inputs (shared/contract.ts), the CLI flags and
 * their --help (main/cli-learn.ts), the Advanced panel's fields (renderer, Train view) and the
 * handlers' mapping into job overrides (api/handlers/models.ts) are all derived from these
 * tables; learn/config.ts resolves a full config from a preset (settings/presets.ts) and them.
 * tfjs-free and node-free: the renderer, the backend and the CLI import it alike.
 */
import { z } from 'zod';

/**
 * Where a setting's value goes:
 * - 'schedule': the training schedule; every preset holds a value (settings/presets.ts);
 * - 'model': the network's config; every preset's model holds a value;
 * - 'extra': the schedule, but the presets hold none: unset means `fallback`;
 * - 'job': the job's own parameters, outside the stored config (the schema holds the default).
 */
export type SettingKind = 'schedule' | 'model' | 'extra' | 'job';

export interface Setting<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** One line: the --help text and the Advanced panel field's tooltip. */
  help: string;
  /** The command-line flag, without its dashes. */
  flag: string;
  kind: SettingKind;
  /** The Advanced panel's label; without one the setting is on the command line and in the API only. */
  label?: string;
  /** Said after the label in the panel (a condition the value depends on). */
  note?: string;
  /** The value when neither the caller nor the preset sets one ('extra' settings). */
  fallback?: number;
  /** For a choice: how the panel names each option. */
  choices?: Record<string, string>;
}

export type Settings = Record<string, Setting>;

/** A whole number in [min, max], with a message that says so. */
function whole(min: number, max: number) {
  const range = `a whole number from ${min} to ${max}`;
  return z.number({ message: range }).int(range).min(min, range).max(max, range);
}

/** A number in (0, max] (a rate, a scale: 0 would train nothing). */
function positive(max: number) {
  const range = `a number above 0 and at most ${max}`;
  return z.number({ message: range }).gt(0, range).max(max, range);
}

/** A number in [min, max]. */
function between(min: number, max: number) {
  const range = `a number from ${min} to ${max}`;
  return z.number({ message: range }).min(min, range).max(max, range);
}

export const INPUT_NORMS = ['video-median', 'none'] as const;
/** What the encoder reads: the crop minus its video's median crop (person-specific), or the plain crop. */
export const inputNorm = z.enum(INPUT_NORMS, { message: 'input normalisation is "video-median" or "none"' });
export type InputNorm = z.infer<typeof inputNorm>;

/** The settings both stages take, under the same flags. */
const COMMON = {
  batchClips: { schema: whole(1, 512), flag: 'batch', kind: 'schedule', help: 'Clips per batch (pretraining takes two augmented views of each).' },
  clipLength: { schema: whole(1, 256), flag: 'clip-length', kind: 'model', help: 'Frames per clip the temporal module sees (training and inference windows).' },
  stride: { schema: whole(1, 30), flag: 'stride', kind: 'schedule', help: 'Take every S-th frame when forming a clip (1 = consecutive frames).' },
  lr: { schema: positive(1), flag: 'lr', kind: 'schedule', help: 'Learning rate of the Adam optimiser.' },
  checkpointEvery: { schema: whole(1, 100_000), flag: 'checkpoint-every', kind: 'schedule', help: 'Steps between checkpoints (an interrupted job resumes from the last one).' },
  inputNorm: {
    schema: inputNorm,
    flag: 'input-norm',
    kind: 'model',
    label: 'Network input',
    help: "What the network reads: video-median, each crop minus its video's median face (the expression, not the person; needs mostly neutral stretches), or none, the plain crop.",
    choices: { 'video-median': 'minus median face', none: 'plain crop' },
  },
  seed: { schema: whole(0, 2 ** 31 - 1), flag: 'seed', kind: 'extra', fallback: 1, help: 'Seed of the initial weights, the clip draws and the augmentation (and of the split when finetuning).' },
} as const satisfies Settings;

/** Pretraining's settings, in the order of --help and of the Advanced panel. */
export const PRETRAIN_SETTINGS = {
  steps: { schema: whole(1, 1_000_000), flag: 'steps', kind: 'schedule', label: 'Steps', help: 'Pretraining steps.' },
  batchClips: { ...COMMON.batchClips, label: 'Clips per batch' },
  clipLength: { ...COMMON.clipLength, label: 'Clip length (frames)' },
  stride: { ...COMMON.stride, label: 'Frame stride' },
  lr: { ...COMMON.lr, label: 'Learning rate' },
  checkpointEvery: { ...COMMON.checkpointEvery, label: 'Checkpoint every (steps)' },
  inputNorm: COMMON.inputNorm,
  seed: COMMON.seed,
} as const satisfies Settings;

/** Finetuning's settings, in the order of --help and of the Advanced panel. */
export const FINETUNE_SETTINGS = {
  headSteps: { schema: whole(0, 1_000_000), flag: 'head-steps', kind: 'schedule', label: 'Head-only steps', help: 'Steps that train only the regression head (skipped when starting from scratch).' },
  fullSteps: { schema: whole(1, 1_000_000), flag: 'steps', kind: 'schedule', label: 'Full-network steps', help: 'Steps that train the whole network.' },
  lr: { ...COMMON.lr, label: 'Learning rate' },
  fullLrScale: { schema: positive(10), flag: 'full-lr-scale', kind: 'schedule', label: 'Full-network LR scale', help: 'Learning rate of the whole-network phase, as a multiple of the learning rate.' },
  cvFolds: {
    schema: whole(0, 10).default(3),
    flag: 'cv-folds',
    kind: 'job',
    label: 'Cross-validation folds',
    help: 'Folds of people for the reported scores, each scored by a network trained without them; the final model then learns from every labelled video (0 = none; then the validation share holds people out).',
  },
  valFraction: { schema: between(0, 0.9).default(0.2), flag: 'val-fraction', kind: 'job', label: 'Validation share (without folds)', help: 'Share of the people held out for validation when there are no folds.' },
  geometryWeight: { schema: between(0, 100), flag: 'geometry-weight', kind: 'extra', fallback: 0, label: 'Landmark-motion weight', help: 'Keep the landmark-motion term on while finetuning, at this weight (0 = off).' },
  evalEvery: { schema: whole(0, 100_000), flag: 'eval-every', kind: 'schedule', label: 'Evaluate every (steps)', help: 'Evaluate on the validation videos every N steps (0 = never).' },
  patience: { schema: whole(0, 1000), flag: 'patience', kind: 'schedule', label: 'Early-stop patience', help: 'Stop after N evaluations without improvement (0 = never stop early).' },
  inputNorm: { ...COMMON.inputNorm, note: 'from scratch only', help: `${COMMON.inputNorm.help} From scratch only: a pretrained starting point fixes what the network reads.` },
  batchClips: COMMON.batchClips,
  clipLength: COMMON.clipLength,
  stride: COMMON.stride,
  landmarkUnits: {
    schema: whole(0, 1024),
    flag: 'landmark-units',
    kind: 'extra',
    fallback: 0,
    label: 'Landmark stream units',
    help: "Also feed each frame's tracked landmarks (aligned, minus the person's reference shape) through a dense layer of this many units into its features, beside the crop (0 = off).",
  },
  unlabelledClips: { schema: whole(0, 512), flag: 'unlabelled-clips', kind: 'extra', fallback: 0, help: 'Clips per step drawn from every video for the landmark-motion term (no AU loss on them).' },
  checkpointEvery: COMMON.checkpointEvery,
  seed: COMMON.seed,
} as const satisfies Settings;

export type Stage = 'pretrain' | 'finetune';
export const STAGE_SETTINGS = { pretrain: PRETRAIN_SETTINGS, finetune: FINETUNE_SETTINGS } as const;

/** Every setting optional, but a 'job' one keeps its schema (its default fills it in). */
type InputShape<T extends Settings> = { [K in keyof T]: T[K]['kind'] extends 'job' ? T[K]['schema'] : z.ZodOptional<T[K]['schema']> };

function inputOf<T extends Settings>(table: T): z.ZodObject<InputShape<T>> {
  return z.object(Object.fromEntries(Object.entries(table).map(([k, s]) => [k, s.kind === 'job' ? s.schema : s.schema.optional()])) as InputShape<T>);
}

/** What an API call may say about a stage's settings: any of them, none required. */
export const PRETRAIN_INPUT = inputOf(PRETRAIN_SETTINGS);
export const FINETUNE_INPUT = inputOf(FINETUNE_SETTINGS);
/** A stage's settings as a handler receives them (defaults filled in). */
export type PretrainSettings = z.output<typeof PRETRAIN_INPUT>;
export type FinetuneSettings = z.output<typeof FINETUNE_INPUT>;

/** What a caller may pass per stage (defaults may be omitted). */
export interface StageInput {
  pretrain: z.input<typeof PRETRAIN_INPUT>;
  finetune: z.input<typeof FINETUNE_INPUT>;
}

/** Seed of a run that names none (both stages). */
export const DEFAULT_SEED = COMMON.seed.fallback;

/** The settings of a given kind, of one stage's table. */
export function keysOfKind(table: Settings, kind: SettingKind): string[] {
  return Object.entries(table)
    .filter(([, s]) => s.kind === kind)
    .map(([k]) => k);
}

/**
 * A stage's settings as an API call gave them, sorted by where they go: the schedule overrides,
 * the model overrides, the job's own parameters. Unset ones are left out, so that the preset keeps its value.
 */
export function routeSettings(table: Settings, given: Record<string, unknown>): { schedule: Record<string, unknown>; model: Record<string, unknown>; job: Record<string, unknown> } {
  const out = { schedule: {} as Record<string, unknown>, model: {} as Record<string, unknown>, job: {} as Record<string, unknown> };
  for (const [key, s] of Object.entries(table)) {
    const v = given[key];
    if (v === undefined) continue;
    out[s.kind === 'model' ? 'model' : s.kind === 'job' ? 'job' : 'schedule'][key] = v;
  }
  return out;
}

export interface SettingRange {
  integer: boolean;
  min?: number;
  max?: number;
  /** True when min itself is refused (a rate above 0). */
  minExclusive?: boolean;
  /** The schema's own default ('job' settings). */
  default?: number | string;
  /** The options of a choice. */
  options?: string[];
}

/** Reads a setting's range off its schema (through JSON Schema: the public way to look inside). */
export function rangeOf(s: Setting): SettingRange {
  const j = z.toJSONSchema(s.schema, { io: 'input' }) as { type?: string; minimum?: number; exclusiveMinimum?: number; maximum?: number; default?: number | string; enum?: string[] };
  return {
    integer: j.type === 'integer',
    ...(j.minimum !== undefined ? { min: j.minimum } : j.exclusiveMinimum !== undefined ? { min: j.exclusiveMinimum, minExclusive: true } : {}),
    ...(j.maximum !== undefined ? { max: j.maximum } : {}),
    ...(j.default !== undefined ? { default: j.default } : {}),
    ...(j.enum ? { options: j.enum } : {}),
  };
}

/** "1–512", "above 0, at most 1", "video-median|none". */
export function rangeText(s: Setting): string {
  const r = rangeOf(s);
  if (r.options) return r.options.join('|');
  if (r.minExclusive) return `above ${r.min}, at most ${r.max}`;
  return `${r.min}–${r.max}`;
}

/** What the flag's value looks like in --help: N (whole), X (number) or the choices. */
export function flagArg(s: Setting): string {
  const r = rangeOf(s);
  return r.options ? r.options.join('|') : r.integer ? 'N' : 'X';
}
