/**
 * The full resolved model and training config, built from a named preset and a caller's
 * overrides. The presets and every setting's range and default are declared once, in
 * shared/settings/ (presets.ts, training.ts); this file only puts them together. The resolved
 * config is stored with each checkpoint and model row, so a model always says exactly how it
 * was built and trained (and a resumed job finds its checkpoint by it: keep its shape).
 */
import type { z } from 'zod';
import { PRESETS, normKind, poolKind, temporalKind, type Preset, type PresetModel, type PresetName } from '../../../shared/settings/presets';
import { DEFAULT_SEED, type InputNorm } from '../../../shared/settings/training';

export { PRESETS, type PresetName, type InputNorm };
export type TemporalKind = z.infer<typeof temporalKind>;
export type NormKind = z.infer<typeof normKind>;
/** How the last feature map becomes one vector (settings/presets.ts says why 'flatten'). */
export type PoolKind = z.infer<typeof poolKind>;

/** A network's config: a preset's (settings/presets.ts), sized for the project's crops and AUs. */
export interface ModelConfig extends Omit<PresetModel, 'pool' | 'inputNorm'> {
  /** Side of the square gray crop the encoder reads (the project's crop size). */
  inputSize: number;
  /** Absent in models saved before it existed, which all used 'avg'. */
  pool?: PoolKind;
  /**
   * What the encoder reads: the crop itself ('none'), or the crop minus its video's median crop
   * ('video-median', see data.ts). Absent in models saved before it existed, which all read the plain crop.
   */
  inputNorm?: InputNorm;
  /** AU numbers, in output order. */
  aus: number[];
  /**
   * A second input per frame: the tracked landmarks in the aligned crop minus the person's
   * reference shape (data.ts geometry), through a dense layer of this many units, added into the
   * frame's features before the temporal module. The HOG + geometry baseline wins with this
   * signal where the crop's pixels say it weakly (mouth opening, brow lowering). Absent or 0 = off.
   */
  landmarkUnits?: number;
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

/**
 * The resolved configs: a preset's schedule (each field is a setting of settings/training.ts,
 * described there) with the model, the augmentation, the seed and, for pretraining, the objectives.
 */
type PretrainSchedule = Preset['pretrain'];
type FinetuneSchedule = Preset['finetune'];

export interface PretrainConfig extends PretrainSchedule {
  model: ModelConfig;
  objectives: ObjectiveSpec[];
  augment: AugmentConfig;
  seed: number;
}

export interface FinetuneConfig extends FinetuneSchedule {
  model: ModelConfig;
  augment: AugmentConfig;
  /**
   * Weight of the landmark-motion term (objectives/geometry.ts) kept on during finetuning, on
   * every frame of the labelled clips and of `unlabelledClips` more clips drawn from every
   * video: the features stay tied to the face's movement for all the people, not only the
   * labelled ones. Absent (in models saved before it existed, and when unset) = 0, off.
   */
  geometryWeight?: number;
  /** Clips per step drawn at random from every video for the geometry term (no AU loss on them). */
  unlabelledClips?: number;
  /** Units of the landmark input stream (ModelConfig.landmarkUnits); absent or 0 = off. */
  landmarkUnits?: number;
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
    seed: DEFAULT_SEED,
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
    seed: DEFAULT_SEED,
    ...rest,
    model: modelConfig(preset, inputSize, aus, rest.landmarkUnits ? { ...model, landmarkUnits: rest.landmarkUnits } : model),
    augment: { ...FINETUNE_AUGMENT, ...augment },
  };
}

/** Frames a clip spans in the video: clipLength samples, stride apart. */
export function clipSpan(clipLength: number, stride: number): number {
  return (clipLength - 1) * stride + 1;
}
