/**
 * The landmark input stream (ModelConfig.landmarkUnits): each frame's landmark displacements
 * from the person's reference shape feed the frame's features beside the crop.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type * as tfjs from '@tensorflow/tfjs';
import { modelConfig } from '../../../src/main/services/learn/config';
import { GEOMETRY_DIM } from '../../../src/main/services/learn/data';
import { AuModel } from '../../../src/main/services/learn/worker/model';
import { initBackend, tf } from '../../../src/main/services/learn/worker/tfjs';
import { readPredictionArray } from '../../../src/main/services/store/predictions';
import { tmpDirs } from '../../helpers/tmp';
import { finished, makeLearnProject, type LearnFixture } from './fixture';

const tmp = tmpDirs('auw-lmstream-');
let fx: LearnFixture | null = null;
afterEach(async () => {
  await fx?.app.workbench.close();
  fx = null;
  tmp.cleanup();
});
beforeAll(async () => {
  await initBackend();
});

describe('the network with a landmark stream', () => {
  it('reads the landmarks: its output moves with them, its landmark weights get gradients, and it refuses to run without them', () => {
    const model = new AuModel(modelConfig('tiny', 16, [12, 25], { landmarkUnits: 8 }), 3);
    const plain = new AuModel(modelConfig('tiny', 16, [12, 25]), 3);
    try {
      expect([...model.vars.keys()].filter((n) => n.startsWith('enc/lm/'))).toEqual(['enc/lm/w1', 'enc/lm/b1', 'enc/lm/w2']);
      expect([...plain.vars.keys()].some((n) => n.startsWith('enc/lm/'))).toBe(false);
      const clips = tf.randomUniform([2, 4, 16, 16, 1], 0, 1, 'float32', 1) as tfjs.Tensor5D;
      const a = tf.zeros([2, 4, GEOMETRY_DIM]) as tfjs.Tensor3D;
      const b = tf.randomNormal([2, 4, GEOMETRY_DIM], 0, 2, 'float32', 2) as tfjs.Tensor3D;
      const ya = model.regress(model.forward(clips, a));
      const yb = model.regress(model.forward(clips, b));
      expect(tf.max(tf.abs(tf.sub(ya, yb))).dataSync()[0]).toBeGreaterThan(1e-4);
      expect(() => model.forward(clips)).toThrow(/reads landmarks beside the crops/);
      const w1 = model.vars.get('enc/lm/w1')!;
      const { grads } = tf.variableGrads(() => tf.mean(model.regress(model.forward(clips, b))) as tfjs.Scalar, [w1]);
      expect(tf.max(tf.abs(grads[w1.name]!)).dataSync()[0]).toBeGreaterThan(0);
    } finally {
      model.dispose();
      plain.dispose();
    }
  });

  it('finetunes and predicts through the jobs, and the model records the stream', async () => {
    fx = await makeLearnProject(tmp.make(), { videos: 2, frames: 32, labelEvery: 4 });
    const job = await finished(fx, (await fx.call('models/finetune', { name: 'lm', preset: 'tiny', fullSteps: 3, cvFolds: 0, valFraction: 0.5, landmarkUnits: 4 })).id);
    expect(job.error).toBeNull();
    const model = (await fx.call('models/list', {})).find((m) => m.name === 'lm')!;
    expect((model.params.config as { model: { landmarkUnits?: number } }).model.landmarkUnits).toBe(4);
    const track = readPredictionArray(fx.app.workbench.requireProject().db, model.id, fx.videoIds[0]!)!;
    expect(track.frameCount).toBe(32);
    expect(Array.from(track.data).filter(Number.isFinite).length).toBeGreaterThan(0);
  });
});
