/**
 * The baseline a finetuned model delivers beside its network (per-AU mixes, backend/blend.ts)
 * is saved with the model, so a later Predict on new videos uses the same fitted ridge rather
 * than refitting on whatever the labels are then. Stored as plain linear models on the raw
 * features (standardisation folded in), which is all prediction needs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeDurably } from './durable';

export const BASELINE_FILE = 'baseline.json';

const fileSchema = z.object({
  format: z.literal('au-workbench-baseline'),
  version: z.literal(1),
  aus: z.array(z.number().int()),
  lambda: z.number(),
  featureDim: z.number().int().positive(),
  frames: z.number().int().nonnegative(),
  models: z.array(z.object({ c: z.number(), w: z.array(z.number()) }).nullable()),
});
export type BaselineFile = z.infer<typeof fileSchema>;

/** A fitted baseline read back: one linear model per AU (NaN for an AU that had no labels), clipped to 0–5. */
export class LinearBaseline {
  constructor(readonly file: BaselineFile) {}

  predict(x: Float32Array): number[] {
    return this.file.models.map((m) => {
      if (!m) return NaN;
      let s = m.c;
      for (let j = 0; j < m.w.length; j++) s += m.w[j]! * x[j]!;
      return Math.min(5, Math.max(0, s));
    });
  }
}

export function writeBaselineFile(dir: string, f: Omit<BaselineFile, 'format' | 'version'>): void {
  fs.mkdirSync(dir, { recursive: true });
  writeDurably(path.join(dir, BASELINE_FILE), JSON.stringify({ format: 'au-workbench-baseline', version: 1, ...f } satisfies BaselineFile));
}

export function readBaselineFile(dir: string, featureDim: number): LinearBaseline {
  const file = path.join(dir, BASELINE_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`The model's baseline file ${file} cannot be read (${e instanceof Error ? e.message : String(e)}): finetune the model again.`, { cause: e });
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`The model's baseline file ${file} is damaged or from another version: finetune the model again.`);
  if (parsed.data.featureDim !== featureDim || parsed.data.models.some((m) => m && m.w.length !== featureDim))
    throw new Error(`The model's baseline file ${file} was fitted on ${parsed.data.featureDim} features, these crops give ${featureDim}: finetune the model again on this project.`);
  return new LinearBaseline(parsed.data);
}
