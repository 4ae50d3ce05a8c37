import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runLearnCli } from '../../../src/main/cli-learn';
import type { ModelRow } from '../../../src/shared/types';
import { tmpDirs } from '../../helpers/tmp';
import { makeLearnProject, type LearnFixture } from './fixture';

const tmp = tmpDirs('auw-cli-learn-');
let fx: LearnFixture | null = null;
afterEach(async () => {
  await fx?.app.workbench.close();
  fx = null;
  tmp.cleanup();
});

function io(f: LearnFixture, out: string[]) {
  return {
    call: f.call,
    events: f.app.events,
    waitFor: async () => {
      await f.app.workbench.requireJobs().idle();
    },
    out: (l: string) => out.push(l),
    err: () => {},
  };
}

describe('learning CLI', () => {
  it('exports labels long and wide, imports them back, and reports the backend', async () => {
    const root = tmp.make();
    fx = await makeLearnProject(root, { videos: 2, frames: 12, labelEvery: 4 });
    const out: string[] = [];
    const long = path.join(root, 'labels.csv');
    await runLearnCli(['labels', 'export', fx.dir, long], io(fx, out));
    expect(out.pop()).toMatch(/Wrote 12 rows/); // 2 videos × 3 frames × 2 AUs
    const text = fs.readFileSync(long, 'utf8');
    expect(text.split('\n')[0]).toBe('video,frame,timestamp,AU,intensity,annotator');

    const wide = path.join(root, 'wide.csv');
    await runLearnCli(['labels', 'export', fx.dir, wide, '--format', 'wide', '--video', String(fx.videoIds[0])], io(fx, out));
    expect(fs.readFileSync(wide, 'utf8').split('\n')[0]).toBe('frame,timestamp,AU12,AU25');

    // Re-import under another annotator: every label again, nothing else touched.
    await runLearnCli(['labels', 'import', fx.dir, long, '--annotator', 'x'], io(fx, out));
    expect(out.pop()).toMatch(/Imported 12 labels \(long form\) into 2 video/);
    await runLearnCli(['labels', 'import', fx.dir, wide, '--video', String(fx.videoIds[1]), '--annotator', 'w'], io(fx, out));
    expect(out.pop()).toMatch(/Imported 6 labels \(wide form\)/);

    fs.writeFileSync(path.join(root, 'bad.csv'), 'video,frame,AU,intensity,annotator\nclip0.mp4,999,AU12,1,a\n');
    await expect(runLearnCli(['labels', 'import', fx.dir, path.join(root, 'bad.csv')], io(fx, out))).rejects.toThrow(/row 2: frame 999 is past the end/);

    const options = await fx.call('learn/options', {});
    expect(options.presets.map((p) => p.name)).toEqual(['tiny', 'quick', 'default', 'gpu']);
    expect(options.objectives.map((o) => o.kind)).toEqual(['infonce', 'temporal-margin', 'cross-identity', 'roi-inpaint', 'flow', 'geometry']);
    expect(options.objectives[0]!.params.temperature!.default).toBe(0.1);
    // The Train view starts from these: each must be a registered objective with a positive weight.
    expect(options.defaultObjectives.length).toBeGreaterThan(0);
    for (const d of options.defaultObjectives) {
      expect(options.objectives.map((o) => o.kind)).toContain(d.kind);
      expect(d.weight).toBeGreaterThan(0);
    }

    const before = out.length;
    await runLearnCli(['backend', fx.dir], io(fx, out));
    const listing = out.slice(before);
    expect(listing[0]).toMatch(/^(wasm|node|node-gpu)/);
    expect(listing).toContain(`Pretraining objectives (--objectives KIND=WEIGHT, --param KIND.NAME=X; default ${options.defaultObjectives.map((d) => `${d.kind}=${d.weight}`).join(',')}):`);
    expect(listing).toContain('    temporal-margin.margin = 0.2 (0–2): Required gap in cosine similarity between a nearer and a farther frame.');
    await expect(runLearnCli(['pretrain', fx.dir], io(fx, out))).rejects.toThrow(/needs --name/);
    await expect(runLearnCli(['pretrain', fx.dir, '--name', 'p', '--steps', 'many'], io(fx, out))).rejects.toThrow(/--steps must be a number/);
  });

  it('sets objective settings with --param KIND.NAME=X, records them on the model, and refuses bad ones before starting a job', async () => {
    const root = tmp.make();
    fx = await makeLearnProject(root, { videos: 2, frames: 12, labelEvery: 4 });
    const out: string[] = [];
    const base = ['pretrain', fx.dir, '--preset', 'tiny', '--steps', '2', '--objectives', 'infonce=1,temporal-margin=0.5'];
    await expect(runLearnCli([...base, '--name', 'a', '--param', 'margin=0.2'], io(fx, out))).rejects.toThrow(/"margin=0.2" is not KIND.NAME=NUMBER/);
    await expect(runLearnCli([...base, '--name', 'a', '--param', 'flow.grid=8'], io(fx, out))).rejects.toThrow(/flow is not among the objectives \(infonce, temporal-margin\)/);
    await expect(runLearnCli([...base, '--name', 'a', '--param', 'temporal-margin.gap=1'], io(fx, out))).rejects.toThrow(/temporal-margin has no setting gap \(it has margin\)/);
    await expect(runLearnCli([...base, '--name', 'a', '--param', 'temporal-margin.margin=7'], io(fx, out))).rejects.toThrow(/margin/);
    expect(await fx.call('jobs/list', {})).toEqual([]);

    await runLearnCli([...base, '--name', 'b', '--param', 'temporal-margin.margin=0.2', '--param', 'infonce.temperature=0.3'], io(fx, out));
    const model = (await fx.call('models/list', {})).find((m) => m.name === 'b')!;
    expect(model.params.objectives).toEqual([
      { kind: 'infonce', weight: 1, params: { temperature: 0.3 } },
      { kind: 'temporal-margin', weight: 0.5, params: { margin: 0.2 } },
    ]);
  });
});

describe('auw metrics and auw models on a finetuned model with a stored cross-validation table', () => {
  const table = (source: string, icc: [number | null, number | null], mean: number | null) => ({
    source,
    frames: 240,
    perAu: [
      { au: 6, icc: icc[0], r: 0.5, mae: 0.41, n: 120 },
      { au: 12, icc: icc[1], r: 0.6, mae: -0.0001, n: 120 },
    ],
    mean: { icc: mean, r: 0.55, mae: 0.4, aus: 2 },
  });
  const model: ModelRow = {
    id: 3,
    stage: 'finetune',
    parentId: null,
    name: 'ft',
    params: { steps: 650 },
    // What the finetune job stores with cross-validation: no heldOutLabels table at all.
    metrics: {
      validation: null,
      crossValidation: { folds: 3, people: 6, frames: 240, network: table('cross-validation over people', [0.61, 0.43], 0.52), baseline: table('baseline', [0.4, -0.001], 0.2) },
    },
    backend: 'wasm',
    createdAt: '2026-12-07T00:00:00.000Z',
  };
  const stub = (out: string[]) => ({
    call: (async (method: string) => (method === 'models/list' ? [model] : method === 'models/metrics' ? model : {})) as unknown as LearnFixture['call'],
    events: { subscribe: () => () => {} } as unknown as LearnFixture['app']['events'],
    waitFor: async () => {},
    out: (l: string) => out.push(l),
    err: () => {},
  });

  it('auw metrics prints the network-vs-baseline table and verdict the Train view shows, not "no metrics yet"', async () => {
    const out: string[] = [];
    await runLearnCli(['metrics', '/tmp/p', '--model', '3'], stub(out));
    const text = out.join('\n');
    expect(text).not.toMatch(/no metrics yet/);
    expect(text).toContain('People the model never saw: network vs baseline');
    expect(text).toContain('Cross-validation over 6 people (3 folds, 240 labelled frames)');
    expect(text).toMatch(/AU06 +0\.61 +0\.40 +0\.41 +0\.41/);
    expect(text).toMatch(/AU12 +0\.43 +0\.00 +0\.00 +0\.00/); // never -0.00
    expect(text).toMatch(/mean +0\.52 +0\.20/);
    expect(text).toContain('The network beats the baseline by 0.32 mean ICC (0.52 vs 0.20); no interval for this model, so read it as rough.');
  });

  it('auw metrics shows the delivered mix, where each AU comes from, the intervals and a verdict that can say it cannot tell', async () => {
    const out: string[] = [];
    const cv = (model.metrics as { crossValidation: Record<string, unknown> }).crossValidation;
    const iv = (estimate: number, low: number, high: number) => ({ estimate, low, high });
    const mixed: ModelRow = {
      ...model,
      params: { steps: 650, blend: [{ au: 6, networkWeight: 1, scale: 1.2, offset: 0, source: 'network', frames: 240 }, { au: 12, networkWeight: 0.3, scale: 1, offset: 0, source: 'blend', frames: 240 }] },
      metrics: {
        crossValidation: {
          ...cv,
          delivered: table('delivered', [0.62, 0.45], 0.535),
          comparison: { aus: [6, 12], resamples: 1000, network: iv(0.52, 0.3, 0.7), baseline: iv(0.2, -0.1, 0.5), delivered: iv(0.535, 0.3, 0.7), difference: iv(0.32, -0.05, 0.6), verdict: 'tie', perAu: [] },
        },
      },
    };
    await runLearnCli(['metrics', '/tmp/p', '--model', '3'], { ...stub(out), call: (async () => mixed) as unknown as LearnFixture['call'] });
    const text = out.join('\n');
    expect(text).toMatch(/AU06 +0\.61 +0\.40 +0\.41 +0\.41 +0\.62 +network/);
    expect(text).toMatch(/AU12 +0\.43 +0\.00 +0\.00 +0\.00 +0\.45 +mix 30 % network/);
    expect(text).toContain('95 % intervals: network 0.52 [0.30, 0.70], baseline 0.20 [-0.10, 0.50], delivered 0.54 [0.30, 0.70]');
    expect(text).toContain("Can't tell the network and the baseline apart on these labels: the 95 % interval of the difference (-0.05 to 0.60) includes 0.");
  });

  it('auw models lists its ICC on unseen people and the baseline\'s, as the model list does', async () => {
    const out: string[] = [];
    await runLearnCli(['models', '/tmp/p'], stub(out));
    expect(out[0]).toBe('id\tstage\tname\tparent\tbackend\tsteps\tICC (unseen people)\tbaseline ICC\tdelivered ICC\tcreated');
    expect(out[1]).toBe('3\tfinetune\tft\t-\twasm\t650\t0.52\t0.20\t–\t2026-12-07T00:00:00.000Z');
  });
});
