/**
 * *Suggest frames* end to end: a tiny finetuned model on a real project, the job in its worker
 * (the committee's baseline), the stored suggested sets and the labelling queue.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tmpDirs } from '../../helpers/tmp';
import { makeLearnProject, type LearnFixture, finished } from './fixture';

const tmp = tmpDirs('auw-suggest-');
let fx: LearnFixture | null = null;

afterEach(async () => {
  await fx?.app.workbench.close();
  fx = null;
  tmp.cleanup();
});


describe('suggested frames', () => {
  it('refuses to suggest without a finetuned model, and queues nothing', async () => {
    fx = await makeLearnProject(tmp.make(), { videos: 2, frames: 40, labelEvery: 8 });
    await expect(fx.call('samples/suggest', {})).rejects.toThrow(/needs a finetuned model, and there is none yet: label some sampled frames and click Finetune first/);
    await expect(fx.call('samples/suggest', { modelId: 99 })).rejects.toThrow(/no model 99/);
    await expect(fx.call('samples/suggest', { percent: 50 })).rejects.toThrow(/at most 20 %/);
    const pre = await fx.call('models/pretrain', { name: 'pre', preset: 'tiny', steps: 2 });
    expect((await finished(fx, pre.id)).state).toBe('done');
    const preModel = (await fx.call('models/list', {})).find((m) => m.name === 'pre')!;
    await expect(fx.call('samples/suggest', { modelId: preModel.id })).rejects.toThrow(/only pretrained: suggestions need a finetuned model/);
    expect((await fx.call('jobs/list', {})).filter((j) => j.kind === 'suggest')).toHaveLength(0);
    expect(await fx.call('samples/list', {})).toHaveLength(0);
  });

  it('stores the picks as suggested sets of the model, away from labelled frames, and the queue marks them', async () => {
    fx = await makeLearnProject(tmp.make(), { videos: 3, frames: 60, labelEvery: 6, noFace: (f) => f % 20 === 13 });
    await fx.call('samples/create', { percent: 5, seed: 3 });
    const ft = await fx.call('models/finetune', { name: 'ft', preset: 'tiny', fullSteps: 3, cvFolds: 0, valFraction: 0 });
    expect((await finished(fx, ft.id)).state).toBe('done');
    const model = (await fx.call('models/list', {})).find((m) => m.name === 'ft')!;

    // A double-coding share set aside before the suggestions (a second coder may have finished it).
    const [share] = await fx.call('doubleCoding/create', { videoId: fx.videoIds[0]!, percent: 50, seed: 1 });

    const job = await fx.call('samples/suggest', { percent: 10 });
    const done = await finished(fx, job.id);
    expect(done.state, done.error ?? '').toBe('done');
    const log = (fx.app.workbench.requireProject().db.prepare('SELECT log FROM jobs WHERE id = ?').get(job.id) as { log: string }).log;
    expect(log).toMatch(/Suggested 1[5-9] frames in 3 videos with ft; mean disagreement with the baseline \d/);
    // The share does not grow behind the second coder's back: same frames, and the log says what an explicit grow would add.
    const [fixed] = await fx.call('doubleCoding/list', { videoId: fx.videoIds[0]! });
    expect(fixed!.frames).toEqual(share!.frames);
    expect(fixed!.sampled).toBeGreaterThan(share!.sampled);
    expect(fixed!.behind).toBeGreaterThan(0);
    expect(log).toMatch(new RegExp(`The double-coding share of \\S+ stays at ${share!.frames.length} frames; 50 % of its ${fixed!.sampled} sampled frames would be ${share!.frames.length + fixed!.behind}\\. Grow it on the Agreement tab`));

    const sets = (await fx.call('samples/list', {})).filter((s) => s.strategy === 'suggested');
    expect(sets).toHaveLength(3);
    for (const s of sets) {
      expect(s.modelId).toBe(model.id);
      expect(s.percent).toBe(10);
    }
    expect(sets.reduce((n, s) => n + s.frames, 0)).toBe(Math.round((3 * 57 * 10) / 100));
    for (const id of fx.videoIds) {
      const queue = await fx.call('samples/queue', { videoId: id });
      const suggested = queue.filter((q) => q.suggested).map((q) => q.frame);
      expect(suggested.length).toBeGreaterThan(0);
      for (const f of suggested) {
        expect(f % 6, `frame ${f} is labelled`).not.toBe(0);
        expect(f % 20, `frame ${f} has no face`).not.toBe(13);
      }
      // The random sample is still there, unflagged.
      expect(queue.some((q) => !q.suggested)).toBe(true);
    }

    // Removing the model keeps the suggested frames (their labels may exist by then).
    await fx.call('models/remove', { modelId: model.id });
    const after = (await fx.call('samples/list', {})).filter((s) => s.strategy === 'suggested');
    expect(after.map((s) => s.modelId)).toEqual([null, null, null]);
  });
});
