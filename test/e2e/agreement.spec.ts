/**
 * Two coders in real Chromium through browser mode: the machine asks who is coding once; the
 * first coder labels every sampled frame; a double-coding share is set aside on the Agreement
 * tab; the second coder is offered the share in the Label view and codes it without seeing the
 * first coder's values; the Agreement tab then shows their numbers, and its largest
 * disagreement opens in the Label view. Before the second coder, agreement says what to do.
 */
import { expect, test, type Page } from '@playwright/test';
import { buildFixture, openDb, openProject, type Fixture } from './fixture';
import { snap, type Shell } from './shell';

const DISFA = [1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26];
const LEVELS = ['0', 'A', 'B', 'C', 'D', 'E'];
const code = (au: number) => `AU${String(au).padStart(2, '0')}`;
const level = (page: Page, au: number, l: string) => page.getByRole('button', { name: `${code(au)} intensity ${l}`, exact: true });
const frameReadout = (page: Page) => page.locator('.frame-readout strong');
const tab = (page: Page, name: string) => page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name });

/** alice's value on the k-th sampled frame for the i-th AU. */
const aliceValue = (k: number, i: number) => (k + i) % 3;

let fx: Fixture;
let shell: Shell | null = null;
test.beforeAll(() => {
  fx = buildFixture('agreement', 4, { coder: null });
  expect(fx.sampled).toHaveLength(10);
});
test.afterEach(async () => {
  await shell?.stop();
  shell = null;
});

test('two coders label an overlap set and the Agreement tab shows their numbers', async ({ browser }) => {
  test.setTimeout(240_000);
  shell = await openProject(browser, fx, `#/label/${fx.videoId}`);
  const { page } = shell;

  // Asked once on this machine.
  const who = page.getByRole('dialog', { name: 'Who is coding?' });
  await expect(who).toBeVisible();
  await who.getByLabel('Coder name').fill('alice');
  await who.getByRole('button', { name: 'Start coding' }).click();
  await expect(page.getByRole('button', { name: 'Coder: alice. Change the coder' }).first()).toBeVisible();

  // Agreement before a second coder: it says what is missing and what to do.
  await tab(page, 'Agreement').click();
  await expect(page.getByRole('status').filter({ hasText: 'Agreement needs' })).toHaveText(
    'Agreement needs labels from two coders, but nobody has labelled this project yet. Set aside a double-coding share (Agreement tab, or `auw double-code`) and let a second coder label it under their own name.',
  );

  // The double-coding share: half of the sampled frames, seeded.
  await page.getByLabel('Share of the sampled frames, in percent').fill('50');
  await page.getByLabel('Seed (empty for a random one)').fill('4');
  await page.getByRole('button', { name: 'Set aside' }).click();
  await expect(page.getByRole('table', { name: 'Double-coding shares' }).getByRole('row', { name: /face\.mp4/ })).toContainText('5 of 10 frames (50 %)');

  // alice labels every sampled frame by keyboard.
  await tab(page, 'Label').click();
  const progress = page.getByTestId('label-progress');
  await expect(progress).toHaveText('0 of 10 sampled frames labelled (0 %)');
  for (const [k, f] of fx.sampled.entries()) {
    await expect(frameReadout(page)).toHaveText(String(f));
    // After the last AU the view moves on to the next sampled frame by itself.
    for (let i = 0; i < DISFA.length; i++) await page.keyboard.press(String(aliceValue(k, i)));
  }
  await expect(progress).toHaveText('10 of 10 sampled frames labelled (100 %)');
  await expect(page.getByText('All changes saved')).toBeVisible();

  await tab(page, 'Agreement').click();
  await expect(page.getByRole('status').filter({ hasText: 'Agreement needs' })).toContainText('but only alice has labelled this project.');

  // bob takes over this computer; the Label view offers him the share.
  await page.getByRole('button', { name: 'Coder: alice. Change the coder' }).click();
  const change = page.getByRole('dialog', { name: 'Change the coder' });
  await change.getByLabel('Coder name').fill('bob');
  await change.getByLabel('Coder name').press('Enter');
  await expect(page.getByRole('button', { name: 'Coder: bob. Change the coder' })).toBeVisible();
  await tab(page, 'Label').click();
  const offer = page.getByRole('note', { name: 'Double coding' });
  await expect(offer).toContainText('alice has coded this video. 5 of its sampled frames are set aside for a second coder');
  await snap(page, 'agreement-01-share-offered');
  await offer.getByRole('button', { name: 'Code the double-coding share' }).click();
  await expect(progress).toHaveText('0 of 5 double-coding frames labelled (0 %)');
  await expect(page.getByRole('combobox', { name: 'Frames to code' })).toHaveValue('double');

  // Blind: on a frame alice coded, bob sees none of her values, and no history of hers.
  const shareFrames: number[] = [];
  for (let j = 0; j < 5; j++) {
    const f = Number(await frameReadout(page).textContent());
    shareFrames.push(f);
    const k = fx.sampled.indexOf(f);
    expect(k).toBeGreaterThanOrEqual(0);
    await expect(page.locator('.badge.sampled')).toHaveText(`Double-coding ${j + 1} of 5`);
    if (j === 0) {
      for (const au of DISFA) for (const l of LEVELS) await expect(level(page, au, l)).toHaveAttribute('aria-pressed', 'false');
      await expect(page.getByRole('region', { name: 'Your recent changes' })).toContainText('You have not labelled this video yet.');
      await snap(page, 'agreement-02-second-coder-blind');
    }
    for (let i = 0; i < DISFA.length; i++) {
      let v = aliceValue(k, i);
      if (j === 0 && DISFA[i] === 12) v += 2; // the largest disagreement
      if (j === 1 && DISFA[i] === 1) v += 1;
      await page.keyboard.press(String(v));
    }
  }
  await expect(progress).toHaveText('5 of 5 double-coding frames labelled (100 %)');
  await expect(page.getByText('All changes saved')).toBeVisible();
  expect([...shareFrames].sort((x, y) => x - y)).toEqual(shareFrames);

  // Their numbers.
  await tab(page, 'Agreement').click();
  const table = page.getByRole('table', { name: 'Agreement of alice and bob' });
  await expect(table.locator('caption')).toContainText('alice and bob (5 frames both labelled, all videos)');
  const row = (au: number) => table.locator(`tr[data-au="${au}"]`).getByRole('cell');
  for (const au of DISFA) await expect(row(au).nth(0)).toHaveText('5');
  // n, ICC(3,1), its 95 % CI, r, MAE, κ, its 95 % CI, occurrence agreement and κ (present at A or above).
  await expect(row(2)).toHaveText(['5', '1.00', /^\[1\.00, 1\.00\]$|^–$/, '1.00', '0.00', '1.00', /^\[1\.00, 1\.00\]$|^–$/, '100 %', /^1\.00$|^–$/]);
  await expect(row(12).nth(4)).toHaveText('0.40');
  await expect(row(1).nth(4)).toHaveText('0.20');
  for (const au of [1, 12]) for (const c of [1, 3, 5]) await expect(row(au).nth(c)).toHaveText(/^-?\d\.\d\d$/);
  for (const au of [1, 12]) for (const c of [2, 6]) await expect(row(au).nth(c)).toHaveText(/^\[-?\d\.\d\d, -?\d\.\d\d\]$/);
  await expect(table.locator('caption')).toContainText('95 % intervals: bootstrap over frames · occurrence: present at A (1) or above');
  await expect(table.locator('tfoot td').nth(4)).toHaveText('0.05'); // mean MAE: (0.4 + 0.2) / 12
  const coders = page.getByRole('table', { name: 'Coders in this project' });
  await expect(coders.getByRole('row', { name: /alice/ })).toContainText('120');
  await expect(coders.getByRole('row', { name: /bob/ })).toContainText('this computer');
  const first = page.getByRole('region', { name: 'Largest disagreements' }).getByRole('button').first();
  const k0 = fx.sampled.indexOf(shareFrames[0]!);
  const a12 = aliceValue(k0, DISFA.indexOf(12));
  await expect(first).toHaveAccessibleName(`Open frame ${shareFrames[0]} of face.mp4 in the Label view: AU12, alice ${a12 ? `${LEVELS[a12]} (${a12})` : '0 (absent)'}, bob ${LEVELS[a12 + 2]} (${a12 + 2})`);
  await expect(page.getByRole('region', { name: 'Largest disagreements' }).getByRole('button')).toHaveCount(2);

  // Training takes bob's value first; the rule is the project's.
  await page.getByRole('radio', { name: /^bob’s value first/ }).check();
  await expect(page.getByRole('radio', { name: /^bob’s value first/ })).toBeChecked();
  await snap(page, 'agreement-03-numbers');

  // The largest disagreement opens in the Label view, on its frame, with its AU chosen.
  await first.click();
  await expect(page).toHaveURL(new RegExp(`#/label/${fx.videoId}\\?frame=${shareFrames[0]}&au=12`));
  await expect(frameReadout(page)).toHaveText(String(shareFrames[0]));
  await expect(page.locator('.au-row.chosen')).toHaveAttribute('data-au', '12');
  await expect(level(page, 12, LEVELS[a12 + 2]!)).toHaveAttribute('aria-pressed', 'true'); // bob's own value

  await shell.stop();
  shell = null;
  const db = openDb(fx.project);
  try {
    expect(JSON.parse((db.prepare("SELECT value FROM meta WHERE key = 'label_rule'").get() as { value: string }).value)).toEqual({ kind: 'coder', coder: 'bob' });
    const counts = db.prepare('SELECT annotator, count(*) AS n FROM labels GROUP BY annotator ORDER BY annotator').all();
    expect(counts).toEqual([
      { annotator: 'alice', n: 120 },
      { annotator: 'bob', n: 60 },
    ]);
    const shared = (db.prepare('SELECT frame_idx FROM double_coded_frames ORDER BY frame_idx').all() as { frame_idx: number }[]).map((r) => r.frame_idx);
    expect(shared).toEqual(shareFrames);
  } finally {
    db.close();
  }
});
