/**
 * The Train view's plan line in real Chromium through browser mode: it says what the finetune
 * job will run with the labels the project has (shared/finetunePlan.ts), and why when that is
 * less than the settings ask for.
 */
import { expect, test } from '@playwright/test';
import { buildFixture, insertLabels, openDb, openProject, type Fixture } from './fixture';
import { snap, type Shell } from './shell';

let shell: Shell | null = null;

/** The fixture project with two AUs labelled on the sampled frames of its video (one person). */
function labelledFixture(name: string, opts: { twoPeople?: boolean } = {}): Fixture {
  const fx = buildFixture(name, 4, { silent: !!opts.twoPeople });
  const labels = fx.sampled.flatMap((frame) => [1, 12].map((au) => ({ frame, au, intensity: frame % 3 })));
  insertLabels(fx.project, fx.videoId, labels);
  if (fx.silentVideoId) {
    // The second video shows another person, labelled on the same frames.
    insertLabels(fx.project, fx.silentVideoId, labels);
    const db = openDb(fx.project);
    db.prepare('UPDATE videos SET subject = ? WHERE id = ?').run('anna', fx.videoId);
    db.prepare('UPDATE videos SET subject = ? WHERE id = ?').run('ben', fx.silentVideoId);
    db.close();
  }
  return fx;
}
test.afterEach(async () => {
  await shell?.stop();
  shell = null;
});

test('Train: with one labelled person the plan line says one run, no cross-validation, and why', async ({ browser }) => {
  const fx = labelledFixture('train-plan');
  shell = await openProject(browser, fx, '#/train');
  const { page } = shell;
  const plan = page.getByLabel('What one click does');
  await expect(plan).toContainText('Finetune trains on your labels from scratch: one run of 600 steps');
  await expect(plan).toContainText('then it predicts every frame with the network alone');
  await expect(plan).not.toContainText('cross-validation runs');
  await expect(plan.locator('strong')).toHaveText('Only one person has labels: no cross-validation, no baseline comparison; label a second person to get them.');
  await snap(page, 'train-04-plan-one-person');
});

test('Train: cancelling a run older than a minute asks first, keeps its checkpoint, and offers Resume / Discard', async ({ browser }) => {
  test.setTimeout(300_000);
  const fx = labelledFixture('train-cancel');
  shell = await openProject(browser, fx, '#/train');
  const { page } = shell;
  await page.getByLabel('Preset').selectOption('tiny');
  await page.getByText('Advanced', { exact: true }).click();
  await page.getByLabel('Full-network steps', { exact: true }).fill('2000');
  await page.getByRole('button', { name: 'Finetune', exact: true }).click();
  const live = page.getByRole('region', { name: /finetune · job #\d+/ });
  await expect(live).toContainText(/step [3-9]\d* of 2000/, { timeout: 120_000 });

  // Two minutes later by the page's clock: the run is old enough to ask about.
  await page.clock.setFixedTime(Date.now() + 120_000);
  await live.getByRole('button', { name: 'Cancel', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: /^Cancel finetune finetune-/ });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('keeps that step');
  await page.setViewportSize({ width: 1440, height: 900 });
  await snap(page, 'train-05-confirm-cancel');
  await dialog.getByRole('button', { name: 'Keep training' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(live.getByRole('button', { name: 'Cancel', exact: true })).toBeFocused();
  await live.getByRole('button', { name: 'Cancel', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel the run' }).click();

  const stopped = page.getByRole('group', { name: /^Stopped finetune finetune-/ });
  await expect(stopped).toContainText(/Cancelled at step \d+ — its checkpoint is kept\./, { timeout: 60_000 });
  await snap(page, 'train-06-cancelled-resume-discard');
  await expect(stopped.getByRole('button', { name: 'Discard' })).toBeVisible();
  await stopped.getByRole('button', { name: 'Resume' }).click();
  await expect(stopped).toHaveCount(0);
  await expect(page.getByRole('region', { name: /finetune · job #\d+/ })).toContainText(/step \d+ of 2000/, { timeout: 120_000 });
});

test('Train: with two labelled people and 3 folds asked, the plan says 2 folds and why; the live view names the fold', async ({ browser }) => {
  test.setTimeout(300_000);
  const fx = labelledFixture('train-folds', { twoPeople: true });
  shell = await openProject(browser, fx, '#/train');
  const { page } = shell;
  await page.getByLabel('Preset').selectOption('tiny');
  const plan = page.getByLabel('What one click does');
  await expect(plan).toContainText('Finetune trains on your labels from scratch: 2 cross-validation runs and a final one of 4 steps each');
  await expect(plan).toContainText('as the cross-validation chose');
  await expect(plan.locator('strong')).toHaveText('Only 2 people have labels: 2 folds instead of 3.');
  await page.getByText('Advanced', { exact: true }).click();
  await page.getByLabel('Full-network steps', { exact: true }).fill('2000');
  await expect(plan).toContainText('2 cross-validation runs and a final one of 2000 steps each');
  await page.getByRole('button', { name: 'Finetune', exact: true }).click();
  const live = page.getByRole('region', { name: /finetune · job #\d+/ });
  await expect(live).toContainText(/fold 1 of 2 · step [2-9]\d* of 2000/, { timeout: 120_000 });
  await expect(live).toContainText(/Finetuning fold 1 of 2 \(full\) step \d+\/2000/);
  await expect(live).not.toContainText(/\d s left.*\d s left/);
  await page.setViewportSize({ width: 1440, height: 900 });
  await snap(page, 'train-07-fold-running');
  // Under a minute old: cancelled at once, no question; the fold's checkpoint is kept.
  await live.getByRole('button', { name: 'Cancel', exact: true }).click();
  const stopped = page.getByRole('group', { name: /^Stopped finetune finetune-/ });
  await expect(stopped).toContainText(/Cancelled at step \d+ of cross-validation fold 1 — its checkpoint is kept\./, { timeout: 60_000 });
  await stopped.getByRole('button', { name: 'Discard' }).click();
  await expect(stopped).toHaveCount(0);
});
