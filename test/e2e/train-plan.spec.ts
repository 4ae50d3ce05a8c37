/**
 * The Train view's plan line in real Chromium through browser mode: it says what the finetune
 * job will run with the labels the project has (shared/finetunePlan.ts), and why when that is
 * less than the settings ask for.
 */
import { expect, test } from '@playwright/test';
import { buildFixture, insertLabels, openProject } from './fixture';
import { snap, type Shell } from './shell';

let shell: Shell | null = null;
test.afterEach(async () => {
  await shell?.stop();
  shell = null;
});

test('Train: with one labelled person the plan line says one run, no cross-validation, and why', async ({ browser }) => {
  const fx = buildFixture('train-plan');
  insertLabels(
    fx.project,
    fx.videoId,
    fx.sampled.flatMap((frame) => [1, 12].map((au) => ({ frame, au, intensity: frame % 3 }))),
  );
  shell = await openProject(browser, fx, '#/train');
  const { page } = shell;
  const plan = page.getByLabel('What one click does');
  await expect(plan).toContainText('Finetune trains on your labels from scratch: one run of 600 steps');
  await expect(plan).toContainText('then it predicts every frame with the network alone');
  await expect(plan).not.toContainText('cross-validation runs');
  await expect(plan.locator('strong')).toHaveText('Only one person has labels: no cross-validation, no baseline comparison; label a second person to get them.');
  await snap(page, 'train-04-plan-one-person');
});
