/**
 * The named presets: a network and a schedule per stage, the values every training setting
 * (settings/training.ts) takes unless the caller sets it. The preset schema reuses the settings'
 * own schemas, so a preset cannot hold a value the API would refuse (test/unit/learn/settings.test.ts).
 */
import { z } from 'zod';
import { FINETUNE_SETTINGS, PRETRAIN_SETTINGS, inputNorm, keysOfKind, type Setting, type Settings, type Stage } from './training';

export const PRESET_NAMES = ['tiny', 'quick', 'default', 'gpu'] as const;
export const presetName = z.enum(PRESET_NAMES, { message: `the preset is ${PRESET_NAMES.join(', ')}` });
export type PresetName = z.infer<typeof presetName>;

/** What each preset is for (the Train view's preset list, `auw --help`). */
export const PRESET_NOTES: Record<PresetName, string> = {
  tiny: 'A toy network for tests: seconds, not meaningful results.',
  quick: 'Fits a 2-core laptop: pretraining and finetuning in minutes on the wasm backend.',
  default: 'A bigger network and longer schedules: an hour or more on 2 CPU cores.',
  gpu: 'For tfjs-node-gpu on a CUDA machine: wider network, longer clips, many more steps.',
};

export const temporalKind = z.enum(['tcn', 'gru', 'attn', 'none']);
export const normKind = z.enum(['none', 'group']);
/**
 * How the last feature map becomes one vector: 'flatten' keeps where on the (aligned) face a
 * feature fired, which AUs are defined by; 'avg' (global average) throws that away. Measured on
 * the demo data (learn README): flatten lifts cross-subject ICC of the brow AUs several-fold.
 */
export const poolKind = z.enum(['avg', 'flatten']);

/** The network a preset builds (besides the crop size and AUs, which the project gives). */
const presetModel = z
  .object({
    /** Output channels of each conv block; each block halves the resolution. */
    channels: z.array(z.number().int().min(1).max(1024)).min(1).max(8),
    /** Convolutions per block: the first strides by 2, the rest keep the size. */
    convsPerBlock: z.number().int().min(1).max(8),
    norm: normKind,
    pool: poolKind,
    inputNorm,
    /** Per-frame feature size after pooling and a dense layer. */
    featureDim: z.number().int().min(1).max(4096),
    temporal: z.object({ kind: temporalKind, layers: z.number().int().min(0).max(16), kernel: z.number().int().min(1).max(31) }).strict(),
    clipLength: PRETRAIN_SETTINGS.clipLength.schema,
    /** Size of the projection used only by the contrastive objectives. */
    projDim: z.number().int().min(1).max(4096),
  })
  .strict();

type ScheduleShape<T extends Settings> = { [K in keyof T as T[K]['kind'] extends 'schedule' ? K : never]: T[K]['schema'] };

/** A stage's schedule: its 'schedule' settings, and the weight decay no caller sets. */
function scheduleOf<T extends Settings>(table: T) {
  const shape = Object.fromEntries(keysOfKind(table, 'schedule').map((k) => [k, (table[k] as Setting).schema])) as ScheduleShape<T>;
  return z.object(shape).extend({ weightDecay: z.number().min(0).max(1) }).strict();
}

export const presetSchema = z
  .object({ model: presetModel, pretrain: scheduleOf(PRETRAIN_SETTINGS), finetune: scheduleOf(FINETUNE_SETTINGS) })
  .strict();
export type Preset = z.infer<typeof presetSchema>;
export type PresetModel = Preset['model'];

// Sizes were chosen by measuring a training step on the wasm backend of a 2-core machine
// (scripts/bench-learn.ts prints the figures); see the learn README for the numbers.
export const PRESETS: Record<PresetName, Preset> = {
  tiny: {
    model: { channels: [4, 8], convsPerBlock: 1, norm: 'none', pool: 'flatten', inputNorm: 'video-median', featureDim: 16, temporal: { kind: 'tcn', layers: 1, kernel: 3 }, clipLength: 4, projDim: 8 },
    pretrain: { steps: 6, batchClips: 2, stride: 1, lr: 1e-3, weightDecay: 0, checkpointEvery: 2 },
    finetune: { headSteps: 2, fullSteps: 4, batchClips: 2, stride: 1, lr: 3e-3, fullLrScale: 0.3, weightDecay: 0, evalEvery: 2, patience: 0, checkpointEvery: 2 },
  },
  quick: {
    model: { channels: [16, 32, 48, 64], convsPerBlock: 1, norm: 'none', pool: 'flatten', inputNorm: 'video-median', featureDim: 64, temporal: { kind: 'tcn', layers: 2, kernel: 3 }, clipLength: 8, projDim: 32 },
    pretrain: { steps: 1000, batchClips: 8, stride: 2, lr: 1e-3, weightDecay: 1e-4, checkpointEvery: 100 },
    // A fixed schedule (cross-validation, not early stopping on a few held-out frames, says how
    // good it is): 600 steps from scratch reached test ICC 0.54 / 0.49 (two seeds) on the quality
    // set; after pretraining, 50 head-only steps then the whole network at the full rate (0.3×
    // the rate scored 0.48 vs 0.53 on the same pretrained model). learn README, "Schedule".
    finetune: { headSteps: 50, fullSteps: 600, batchClips: 16, stride: 2, lr: 2e-3, fullLrScale: 1, weightDecay: 1e-4, evalEvery: 100, patience: 6, checkpointEvery: 100 },
  },
  default: {
    model: { channels: [32, 48, 64, 96], convsPerBlock: 2, norm: 'group', pool: 'flatten', inputNorm: 'video-median', featureDim: 128, temporal: { kind: 'tcn', layers: 2, kernel: 3 }, clipLength: 16, projDim: 64 },
    pretrain: { steps: 3000, batchClips: 8, stride: 2, lr: 1e-3, weightDecay: 1e-4, checkpointEvery: 100 },
    finetune: { headSteps: 300, fullSteps: 1500, batchClips: 16, stride: 2, lr: 2e-3, fullLrScale: 0.2, weightDecay: 1e-4, evalEvery: 100, patience: 4, checkpointEvery: 100 },
  },
  gpu: {
    model: { channels: [64, 96, 128, 192], convsPerBlock: 2, norm: 'group', pool: 'flatten', inputNorm: 'video-median', featureDim: 256, temporal: { kind: 'tcn', layers: 3, kernel: 3 }, clipLength: 32, projDim: 128 },
    pretrain: { steps: 20000, batchClips: 32, stride: 2, lr: 1e-3, weightDecay: 1e-4, checkpointEvery: 500 },
    finetune: { headSteps: 1000, fullSteps: 6000, batchClips: 32, stride: 2, lr: 2e-3, fullLrScale: 0.2, weightDecay: 1e-4, evalEvery: 250, patience: 5, checkpointEvery: 500 },
  },
};

/**
 * The value a setting takes when the caller leaves it unset: the preset's, else the schema's
 * default ('job' settings), else its fallback ('extra' ones).
 */
export function defaultOf(stage: Stage, key: string, preset: PresetName): number | string | undefined {
  const s = (stage === 'pretrain' ? PRETRAIN_SETTINGS : FINETUNE_SETTINGS) as Settings;
  const spec = s[key];
  if (!spec) return undefined;
  const p = PRESETS[preset];
  if (spec.kind === 'model') return (p.model as unknown as Record<string, number | string>)[key];
  if (spec.kind === 'schedule') return (p[stage] as Record<string, number>)[key];
  if (spec.kind === 'job') {
    const d = spec.schema.safeParse(undefined);
    return d.success ? (d.data as number) : undefined;
  }
  return spec.fallback;
}
