/**
 * Model and training settings, with named presets. A preset is only a starting point: every
 * field can be overridden, and the full resolved config is stored with each checkpoint and
 * model row, so a model always says exactly how it was built and trained.
 */

export type TemporalKind = 'tcn' | 'gru' | 'attn' | 'none';
export type NormKind = 'none' | 'group';
/**
 * How the last feature map becomes one vector: 'flatten' keeps where on the (aligned) face a
 * feature fired, which AUs are defined by; 'avg' (global average) throws that away. Measured on
 * the demo data (learn README): flatten lifts cross-subject ICC of the brow AUs several-fold.
 */
export type PoolKind = 'avg' | 'flatten';
/**
 * What the encoder reads: the crop itself ('none'), or the crop minus its video's median crop
 * ('video-median', person-specific normalisation as in OpenFace; see data.ts).
 */
export type InputNorm = 'none' | 'video-median';
export type PresetName = 'tiny' | 'quick' | 'default' | 'gpu';

export interface ModelConfig {
  /** Side of the square gray crop the encoder reads (the project's crop size). */
  inputSize: number;
  /** Output channels of each conv block; each block halves the resolution. */
  channels: number[];
  /** Convolutions per block: the first strides by 2, the rest keep the size. */
  convsPerBlock: number;
  norm: NormKind;
  /** Absent in models saved before it existed, which all used 'avg'. */
  pool?: PoolKind;
  /** Absent in models saved before it existed, which all read the plain crop. */
  inputNorm?: InputNorm;
  /** Per-frame feature size after pooling and a dense layer. */
  featureDim: number;
  temporal: { kind: TemporalKind; layers: number; kernel: number };
  /** Frames per clip the temporal module sees (training and inference windows). */
  clipLength: number;
  /** Size of the projection used only by the contrastive objectives. */
  projDim: number;
  /** AU numbers, in output order. */
  aus: number[];
}

export interface ObjectiveSpec {
  kind: string;
  weight: number;
  /** Objective-specific settings (temperature, margin, …), validated by the objective. */
  params: Record<string, number | string | boolean>;
}

export interface AugmentConfig {
  /** Max relative scale change (zoom in/out) of the crop. */
  scale: number;
  /** Max shift, as a fraction of the crop side. */
  shift: number;
  /** Max rotation in degrees. */
  rotate: number;
  brightness: number;
  contrast: number;
  /** Probability of a Gaussian blur, and its max sigma in pixels. */
  blurProb: number;
  blurSigma: number;
  /** Max std of additive Gaussian noise (on the 0..1 scale). */
  noise: number;
  flipProb: number;
}

export interface PretrainConfig {
  model: ModelConfig;
  steps: number;
  /** Clips per batch; two views each. */
  batchClips: number;
  /** Take every stride-th frame when forming a clip (1 = consecutive frames). */
  stride: number;
  lr: number;
  weightDecay: number;
  objectives: ObjectiveSpec[];
  augment: AugmentConfig;
  checkpointEvery: number;
  seed: number;
}

export interface FinetuneConfig {
  model: ModelConfig;
  /** Steps that train only the regression head (skipped when starting from scratch). */
  headSteps: number;
  /** Steps that train the whole network. */
  fullSteps: number;
  batchClips: number;
  stride: number;
  lr: number;
  /** Learning rate of the whole-network phase, as a multiple of lr. */
  fullLrScale: number;
  weightDecay: number;
  augment: AugmentConfig;
  /** Evaluate on the validation videos every this many steps (0 = never). */
  evalEvery: number;
  /** Stop after this many evaluations without improvement (0 = never stop early). */
  patience: number;
  /**
   * Weight of the landmark-motion term (objectives/geometry.ts) kept on during finetuning, on
   * every frame of the labelled clips and of `unlabelledClips` more clips drawn from every
   * video: the features stay tied to the face's movement for all the people, not only the
   * labelled ones. 0 = off (absent in models saved before it existed).
   */
  geometryWeight?: number;
  /** Clips per step drawn at random from every video for the geometry term (no AU loss on them). */
  unlabelledClips?: number;
  checkpointEvery: number;
  seed: number;
}

const AUGMENT: AugmentConfig = {
  scale: 0.12,
  shift: 0.08,
  rotate: 8,
  brightness: 0.25,
  contrast: 0.3,
  blurProb: 0.3,
  blurSigma: 1.2,
  noise: 0.04,
  flipProb: 0,
};

/** Gentler augmentation for finetuning: the labels must still be true of the view. */
const FINETUNE_AUGMENT: AugmentConfig = { ...AUGMENT, scale: 0.06, shift: 0.04, rotate: 4, blurProb: 0.1, noise: 0.02 };

interface Preset {
  model: Omit<ModelConfig, 'inputSize' | 'aus'>;
  pretrain: Omit<PretrainConfig, 'model' | 'objectives' | 'augment' | 'seed'>;
  finetune: Omit<FinetuneConfig, 'model' | 'augment' | 'seed'>;
}

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
 * Pretraining's default objective. On the quality set (BENCHMARKS.md, bench:quality) temporal
 * InfoNCE lowered the finetuned model's test ICC (0.47 vs 0.49–0.54 from scratch); landmark
 * motion gave 0.527 vs 0.502 from scratch (3 splits, within the seed spread), so it is the
 * default for those who pretrain.
 */
export const DEFAULT_OBJECTIVES: ObjectiveSpec[] = [{ kind: 'geometry', weight: 1, params: {} }];

/**
 * Where one-click Finetune starts. No pretraining objective measurably beat finetuning from
 * scratch on people the model never saw (bench:quality, BENCHMARKS.md), so by default it does
 * not wait for or use a pretrained model; "Finetune starts from" picks one.
 */
export const DEFAULT_FINETUNE_START: 'scratch' | 'pretrained' = 'scratch';

export function modelConfig(preset: PresetName, inputSize: number, aus: number[], over: Partial<ModelConfig> = {}): ModelConfig {
  const p = PRESETS[preset].model;
  return { ...p, temporal: { ...p.temporal }, channels: [...p.channels], inputSize, aus: [...aus], ...over };
}

export interface PretrainOverrides extends Partial<Omit<PretrainConfig, 'model' | 'augment'>> {
  model?: Partial<ModelConfig>;
  augment?: Partial<AugmentConfig>;
}

export function pretrainConfig(preset: PresetName, inputSize: number, aus: number[], over: PretrainOverrides = {}): PretrainConfig {
  const { model, augment, ...rest } = over;
  return {
    ...PRESETS[preset].pretrain,
    objectives: DEFAULT_OBJECTIVES.map((o) => ({ ...o, params: { ...o.params } })),
    seed: 1,
    ...rest,
    model: modelConfig(preset, inputSize, aus, model),
    augment: { ...AUGMENT, ...augment },
  };
}

export interface FinetuneOverrides extends Partial<Omit<FinetuneConfig, 'model' | 'augment'>> {
  model?: Partial<ModelConfig>;
  augment?: Partial<AugmentConfig>;
}

export function finetuneConfig(preset: PresetName, inputSize: number, aus: number[], over: FinetuneOverrides = {}): FinetuneConfig {
  const { model, augment, ...rest } = over;
  return {
    ...PRESETS[preset].finetune,
    seed: 1,
    ...rest,
    model: modelConfig(preset, inputSize, aus, model),
    augment: { ...FINETUNE_AUGMENT, ...augment },
  };
}

/** Frames a clip spans in the video: clipLength samples, stride apart. */
export function clipSpan(clipLength: number, stride: number): number {
  return (clipLength - 1) * stride + 1;
}
