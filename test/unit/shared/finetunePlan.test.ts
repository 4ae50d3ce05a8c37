import { describe, expect, it } from 'vitest';
import { finetunePlan, plannedFolds, trainingLabel } from '../../../src/shared/finetunePlan';

const quick = { headSteps: 50, fullSteps: 600 };

describe('finetunePlan: what one finetune job runs, for the job and the Train view alike', () => {
  it('one labelled person: one training, no folds, and says why', () => {
    const plan = finetunePlan({ labelledPeople: 1, cvFolds: 3, ...quick, fromPretrained: false });
    expect(plan).toMatchObject({ folds: 0, trainings: 1, stepsEach: 600, baselineComparison: false });
    expect(plan.reason).toBe('only one person has labels: no cross-validation, no baseline comparison; label a second person to get them.');
  });

  it('three people with cvFolds 3: three folds and the final model, compared with the baseline', () => {
    const plan = finetunePlan({ labelledPeople: 3, cvFolds: 3, ...quick, fromPretrained: false });
    expect(plan).toEqual({ folds: 3, trainings: 4, stepsEach: 600, baselineComparison: true, reason: null });
  });

  it('head-only steps count only from a pretrained parent', () => {
    expect(finetunePlan({ labelledPeople: 3, cvFolds: 3, ...quick, fromPretrained: true }).stepsEach).toBe(650);
    expect(finetunePlan({ labelledPeople: 1, cvFolds: 3, ...quick, fromPretrained: true })).toMatchObject({ trainings: 1, stepsEach: 650 });
  });

  it('never more folds than labelled people, none below two, and says so', () => {
    expect(finetunePlan({ labelledPeople: 2, cvFolds: 3, ...quick, fromPretrained: false })).toMatchObject({ folds: 2, trainings: 3, reason: 'only 2 people have labels: 2 folds instead of 3.' });
    expect(finetunePlan({ labelledPeople: 5, cvFolds: 0, ...quick, fromPretrained: false })).toMatchObject({ folds: 0, trainings: 1, baselineComparison: false });
    expect(finetunePlan({ labelledPeople: 5, cvFolds: 0, ...quick, fromPretrained: false }).reason).toMatch(/cross-validation is off/);
    expect(finetunePlan({ labelledPeople: 0, cvFolds: 3, ...quick, fromPretrained: false }).reason).toMatch(/nobody has labels/);
    expect([plannedFolds(1, 3), plannedFolds(4, 1), plannedFolds(4, 3), plannedFolds(10, 5)]).toEqual([0, 0, 3, 5]);
  });

  it('names each training for the progress line', () => {
    const plan = finetunePlan({ labelledPeople: 3, cvFolds: 3, ...quick, fromPretrained: false });
    expect([0, 1, 2, 3].map((i) => trainingLabel(plan, i))).toEqual(['fold 1 of 3', 'fold 2 of 3', 'fold 3 of 3', 'final model']);
  });
});
