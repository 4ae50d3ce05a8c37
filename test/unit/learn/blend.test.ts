import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deliveredTrack } from '../../../src/main/services/learn/backend/jobs';
import { BASELINE_FILE, readBaselineFile, writeBaselineFile } from '../../../src/main/services/learn/worker/baseline-file';
import { AuRidge } from '../../../src/main/services/learn/worker/baseline';
import { applyBlend, compareModels, crossFittedDelivered, fitAuBlend, fitBlends, MIN_BLEND_FRAMES, type OutOfFold } from '../../../src/main/services/learn/backend/blend';
import { icc31 } from '../../../src/main/services/learn/metrics';
import { Rng } from '../../../src/shared/rng';

/** Sparse 0–5 truth like real AU labels: mostly 0, some events. */
function truth(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => (rng.next() < 0.6 ? 0 : 1 + rng.int(5)));
}
const noisy = (rng: Rng, y: ArrayLike<number>, gain: number, sd: number) => Float64Array.from(y, (v) => gain * v + sd * rng.normal());

/** People × frames out-of-fold data for AUs with the given (network, baseline) quality. */
function oofOf(rng: Rng, people: number, frames: number, quality: { net: [number, number]; base: [number, number] }[]): OutOfFold {
  const A = quality.length;
  const n = people * frames;
  const person: string[] = [];
  const fold: number[] = [];
  for (let p = 0; p < people; p++)
    for (let f = 0; f < frames; f++) {
      person.push(`P${p}`);
      fold.push(p % 3);
    }
  const t = new Float32Array(n * A);
  const net = new Float32Array(n * A);
  const base = new Float32Array(n * A);
  quality.forEach((q, a) => {
    const y = truth(rng, n);
    const pn = noisy(rng, y, q.net[0], q.net[1]);
    const pb = noisy(rng, y, q.base[0], q.base[1]);
    for (let i = 0; i < n; i++) {
      t[i * A + a] = y[i]!;
      net[i * A + a] = pn[i]!;
      base[i * A + a] = pb[i]!;
    }
  });
  return { aus: quality.map((_, a) => a + 1), person, fold, truth: t, network: net, baseline: base };
}

describe('fitAuBlend', () => {
  const rng = new Rng(7);
  const y = truth(rng, 300);
  const good = noisy(rng, y, 1, 0.4);
  const junk = Float64Array.from(y, () => 2 * rng.next());

  it('delivers the baseline alone where the network predicts nothing, and the other way round', () => {
    expect(fitAuBlend(1, y, junk, good)).toMatchObject({ networkWeight: 0, source: 'baseline' });
    expect(fitAuBlend(1, y, good, junk)).toMatchObject({ networkWeight: 1, source: 'network' });
  });

  it('mixes two models whose errors are independent and of similar size', () => {
    const a = noisy(rng, y, 1, 1.2);
    const b = noisy(rng, y, 1, 1.2);
    const blend = fitAuBlend(1, y, a, b);
    expect(blend.source).toBe('blend');
    expect(blend.networkWeight).toBeGreaterThan(0.2);
    expect(blend.networkWeight).toBeLessThan(0.8);
    const mixed = Float64Array.from(y, (_, i) => applyBlend(blend, a[i]!, b[i]!));
    expect(icc31(y, mixed)!).toBeGreaterThan(Math.max(icc31(y, a)!, icc31(y, b)!));
  });

  it('stretches a compressed range back, which raises ICC where r was already high', () => {
    const squeezed = noisy(rng, y, 0.3, 0.15);
    const blend = fitAuBlend(1, y, squeezed, null);
    expect(blend.scale).toBeGreaterThan(2);
    const fixed = Float64Array.from(squeezed, (p) => applyBlend(blend, p, NaN));
    expect(icc31(y, fixed)!).toBeGreaterThan(icc31(y, squeezed)! + 0.2);
  });

  it('keeps the default mix without enough varying labels, and clips to 0–5', () => {
    expect(fitAuBlend(1, y.subarray(0, MIN_BLEND_FRAMES - 1), good, junk)).toMatchObject({ networkWeight: 0.5, scale: 1, offset: 0, frames: 0 });
    expect(fitAuBlend(1, new Float64Array(100), good.subarray(0, 100), junk.subarray(0, 100)).frames).toBe(0);
    expect(applyBlend({ au: 1, networkWeight: 1, scale: 3, offset: 1, source: 'network', frames: 50 }, 4, 0)).toBe(5);
    expect(applyBlend({ au: 1, networkWeight: 0, scale: 1, offset: -1, source: 'baseline', frames: 50 }, 4, 0)).toBe(0);
  });
});

describe('crossFittedDelivered', () => {
  it("mixes each fold's rows with the weights fitted on the other folds only", () => {
    const oof = oofOf(new Rng(3), 9, 40, [{ net: [1, 0.5], base: [1, 2] }, { net: [1, 2], base: [1, 0.5] }]);
    const delivered = crossFittedDelivered(oof);
    const A = oof.aus.length;
    for (const f of [0, 1, 2]) {
      const others = oof.fold.flatMap((g, i) => (g !== f ? [i] : []));
      const blends = fitBlends(oof, others);
      const i = oof.fold.indexOf(f);
      for (let a = 0; a < A; a++) expect(delivered[i * A + a]).toBeCloseTo(applyBlend(blends[a]!, oof.network[i * A + a]!, oof.baseline![i * A + a]!), 6);
    }
  });
});

describe('compareModels', () => {
  it('names the network when it is clearly better on every AU, with intervals around the estimates', () => {
    const oof = oofOf(new Rng(11), 9, 30, [{ net: [1, 0.5], base: [1, 3] }, { net: [1, 0.5], base: [1, 3] }, { net: [1, 0.6], base: [0.5, 2] }]);
    const c = compareModels(oof, crossFittedDelivered(oof), { resamples: 300 });
    expect(c.verdict).toBe('network');
    expect(c.difference!.low).toBeGreaterThan(0);
    for (const k of ['network', 'baseline', 'delivered', 'difference'] as const) {
      expect(c[k]!.low).toBeLessThanOrEqual(c[k]!.estimate + 1e-9);
      expect(c[k]!.high).toBeGreaterThanOrEqual(c[k]!.estimate - 1e-9);
    }
    expect(c.aus).toEqual([1, 2, 3]);
    expect(c.perAu).toHaveLength(3);
  });

  it("says it can't tell two models of the same quality apart on a few people", () => {
    const oof = oofOf(new Rng(5), 6, 15, [{ net: [1, 1.5], base: [1, 1.5] }, { net: [1, 1.5], base: [1, 1.5] }]);
    expect(compareModels(oof, crossFittedDelivered(oof), { resamples: 300 }).verdict).toBe('tie');
  });

  it('names the baseline when it is better, and gives no verdict without a baseline', () => {
    const oof = oofOf(new Rng(9), 9, 30, [{ net: [1, 3], base: [1, 0.5] }, { net: [0.3, 2], base: [1, 0.5] }]);
    expect(compareModels(oof, crossFittedDelivered(oof), { resamples: 300 }).verdict).toBe('baseline');
    const alone = { ...oof, baseline: null };
    const c = compareModels(alone, crossFittedDelivered(alone), { resamples: 100 });
    expect(c.verdict).toBe('unknown');
    expect(c.network).not.toBeNull();
  });

  it('leaves out AUs whose labels never vary, and is the same for the same seed', () => {
    const oof = oofOf(new Rng(2), 6, 20, [{ net: [1, 0.5], base: [1, 1] }, { net: [1, 0.5], base: [1, 1] }]);
    for (let i = 0; i < oof.person.length; i++) oof.truth[i * 2 + 1] = 0;
    const d = crossFittedDelivered(oof);
    const c1 = compareModels(oof, d, { resamples: 100, seed: 4 });
    expect(c1.aus).toEqual([1]);
    expect(compareModels(oof, d, { resamples: 100, seed: 4 })).toEqual(c1);
  });
});

describe('deliveredTrack', () => {
  it("mixes each AU's lane with the baseline's lane of the same AU, whatever their order", () => {
    const network = { aus: [12, 25], frameCount: 2, data: Float32Array.from([1, 2, 3, NaN]) };
    const baseline = { aus: [25, 12], frameCount: 2, data: Float32Array.from([5, 5, 0, 4]) };
    const out = deliveredTrack(
      [
        { au: 12, networkWeight: 0.5, scale: 1, offset: 0, source: 'blend', frames: 30 },
        { au: 25, networkWeight: 0, scale: 2, offset: -1, source: 'baseline', frames: 30 },
      ],
      network,
      baseline,
    );
    expect(Array.from(out)).toEqual([0.5, 3, 5, 5]);
    // Without a baseline track a mixed AU has no value; a network-only AU keeps its own.
    const alone = deliveredTrack([{ au: 12, networkWeight: 1, scale: 1, offset: 0.5, source: 'network', frames: 30 }], network, null);
    expect(Array.from(alone).slice(0, 2)).toEqual([1.5, 2.5]);
  });
});

describe('the baseline saved with a model', () => {
  it('reads back what was written, and refuses a damaged or mismatched file with what to do', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auw-baseline-'));
    try {
      writeBaselineFile(dir, { aus: [1, 2], lambda: 1, featureDim: 3, frames: 40, models: [{ c: 1, w: [1, 0, 2] }, null] });
      const b = readBaselineFile(dir, 3);
      expect(b.predict(Float32Array.from([0.5, 9, 1]))).toEqual([3.5, NaN]);
      expect(() => readBaselineFile(dir, 4)).toThrow(/fitted on 3 features, these crops give 4: finetune the model again/);
      fs.writeFileSync(path.join(dir, BASELINE_FILE), '{"format":"au-workbench-baseline","version":1,"aus":[1]');
      expect(() => readBaselineFile(dir, 3)).toThrow(/cannot be read .*finetune the model again/);
      fs.writeFileSync(path.join(dir, BASELINE_FILE), '{"format":"au-workbench-baseline","version":1,"aus":"x"}');
      expect(() => readBaselineFile(dir, 3)).toThrow(/damaged or from another version/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the linear form of a fitted ridge', () => {
  it('predicts as the fitted model once written and read back', () => {
    const rng = new Rng(21);
    const d = 12;
    const X = Array.from({ length: 60 }, () => Float32Array.from({ length: d }, () => rng.normal()));
    const Y = [Float64Array.from(X, (x) => 1 + x[0]! + 0.5 * x[3]!), Float64Array.from(X, (x, i) => (i % 7 === 0 ? NaN : 2 - x[1]!))];
    const ridge = new AuRidge(0.1, 2).fit(X, Y);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auw-baseline-'));
    try {
      writeBaselineFile(dir, { aus: [1, 2], lambda: 0.1, featureDim: d, frames: 60, models: ridge.linear().map((m) => (m ? { c: m.c, w: Array.from(m.w) } : null)) });
      const back = readBaselineFile(dir, d);
      for (const x of X.slice(0, 10)) back.predict(x).forEach((p, a) => expect(p).toBeCloseTo(ridge.predict(x)[a]!, 5));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
