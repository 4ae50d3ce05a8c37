/**
 * The finished-model file (model.json) as both processes read it: the backend (which never loads
 * tfjs) for a finetune's parent shape, the worker for inference and finetuning. One schema, so a
 * damaged or hand-edited file is refused with its name and what to do, never half-read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ApiError } from '../../../shared/errors';
import type { ModelConfig } from './config';

export interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset in float32 elements. */
  offset: number;
}

export interface ModelFile {
  format: 'auw-model';
  version: 1;
  stage: 'pretrain' | 'finetune';
  config: ModelConfig;
  weightsFile: string;
  weights: TensorEntry[];
  /** Free-form facts about training (objectives, steps, backend, metrics…). */
  info: Record<string, unknown>;
  savedAt: string;
}

const count = z.number().int().nonnegative();

export const tensorEntrySchema = z.object({ name: z.string().min(1), shape: z.array(count), offset: count });

/** What the readers rely on; the rest of the model settings are checked by the model that is built from them. */
const modelFileSchema = z.object({
  format: z.literal('auw-model'),
  version: z.literal(1),
  stage: z.enum(['pretrain', 'finetune']),
  config: z.looseObject({ inputSize: z.number().int().positive(), aus: z.array(z.number().int().positive()).min(1) }),
  // A plain name in the model's own folder, never a path out of it.
  weightsFile: z.string().regex(/^[\w][\w.-]*$/),
  weights: z.array(tensorEntrySchema).min(1),
  info: z.record(z.string(), z.unknown()),
  savedAt: z.string(),
});

const WHAT_TO_DO = 'Train that model again (or run its job again), or restore its folder from a backup.';

/** Reads and checks <dir>/model.json; ApiError naming the file when it is missing or damaged. */
export function readModelJson(dir: string): ModelFile {
  const file = path.join(dir, 'model.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ApiError('not_found', `There is no finished model in ${dir} (model.json is missing): train it first, or resume its job.`);
    if (code === 'EISDIR') throw new ApiError('corrupt', `${file} is a folder, not a model file. ${WHAT_TO_DO}`);
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ApiError('corrupt', `The model file ${file} is damaged (it is not valid JSON). ${WHAT_TO_DO}`);
  }
  const format = (raw as { format?: unknown } | null)?.format;
  if (raw && typeof raw === 'object' && format !== undefined && format !== 'auw-model') {
    throw new ApiError('corrupt', `${file} is not an AU Workbench model file. ${WHAT_TO_DO}`);
  }
  const parsed = modelFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : 'the file';
    if (issue.path[0] === 'version') {
      throw new ApiError('newer_version', `${file} was saved by another version of AU Workbench (model version ${String((raw as { version?: unknown }).version).slice(0, 20)}); this version reads version 1. Update AU Workbench, or train the model again.`);
    }
    throw new ApiError('corrupt', `The model file ${file} is damaged (${where}: ${issue.message}). ${WHAT_TO_DO}`);
  }
  // The model's shape settings are checked in full where a model is built from them (validateModelConfig).
  return { ...parsed.data, config: parsed.data.config as unknown as ModelConfig };
}
