/**
 * The training rule: one value per frame and AU. labelledFrames applies it (the project's
 * stated rule by default), and a finetuned model records the rule in force when it was queued.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { labelledFrames } from '../../../src/main/services/learn/backend/trainingData';
import { makeLearnProject, type LearnFixture } from '../learn/fixture';
import { tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-rule-');
let fx: LearnFixture | null = null;
afterEach(async () => {
  await fx?.app.workbench.close();
  fx = null;
  tmp.cleanup();
});

/** 'test' labelled every 4th frame (the fixture); two more coders on frames 0 and 4. */
async function threeCoders(f: LearnFixture) {
  const videoId = f.videoIds[0]!;
  const set = (frame: number, au: number, intensity: number, annotator: string) => f.call('labels/set', { videoId, frame, au, intensity, annotator });
  const base = (frame: number, au: number) => f.app.workbench.requireProject().db.prepare("SELECT intensity FROM labels WHERE annotator = 'test' AND frame_idx = ? AND au = ?").get(frame, au) as { intensity: number };
  await set(0, 12, 5, 'lead');
  await set(0, 12, 1, 'other');
  await set(4, 25, 0, 'other'); // lead never labelled frame 4
  return { videoId, t0: base(0, 12).intensity, t4: base(4, 25).intensity };
}

describe('labelledFrames and the training rule', () => {
  it('takes the mean by default, or the chosen coder first and the others’ mean where that coder gave none', async () => {
    fx = await makeLearnProject(tmp.make(), { videos: 1, frames: 24, labelEvery: 4 });
    const { t0, t4 } = await threeCoders(fx);
    const db = fx.app.workbench.requireProject().db;
    const at = (frames: ReturnType<typeof labelledFrames>, frame: number, lane: number) => frames.find((l) => l.frame === frame)!.values[lane];

    expect(await fx.call('labels/rule', {})).toEqual({ kind: 'mean' });
    const mean = labelledFrames(db, [12, 25]);
    expect(mean).toHaveLength(6);
    expect(at(mean, 0, 0)).toBeCloseTo((t0 + 5 + 1) / 3, 6);
    expect(at(mean, 4, 1)).toBeCloseTo((t4 + 0) / 2, 6);

    const lead = labelledFrames(db, [12, 25], undefined, { kind: 'coder', coder: 'lead' });
    expect(at(lead, 0, 0)).toBe(5);
    expect(at(lead, 4, 1)).toBeCloseTo((t4 + 0) / 2, 6); // lead gave none: the others' mean
    expect(at(lead, 8, 0)).toBe(at(mean, 8, 0)); // one coder only: that coder's value either way

    // The stored rule is what callers without a rule get.
    expect(await fx.call('labels/setRule', { rule: { kind: 'coder', coder: 'other' } })).toEqual({ kind: 'coder', coder: 'other' });
    expect(at(labelledFrames(db, [12, 25]), 0, 0)).toBe(1);
    await expect(fx.call('labels/setRule', { rule: { kind: 'coder', coder: 'nobody' } })).rejects.toThrow(/"nobody" has no labels in this project.*Coders with labels: lead, other, test/);
    expect(await fx.call('labels/rule', {})).toEqual({ kind: 'coder', coder: 'other' }); // unchanged by the refusal
    await expect(fx.call('labels/setRule', { rule: { kind: 'coder' } as never })).rejects.toThrow(/labels\/setRule/);
  });

  it('is recorded on a finetuned model as it was when queued, whatever the rule is later', async () => {
    fx = await makeLearnProject(tmp.make(), { videos: 1, frames: 24, labelEvery: 4 });
    await threeCoders(fx);
    await fx.call('labels/setRule', { rule: { kind: 'coder', coder: 'lead' } });
    const job = await fx.call('models/finetune', { name: 'ruled', preset: 'tiny', headSteps: 0, fullSteps: 1, cvFolds: 0, valFraction: 0, predict: false });
    expect(job.params.labelRule).toEqual({ kind: 'coder', coder: 'lead' });
    // Changed while the job waits or runs: the model keeps the rule it was queued with.
    await fx.call('labels/setRule', { rule: { kind: 'mean' } });
    await fx.app.workbench.requireJobs().idle();
    const done = (await fx.call('jobs/list', {})).find((j) => j.id === job.id)!;
    expect(done.error).toBeNull();
    const model = (await fx.call('models/list', {})).find((m) => m.name === 'ruled')!;
    expect(model.params.labelRule).toEqual({ kind: 'coder', coder: 'lead' });
    expect(model.params.labelledFrames).toEqual({ train: 6, val: 0 });
  });
});
