/**
 * The review view in real Chromium through browser mode. Predictions need a trained model; the
 * spec stands in for the learning engine by writing a finetuned model and its per-frame
 * predictions into project.sqlite (as the engine stores them) while no server runs.
 */
import { expect, test, type Page } from '@playwright/test';
import { buildFixture, insertLabels, insertModel, openProject, readLabels, type Fixture } from './fixture';
import { snap, type Shell } from './shell';

const DISFA = [1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26];
const frameReadout = (page: Page) => page.locator('.frame-readout strong');

let fx: Fixture;
let shell: Shell | null = null;
let s0 = 0;
let s1 = 0;
let s2 = 0;

/** Model A: a smooth track per AU, with one frame where it is far from the label. */
const predA = (au: number, f: number) => {
  if (au === 12 && f === s1) return 0.2;
  if (au === 26 && f >= 40 && f < 46) return Number.NaN; // "no face" stretch
  return (au % 5) * 0.5 + 0.5 * Math.sin(f / 8 + au);
};
const predB = (au: number, f: number) => Math.max(0, Math.min(5, predA(au, f) + 0.8 * Math.cos(f / 5)));

test.beforeAll(() => {
  fx = buildFixture('review');
  [s0, s1, s2] = fx.sampled as [number, number, number];
});
test.afterEach(async () => {
  await shell?.stop();
  shell = null;
});

test('review: empty state, lanes, seek, biggest disagreement, compare, accept prediction', async ({ browser }) => {
  // Before any model exists the view says what to do.
  shell = await openProject(browser, fx, `#/review/${fx.videoId}`);
  let page = shell.page;
  await expect(page.getByRole('heading', { name: 'No trained model yet' })).toBeVisible();
  await expect(page.getByText('Train first, on the Train tab')).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: 'Pretrain' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Open the Train tab' })).toBeVisible();
  await expect(page.locator('.stage img')).toHaveAttribute('alt', `Frame ${s0}`);
  await snap(page, 'review-01-empty');
  await shell.stop();

  // The learning engine's output, written as it writes it; and some labels.
  const labels = [s0, s1, s2].flatMap((f) =>
    DISFA.map((au) => {
      let v = Math.round(predA(au, f));
      if (f === s1 && au === 12) v = 5; // biggest disagreement: |5 − 0.2| = 4.8
      if (f === s2 && au === 4) v = Math.min(5, v + 2); // second biggest, about 2
      return { frame: f, au, intensity: Math.max(0, Math.min(5, v)) };
    }),
  );
  insertLabels(fx.project, fx.videoId, labels);
  insertModel(fx.project, fx.videoId, 'quick-finetune', predA, DISFA, fx.frameCount);
  insertModel(fx.project, fx.videoId, 'long-finetune', predB, DISFA, fx.frameCount);

  shell = await openProject(browser, fx, `#/review/${fx.videoId}?frame=0`);
  page = shell.page;
  const lanes = page.getByRole('region', { name: 'Predicted intensity lanes' });
  await expect(lanes).toBeVisible();
  await expect(page.getByLabel('Model', { exact: true })).toHaveValue(/\d+/);
  await expect(page.getByLabel('Model', { exact: true }).locator('option')).toHaveText([/^long-finetune/, /^quick-finetune/]);
  // The newest model is chosen; pick the one this spec's numbers are about.
  await page.getByLabel('Model', { exact: true }).selectOption({ label: (await page.getByLabel('Model', { exact: true }).locator('option').nth(1).textContent())! });
  for (const au of DISFA) await expect(page.getByRole('img', { name: new RegExp(`^AU${String(au).padStart(2, '0')} .*predicted intensity over frames 0 to ${fx.frameCount - 1}, 3 of your labels`) })).toBeVisible();

  // The lanes are drawn: the AU12 canvas has ink in it.
  const au12 = page.getByRole('img', { name: /^AU12 Lip corner puller: predicted intensity/ });
  await expect
    .poll(() =>
      au12.evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) ink++;
        return ink / (c.width * c.height);
      }),
    )
    .toBeGreaterThan(0.05);
  await snap(page, 'review-02-lanes');

  // Click a lane to seek there (and choose that AU).
  const box = (await au12.boundingBox())!;
  await au12.click({ position: { x: box.width * 0.5, y: box.height / 2 } });
  await expect.poll(async () => Number(await frameReadout(page).textContent())).toBeGreaterThanOrEqual(Math.floor(fx.frameCount / 2) - 1);
  await expect.poll(async () => Number(await frameReadout(page).textContent())).toBeLessThanOrEqual(Math.ceil(fx.frameCount / 2) + 1);
  await expect(page.locator('.lane.chosen')).toHaveAttribute('data-lane', '12');
  await expect(page.locator('.stage img')).toHaveAttribute('alt', `Frame ${await frameReadout(page).textContent()}`);

  // Next biggest disagreement: by key, then by button.
  await page.keyboard.press('d');
  await expect(frameReadout(page)).toHaveText(String(s1));
  await expect(page.getByTestId('disagreement')).toHaveText(`Disagreement 1 of ${labels.length} · |Δ| 4.80`);
  const row12 = page.getByRole('row', { name: /^AU12/ });
  await expect(row12).toHaveAttribute('aria-current', 'true');
  await expect(row12.getByRole('cell').nth(0)).toHaveText('E (5)');
  await expect(row12.getByRole('cell').nth(1)).toHaveText('0.20 ≈ 0');
  await snap(page, 'review-03-disagreement');
  await page.getByRole('button', { name: /Next biggest disagreement/ }).click();
  await expect(frameReadout(page)).toHaveText(String(s2));
  await expect(page.getByTestId('disagreement')).toContainText(`Disagreement 2 of ${labels.length}`);
  await expect(page.getByRole('row', { name: /^AU04/ })).toHaveAttribute('aria-current', 'true');

  // Compare with a second model: a second colour in the lanes and a column in the table.
  await page.getByLabel('Compare with').selectOption({ label: (await page.getByLabel('Compare with').locator('option').nth(1).textContent())! });
  await expect(page.getByRole('columnheader', { name: 'Compared' })).toBeVisible();
  await expect(lanes.getByText('compared model')).toBeVisible();
  await expect(page.getByRole('img', { name: /^AU12 .*predicted intensity for both models/ })).toBeVisible();
  await snap(page, 'review-04-compare');

  // Accept the prediction on the frame with the biggest disagreement; undo and redo it.
  await page.keyboard.press('p');
  await expect(frameReadout(page)).toHaveText(String(s1));
  await page.getByRole('button', { name: /Accept prediction as label/ }).click();
  await expect(row12.getByRole('cell').nth(0)).toHaveText('0 (absent)');
  await expect(page.getByRole('status').filter({ hasText: 'Accepted' })).toContainText(`Accepted quick-finetune's prediction on frame ${s1} for 12 AUs (1 changed)`);
  await snap(page, 'review-05-accepted');
  await page.keyboard.press('Control+z');
  await expect(row12.getByRole('cell').nth(0)).toHaveText('E (5)');
  await page.keyboard.press('a');
  await expect(row12.getByRole('cell').nth(0)).toHaveText('0 (absent)');

  // Keys and the shortcut overlay.
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog.getByRole('cell', { name: 'Next biggest disagreement between your labels and the model' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await page.keyboard.press('ArrowRight');
  await expect(frameReadout(page)).toHaveText(String(s1 + 1));
  await page.keyboard.press('Control+ArrowLeft');
  await expect(frameReadout(page)).toHaveText(String(s1 + 1 - 10));

  // Zoom the lanes.
  await page.getByRole('button', { name: 'Zoom lanes in' }).click();
  await expect(page.getByRole('button', { name: 'Show the whole video' })).toBeEnabled();
  await page.getByRole('button', { name: 'Show the whole video' }).click();

  await expect(page.getByText('long-finetune').first()).toBeAttached();
  await shell.stop();
  shell = null;
  const stored = readLabels(fx.project, fx.videoId);
  expect(stored.find((l) => l.frame === s1 && l.au === 12)?.intensity).toBe(0);
  expect(stored.filter((l) => l.frame === s1)).toHaveLength(12);
});

test('Train: a stored cross-validation table shows 0.00, never -0.00; the preset survives leaving Train and a reload', async ({ browser }) => {
  const own = buildFixture('train-view');
  const table = (icc: (au: number) => number, mean: number) => ({
    source: 'cv',
    frames: 240,
    perAu: DISFA.map((au) => ({ au, icc: icc(au), r: 0.5, mae: au === 12 ? -0.0001 : 0.4, n: 20 })),
    mean: { icc: mean, r: 0.5, mae: 0.4, aus: DISFA.length },
  });
  insertModel(own.project, own.videoId, 'cv-finetune', (au, f) => (au % 5) * 0.5 + 0.3 * Math.sin(f / 7), DISFA, own.frameCount, {
    validation: null,
    crossValidation: { folds: 3, people: 6, frames: 240, network: table((au) => 0.3 + au / 100, 0.41), baseline: table((au) => (au === 12 ? -0.001 : 0.2), -0.002) },
  });
  shell = await openProject(browser, own, '#/train');
  const { page } = shell;
  const comparison = page.getByRole('table', { name: 'People the model never saw: network vs baseline' });
  await expect(comparison).toBeVisible();
  await expect(comparison).not.toContainText('-0.00');
  await expect(comparison.locator('tfoot')).toContainText('0.00');
  await expect(page.getByText('The network beats the baseline by 0.41 mean ICC (0.41 vs 0.00); no interval for this model, so read it as rough.')).toBeVisible();

  const preset = page.getByLabel('Preset');
  await expect(preset).toHaveValue('quick');
  await preset.selectOption('default');
  const tab = (name: string) => page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name });
  await tab('Videos').click();
  await expect(page.getByLabel('Preset')).toHaveCount(0);
  // The sampling form offers a minimum spacing for random samples.
  await expect(page.getByLabel('Min. spacing (frames)')).toHaveValue('0');
  await snap(page, 'home-sample-spacing');
  await tab('Train').click();
  await expect(page.getByLabel('Preset')).toHaveValue('default');
  await page.reload();
  await expect(page.getByLabel('Preset')).toHaveValue('default');
  await snap(page, 'train-01-cv-table-preset');
});

test("Train: a model that mixes network and baseline per AU shows where each track comes from, intervals, and says when it can't tell", async ({ browser }) => {
  const own = buildFixture('train-mix');
  const table = (icc: (au: number) => number, mean: number) => ({
    source: 'cv',
    frames: 90,
    perAu: DISFA.map((au) => ({ au, icc: au === 15 ? null : icc(au), r: 0.5, mae: 0.4, n: 90 })),
    mean: { icc: mean, r: 0.5, mae: 0.4, aus: DISFA.length - 1 },
  });
  const iv = (estimate: number, low: number, high: number) => ({ estimate, low, high });
  const scored = DISFA.filter((au) => au !== 15);
  const blend = DISFA.map((au) => ({ au, networkWeight: au === 25 ? 0 : au === 1 ? 1 : 0.4, scale: 1.2, offset: 0, source: au === 25 ? 'baseline' : au === 1 ? 'network' : 'blend', frames: 90 }));
  insertModel(
    own.project,
    own.videoId,
    'mixed',
    (au, f) => (au % 5) * 0.5 + 0.3 * Math.sin(f / 7),
    DISFA,
    own.frameCount,
    {
      validation: null,
      crossValidation: {
        folds: 3,
        people: 9,
        frames: 90,
        network: table((au) => 0.1 + au / 100, 0.12),
        baseline: table(() => 0.07, 0.07),
        delivered: table((au) => 0.15 + au / 200, 0.18),
        comparison: {
          aus: scored,
          resamples: 1000,
          network: iv(0.12, -0.02, 0.26),
          baseline: iv(0.07, -0.04, 0.19),
          delivered: iv(0.18, 0.05, 0.3),
          difference: iv(0.05, -0.08, 0.17),
          verdict: 'tie',
          perAu: scored.map((au) => ({ au, network: iv(0.1, 0, 0.2), baseline: iv(0.07, 0, 0.15), delivered: iv(0.15, 0.05, 0.25) })),
        },
      },
    },
    { blend },
  );
  shell = await openProject(browser, own, '#/train');
  const { page } = shell;
  const comparison = page.getByRole('table', { name: 'People the model never saw: network vs baseline' });
  await expect(comparison).toBeVisible();
  await expect(comparison.getByRole('columnheader', { name: 'Delivered ICC' })).toBeVisible();
  await expect(comparison.getByRole('columnheader', { name: 'Track from' })).toBeVisible();
  // Only the AUs whose labels vary are scored; AU15 never varied.
  await expect(comparison.getByRole('rowheader', { name: 'AU15' })).toHaveCount(0);
  await expect(comparison.getByRole('row', { name: /^AU25/ })).toContainText('baseline');
  await expect(comparison.getByRole('row', { name: /^AU12/ })).toContainText('mix 40 %');
  await expect(comparison.locator('tfoot')).toContainText('0.12 [-0.02, 0.26]');
  await expect(comparison.locator('tfoot')).toContainText('0.18 [0.05, 0.30]');
  await expect(page.getByRole('status').filter({ hasText: "Can't tell the network and the baseline apart on these labels" })).toContainText('(-0.08 to 0.17) includes 0');
  await expect(page.getByRole('row', { name: /mixed/ }).first()).toContainText('0.18 (network 0.12, baseline 0.07)');
  await page.setViewportSize({ width: 1440, height: 900 });
  await comparison.scrollIntoViewIfNeeded();
  await snap(page, 'train-02-delivered-mix');
  await page.setViewportSize({ width: 1280, height: 720 });
  await comparison.scrollIntoViewIfNeeded();
  await snap(page, 'train-03-delivered-mix-1280');
});

