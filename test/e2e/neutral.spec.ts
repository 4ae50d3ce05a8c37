/**
 * A neutral reference per person, through the real UI in Chromium: a model finetuned before
 * any mark records each video's median; a coder marks a segment as the person's neutral face
 * by keyboard in the Label view, the Label and Review views say the neutral reference is in
 * use, and a model finetuned afterwards (tiny preset) records the neutral normalisation.
 */
import { expect, test, type Page } from '@playwright/test';
import { buildFixture, insertLabels, openDb, openProject, type Fixture } from './fixture';
import { snap, type Shell } from './shell';

const DISFA = [1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26];
const tab = (page: Page, name: string) => page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name });

let fx: Fixture;
let shell: Shell | null = null;

test.beforeAll(() => {
  fx = buildFixture('neutral');
  insertLabels(
    fx.project,
    fx.videoId,
    fx.sampled.flatMap((frame, k) => DISFA.map((au, i) => ({ frame, au, intensity: (k + i) % 4 }))),
  );
  const db = openDb(fx.project);
  db.prepare("UPDATE videos SET subject = 'anna' WHERE id = ?").run(fx.videoId);
  db.close();
});
test.afterEach(async () => {
  await shell?.stop();
  shell = null;
});

async function finetune(page: Page, count: number): Promise<void> {
  await tab(page, 'Train').click();
  await page.getByLabel('Preset').selectOption('tiny');
  await page.getByRole('button', { name: 'Finetune', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Models' }).getByRole('row', { name: /finetune-.*finetune/ })).toHaveCount(count, { timeout: 180_000 });
}

test('a neutral segment marked in Label changes the normalisation the next model records', async ({ browser }) => {
  test.setTimeout(480_000);
  shell = await openProject(browser, fx, '#/train');
  const page = shell.page;
  const models = page.getByRole('table', { name: 'Models' });

  // Before any mark: the model records the video median for anna.
  await finetune(page, 1);
  await expect(models.getByRole('row', { name: /finetune-.*finetune/ })).toContainText('video median for anna');

  // Label: the reference in use, then a segment of six frames marked by keyboard only.
  await tab(page, 'Videos').click();
  await page.getByRole('button', { name: 'Label face.mp4' }).click();
  const panel = page.getByRole('region', { name: 'Neutral face of anna' });
  await expect(panel.getByTestId('reference')).toHaveText('Reference: video median');
  await page.getByRole('spinbutton', { name: 'Go to frame' }).fill('20');
  await page.getByRole('spinbutton', { name: 'Go to frame' }).press('Enter');
  await expect(page.locator('.frame-readout strong')).toHaveText('20');
  const start = panel.getByRole('button', { name: 'Start a segment here' });
  await start.focus();
  await page.keyboard.press('Enter');
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  await expect(page.locator('.frame-readout strong')).toHaveText('25');
  const mark = panel.getByRole('button', { name: 'Mark frames 20–25 as neutral' });
  await mark.focus();
  await page.keyboard.press('Enter');
  await expect(panel.getByTestId('reference')).toHaveText('Reference: neutral (6 frames)');
  await expect(panel.getByRole('button', { name: 'Remove the neutral mark on face.mp4 frames 20–25' })).toBeVisible();
  await expect(page.locator('.frame-readout')).toContainText('Neutral face');
  await snap(page, 'neutral-01-label');

  // Review says the same for this video's person.
  await tab(page, 'Review').click();
  await expect(page.getByTestId('reference')).toHaveText('Reference: neutral (6 frames)');
  await snap(page, 'neutral-02-review');

  // A model finetuned now records the neutral reference.
  await finetune(page, 2);
  await expect(models.getByRole('row', { name: /finetune-.*finetune/ }).first()).toContainText('neutral face for anna (6 frames)');
  await snap(page, 'neutral-03-models');
  await shell.stop();
  shell = null;

  const db = openDb(fx.project);
  try {
    const rows = db.prepare("SELECT params FROM models WHERE stage = 'finetune' ORDER BY id").all() as { params: string }[];
    const norms = rows.map((r) => (JSON.parse(r.params) as { normalisation: unknown }).normalisation);
    expect(norms).toEqual([
      { input: 'video-median', people: { anna: { kind: 'median' } } },
      { input: 'video-median', people: { anna: { kind: 'neutral', frames: 6 } } },
    ]);
  } finally {
    db.close();
  }
});
