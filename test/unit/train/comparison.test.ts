import { describe, expect, it } from 'vitest';
import type { ModelComparison, ModelRow } from '../../../src/shared/types';
import { comparisonOf, verdict } from '../../../src/shared/comparison';

const table = (icc: number) => ({ source: 'cv', frames: 90, perAu: [{ au: 12, n: 90, icc, r: icc, mae: 0.3 }], mean: { icc, r: icc, mae: 0.3, aus: 1 } });
const iv = (estimate: number, low: number, high: number) => ({ estimate, low, high });

function model(comparison: ModelComparison | undefined): ModelRow {
  return {
    id: 3,
    stage: 'finetune',
    parentId: null,
    name: 'ft',
    params: { blend: [{ au: 12, networkWeight: 0.4, scale: 1.3, offset: 0, source: 'blend', frames: 90 }] },
    metrics: { crossValidation: { folds: 3, people: 9, frames: 90, network: table(0.12), baseline: table(0.07), delivered: table(0.15), ...(comparison ? { comparison } : {}) } },
    backend: 'wasm',
    createdAt: '2026-12-07',
  };
}

describe("the Train view's verdict", () => {
  it("says it can't tell them apart when the difference's interval covers 0, whatever the point estimates say", () => {
    const c = comparisonOf(model({ aus: [12], resamples: 1000, network: iv(0.12, -0.1, 0.3), baseline: iv(0.07, -0.05, 0.2), delivered: iv(0.15, 0, 0.3), difference: iv(0.05, -0.12, 0.2), verdict: 'tie', perAu: [] }))!;
    expect(c.delivered?.mean.icc).toBe(0.15);
    expect(c.blend?.[0]?.source).toBe('blend');
    const text = verdict(c);
    expect(text).toMatch(/^Can't tell the network and the baseline apart on these labels: the 95 % interval of the difference \(-0.12 to 0.20\) includes 0/);
    expect(text).toMatch(/mean ICC 0.15 \[0.00, 0.30\]/);
    expect(text).not.toMatch(/beats/);
  });

  it('names the winner only with an interval that excludes 0', () => {
    const c = comparisonOf(model({ aus: [12], resamples: 1000, network: iv(0.2, 0.1, 0.3), baseline: iv(0.4, 0.3, 0.5), delivered: iv(0.41, 0.3, 0.5), difference: iv(-0.2, -0.3, -0.1), verdict: 'baseline', perAu: [] }))!;
    expect(verdict(c)).toMatch(/^The baseline beats the network by 0.20 mean ICC \(95 % interval of the difference -0.30 to -0.10\)/);
  });

  it('reads models from before the intervals, and says their numbers are rough', () => {
    const c = comparisonOf(model(undefined))!;
    expect(c.intervals).toBeNull();
    expect(verdict(c)).toMatch(/network beats the baseline by 0.05 .*no interval for this model, so read it as rough/);
  });
});
