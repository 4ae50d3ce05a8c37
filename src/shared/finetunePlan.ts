/**
 * What one finetune job will run, decided once: the job follows it (backend/jobs.ts) and the
 * Train view describes it, so what the view promises is what the job does.
 *
 * Cross-validation over people needs at least two people with labels and at least two folds;
 * there are never more folds than labelled people. With folds, each fold trains a network
 * without its people, the baseline is scored on the same folds, and the final model learns
 * from every labelled video. Without them there is one training (people held out for
 * validation when there are enough) and the network delivers alone.
 */
export interface FinetunePlanInput {
  /** People (personOf) with at least one labelled frame that the job will read. */
  labelledPeople: number;
  /** The folds asked for (the cvFolds setting). */
  cvFolds: number;
  headSteps: number;
  fullSteps: number;
  /** Head-only steps run only when finetuning starts from a pretrained model. */
  fromPretrained: boolean;
}

export interface FinetunePlan {
  /** Cross-validation folds that will run (0: none). */
  folds: number;
  /** Network trainings in all: the folds plus the final model. */
  trainings: number;
  /** Steps of each training (early stopping may end the final one sooner). */
  stepsEach: number;
  /** The network is compared with the HOG + geometry baseline per AU, and may be mixed with it. */
  baselineComparison: boolean;
  /** Why fewer folds than asked will run (or none), in a sentence for the user; null when as asked. */
  reason: string | null;
}

/** The folds that run: as asked, but never more than the labelled people, and none below two. */
export function plannedFolds(labelledPeople: number, cvFolds: number): number {
  const folds = Math.min(cvFolds, labelledPeople);
  return folds >= 2 ? folds : 0;
}

export function finetunePlan(p: FinetunePlanInput): FinetunePlan {
  const folds = plannedFolds(p.labelledPeople, p.cvFolds);
  const stepsEach = (p.fromPretrained ? p.headSteps : 0) + p.fullSteps;
  return { folds, trainings: folds + 1, stepsEach, baselineComparison: folds > 0, reason: reasonFor(p, folds) };
}

function reasonFor(p: FinetunePlanInput, folds: number): string | null {
  if (p.cvFolds < 2) return `cross-validation is off (${p.cvFolds} folds set; it needs at least 2): no cross-validation, no baseline comparison.`;
  if (p.labelledPeople === 0) return 'nobody has labels yet: label some sampled frames first.';
  if (p.labelledPeople === 1) return 'only one person has labels: no cross-validation, no baseline comparison; label a second person to get them.';
  if (folds < p.cvFolds) return `only ${p.labelledPeople} people have labels: ${folds} folds instead of ${p.cvFolds}.`;
  return null;
}

/** The job's progress prefix for training `index` (0-based) of a plan: "fold 2 of 3" or "final model". */
export function trainingLabel(plan: Pick<FinetunePlan, 'folds'>, index: number): string {
  return index < plan.folds ? `fold ${index + 1} of ${plan.folds}` : 'final model';
}
