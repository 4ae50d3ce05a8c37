/**
 * The issue-6 objectives through the real pretraining worker: each one's loss streams as a
 * part, the model row records the objectives, their heads/decoders are in the checkpoint (so a
 * resumed run restores them) and never in the finished model file (inference = backbone only).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LearnProgress } from '../../../src/shared/types';
import { initBackend } from '../../../src/main/services/learn/worker/tfjs';
import { Adam } from '../../../src/main/services/learn/worker/adam';
import { readCheckpointMeta, restoreCheckpoint } from '../../../src/main/services/learn/worker/checkpoint';
import type { PretrainConfig } from '../../../src/main/services/learn/config';
import { AuModel } from '../../../src/main/services/learn/worker/model';
import { createObjectives } from '../../../src/main/services/learn/worker/objectives';
import { modelDirFor } from '../../../src/main/services/learn/backend/modelFolders';
import { recordEvents } from '../../helpers/events';
import { tmpDirs } from '../../helpers/tmp';
import { makeLearnProject, type LearnFixture } from './fixture';

const tmp = tmpDirs('auw-obj-');
let fx: LearnFixture | null = null;
afterEach(async () => {
  await fx?.app.workbench.close();
  fx = null;
  tmp.cleanup();
});

describe('issue-6 objectives in pretraining', () => {
  it('stream their parts, are recorded on the model, checkpoint their heads and leave them out of the model file', async () => {
    fx = await makeLearnProject(tmp.make(), { videos: 2, frames: 24, labelEvery: 4 });
    const rec = recordEvents(fx.app.events);
    const objectives: { kind: string; weight: number; params: Record<string, number> }[] = [
      { kind: 'infonce', weight: 1, params: {} },
      { kind: 'cross-identity', weight: 0.5, params: { auDim: 8, idDim: 4 } },
      { kind: 'roi-inpaint', weight: 0.5, params: {} },
      { kind: 'flow', weight: 0.5, params: { grid: 4 } },
    ];
    const job = await fx.call('models/pretrain', { name: 'pre6', preset: 'tiny', steps: 2, checkpointEvery: 1, objectives });
    await fx.app.workbench.requireJobs().idle();
    const done = (await fx.call('jobs/list', {})).find((j) => j.id === job.id)!;
    expect(done.error).toBeNull();
    const steps = rec.all.filter((m) => m.event === 'learn/progress' && (m.payload as LearnProgress).event === 'step').map((m) => m.payload as LearnProgress);
    expect(steps).toHaveLength(2);
    for (const s of steps) for (const o of objectives) expect(Number.isFinite(s.parts?.[o.kind])).toBe(true);
    rec.stop();
    const model = (await fx.call('models/list', {})).find((m) => m.name === 'pre6')!;
    expect((model.params.objectives as { kind: string }[]).map((o) => o.kind)).toEqual(objectives.map((o) => o.kind));

    const dir = modelDirFor(fx.app.workbench.requireProject().dir, 'pre6');
    const modelFile = fs.readFileSync(path.join(dir, 'model.json'), 'utf8');
    expect(modelFile).not.toMatch(/obj\//);
    // Restore the checkpoint as a resumed run would: every objective variable comes back with its shape.
    await initBackend();
    const meta = readCheckpointMeta<unknown>(dir)!;
    const cfg = meta.config as PretrainConfig;
    const m = new AuModel(cfg.model, cfg.seed);
    const objs = createObjectives(cfg.objectives, m);
    const opt = new Adam({ lr: 1e-3, weightDecay: 0 });
    const extra = restoreCheckpoint(dir, meta, m, opt);
    let count = 0;
    for (const { objective } of objs)
      for (const [n, v] of objective.variables) {
        const t = extra.get(`obj/${objective.kind}/${n}`);
        expect(t, `obj/${objective.kind}/${n}`).toBeDefined();
        expect(t!.shape).toEqual(v.shape);
        count++;
      }
    expect(count).toBeGreaterThan(10);
    for (const t of extra.values()) t.dispose();
    for (const { objective } of objs) objective.dispose();
    m.dispose();
    opt.dispose();
  });
});
