import type { Tensor5D } from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Adam } from '../../../src/main/services/learn/worker/adam';
import { initBackend, tf } from '../../../src/main/services/learn/worker/tfjs';
import { configKey, readCheckpointMeta, readModelFile, restoreCheckpoint, saveCheckpoint, saveModelFile } from '../../../src/main/services/learn/worker/checkpoint';
import { modelConfig } from '../../../src/main/services/learn/config';
import { maskedMse } from '../../../src/main/services/learn/worker/losses';
import { AuModel } from '../../../src/main/services/learn/worker/model';
import { tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-ckpt-');
afterEach(() => tmp.cleanup());
beforeAll(async () => {
  await initBackend();
});

const cfg = modelConfig('tiny', 16, [1, 2, 4]);

/** One deterministic training step on fixed data. */
function step(model: AuModel, opt: Adam): number {
  const vars = new Map(model.variables(['enc', 'tmp', 'head']).map((v) => [model.logicalName(v), v]));
  const names = new Map([...vars].map(([n, v]) => [v.name, n]));
  const x = tf.tidy(() => tf.linspace(-1, 1, 2 * 4 * 16 * 16).reshape([2, 4, 16, 16, 1]) as Tensor5D);
  const y = tf.fill([2, 4, 3], 2);
  const m = tf.ones([2, 4, 3]);
  const { value, grads } = tf.variableGrads(() => maskedMse(model.regress(model.forward(x)), y, m), [...vars.values()]);
  opt.apply(vars, new Map(Object.entries(grads).map(([k, g]) => [names.get(k)!, g])));
  const loss = value.dataSync()[0]!;
  tf.dispose([x, y, m, value, ...Object.values(grads)]);
  return loss;
}

const snapshot = (m: AuModel) => new Map([...m.vars].map(([n, v]) => [n, Array.from(v.dataSync())]));

describe('checkpoints', () => {
  it('round-trips weights and optimizer state, so a resumed run continues exactly', async () => {
    const dir = tmp.make();
    const a = new AuModel(cfg, 3);
    const optA = new Adam({ lr: 1e-2 });
    step(a, optA);
    step(a, optA);
    await saveCheckpoint(dir, { kind: 'pretrain', step: 2, configKey: configKey(cfg), config: cfg, model: a, optimizer: optA, rng: 42, state: { note: 'x' } });

    // A fresh process would build a differently initialised model: restore must overwrite all of it.
    const b = new AuModel(cfg, 99);
    const optB = new Adam({ lr: 1 });
    const meta = readCheckpointMeta<{ note: string }>(dir)!;
    expect(meta.step).toBe(2);
    expect(meta.rng).toBe(42);
    expect(meta.state.note).toBe('x');
    restoreCheckpoint(dir, meta, b, optB);
    expect(snapshot(b)).toEqual(snapshot(a));
    expect(optB.step).toBe(2);
    expect(optB.lr).toBe(1e-2);

    // Same next step from both: equal weights afterwards (moments were restored too).
    step(a, optA);
    step(b, optB);
    for (const [n, v] of snapshot(a)) expect(snapshot(b).get(n)!.map((x, i) => Math.abs(x - v[i]!)).reduce((p, q) => Math.max(p, q), 0)).toBeLessThan(1e-6);
    a.dispose();
    b.dispose();
    optA.dispose();
    optB.dispose();
  });

  it('keeps the previous checkpoint whole until the new one is in place, and cleans old binaries', async () => {
    const dir = tmp.make();
    const m = new AuModel(cfg, 1);
    const opt = new Adam({ lr: 1e-3 });
    step(m, opt);
    await saveCheckpoint(dir, { kind: 'pretrain', step: 1, configKey: 'k', config: cfg, model: m, optimizer: opt, rng: 1, state: {} });
    step(m, opt);
    await saveCheckpoint(dir, { kind: 'pretrain', step: 2, configKey: 'k', config: cfg, model: m, optimizer: opt, rng: 2, state: {} });
    expect(fs.readdirSync(dir).sort()).toEqual(['checkpoint.json', 'optimizer-2.bin', 'weights-2.bin']);
    // A crash between writing the binaries and renaming the JSON leaves stray files, not damage.
    fs.writeFileSync(path.join(dir, 'weights-3.bin'), 'partial');
    expect(readCheckpointMeta(dir)!.step).toBe(2);
    m.dispose();
    opt.dispose();
  });

  it('saves and loads the finished model file', async () => {
    const dir = tmp.make();
    const m = new AuModel(cfg, 5);
    await saveModelFile(dir, 'finetune', m, { stride: 2 });
    const { meta, weights } = readModelFile(dir);
    expect(meta.config).toEqual(cfg);
    expect(meta.info.stride).toBe(2);
    for (const [n, v] of m.vars) expect(Array.from(weights.get(n)!.dataSync())).toEqual(Array.from(v.dataSync()));
    m.dispose();
  });

  it('names what is wrong with a checkpoint of another shape', async () => {
    const dir = tmp.make();
    const m = new AuModel(cfg, 1);
    const opt = new Adam({ lr: 1e-3 });
    await saveCheckpoint(dir, { kind: 'pretrain', step: 0, configKey: 'k', config: cfg, model: m, optimizer: opt, rng: 1, state: {} });
    const other = new AuModel({ ...cfg, featureDim: 24 }, 1);
    expect(() => restoreCheckpoint(dir, readCheckpointMeta(dir)!, other, new Adam({ lr: 1 }))).toThrow(/has shape .* the model/);
    m.dispose();
    other.dispose();
  });
});

describe('encoder pooling', () => {
  it('flattens the last feature map by default, so where on the face a feature fires reaches the features', () => {
    const flat = new AuModel(cfg, 1);
    // tiny: 16 px → two stride-2 blocks → 4×4 map of 8 channels.
    expect(cfg.pool).toBe('flatten');
    expect(flat.vars.get('enc/fc/w')!.shape).toEqual([4 * 4 * 8, cfg.featureDim]);
    // The same blob at two places on the crop: global averaging cannot tell them apart when the
    // map is translation-equivariant; flattening can.
    const blobAt = (r: number, c: number) => {
      const x = new Float32Array(16 * 16);
      for (let y = r; y < r + 4; y++) for (let z = c; z < c + 4; z++) x[y * 16 + z] = 1;
      return x;
    };
    const encode = (m: AuModel) =>
      tf.tidy(() => {
        const x = tf.tensor4d([...blobAt(4, 4), ...blobAt(8, 8)], [2, 16, 16, 1]);
        const f = m.encodeFrames(x).arraySync() as number[][];
        return Math.max(...f[0]!.map((v, i) => Math.abs(v - f[1]![i]!)));
      });
    const avg = new AuModel({ ...cfg, pool: 'avg' }, 1);
    expect(avg.vars.get('enc/fc/w')!.shape).toEqual([8, cfg.featureDim]);
    expect(encode(avg)).toBeLessThan(1e-5);
    expect(encode(flat)).toBeGreaterThan(1e-3);
    flat.dispose();
    avg.dispose();
  });

  it('builds models saved before pooling was a setting (no `pool`) with global averaging, so their weights still fit', async () => {
    const dir = tmp.make();
    const { pool: _, ...legacy } = { ...cfg, pool: 'avg' as const };
    const old = new AuModel(legacy, 3);
    await saveModelFile(dir, 'finetune', old, { stride: 1 });
    const { meta, weights } = readModelFile(dir);
    const again = new AuModel(meta.config, 3);
    expect(again.copyFrom(weights, ['enc', 'tmp', 'head'])).toContain('enc/fc/w');
    old.dispose();
    again.dispose();
  });
});
