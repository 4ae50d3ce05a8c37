/**
 * Issue 24 §17: a damaged model.json is refused with its name and what to do, by the backend's
 * reader (a finetune's parent) and the worker's (inference, finetuning), never half-read into
 * "Cannot destructure property 'aus' of 'meta.config'".
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readModelJson } from '../../../src/main/services/learn/modelFile';
import { readModelFile, saveModelFile } from '../../../src/main/services/learn/worker/checkpoint';
import { initBackend } from '../../../src/main/services/learn/worker/tfjs';
import { modelConfig } from '../../../src/main/services/learn/config';
import { AuModel } from '../../../src/main/services/learn/worker/model';
import { ApiError } from '../../../src/shared/errors';
import { tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-modelfile-');
afterEach(() => tmp.cleanup());
beforeAll(async () => {
  await initBackend();
});

async function savedModel(): Promise<{ dir: string; meta: Record<string, unknown> }> {
  const dir = tmp.make();
  const model = new AuModel(modelConfig('tiny', 16, [1, 2]), 1);
  await saveModelFile(dir, 'pretrain', model, { steps: 1 });
  model.dispose();
  return { dir, meta: JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as Record<string, unknown> };
}

function refusal(fn: () => unknown): ApiError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('model.json is checked when read', () => {
  it('reads a model it wrote', async () => {
    const { dir } = await savedModel();
    expect(readModelJson(dir).config.aus).toEqual([1, 2]);
    const { meta, weights } = readModelFile(dir);
    expect(meta.stage).toBe('pretrain');
    weights.forEach((t) => t.dispose());
  });

  it.each<[string, (m: Record<string, unknown>) => unknown]>([
    ['without its config', ({ config: _c, ...m }) => m],
    ['with config.aus not a list', (m) => ({ ...m, config: { ...(m.config as object), aus: 'AU1' } })],
    ['with a weights file outside its folder', (m) => ({ ...m, weightsFile: '../other/model.bin' })],
    ['with weights that are not a list', (m) => ({ ...m, weights: null })],
    ['that is null', () => null],
  ])('refuses a model.json %s, naming the file and what to do', async (_what, damage) => {
    const { dir } = await savedModel();
    const file = path.join(dir, 'model.json');
    fs.writeFileSync(file, JSON.stringify(damage(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>)));
    for (const read of [() => readModelJson(dir), () => readModelFile(dir)]) {
      const err = refusal(read);
      expect(err.code).toBe('corrupt');
      expect(err.message).toContain(file);
      expect(err.message).toMatch(/damaged/);
      expect(err.message).toMatch(/Train that model again/);
      expect(err.message).not.toMatch(/destructure/);
    }
  });

  it('refuses a truncated model.json (not JSON) and a missing one', async () => {
    const { dir } = await savedModel();
    const file = path.join(dir, 'model.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 40));
    expect(refusal(() => readModelFile(dir)).message).toMatch(/is damaged \(it is not valid JSON\)/);
    fs.rmSync(file);
    expect(refusal(() => readModelJson(dir)).code).toBe('not_found');
  });
});
