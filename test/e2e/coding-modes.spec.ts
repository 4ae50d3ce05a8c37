/**
 * The Label view's queue mode (every sampled frame, or only the double-coding share) belongs
 * to a coder and a video: a second coder who chose the share on one video does not hand it to
 * the first coder, nor to another video; the default is every sampled frame. Screenshots of
 * the Label view at 1440×900 and 1280×720 go to artifacts/screenshots/modes-*.png.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { buildFixture, insertLabels, openProject, type Fixture } from './fixture';
import { snap, type Shell } from './shell';

const DISFA = [1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26];
const frameReadout = (page: Page) => page.locator('.frame-readout strong');

let fx: Fixture & { silentVideoId?: number };
let shell: (Shell & { url?: string }) | null = null;

test.beforeAll(() => {
  fx = buildFixture('modes', 4, { silent: true, coder: 'bob' });
  expect(fx.sampled).toHaveLength(10);
  expect(fx.silentVideoId).toBeDefined();
  // alice coded every sampled frame of the first video; nobody coded the second one.
  insertLabels(fx.project, fx.videoId, fx.sampled.flatMap((frame) => DISFA.map((au) => ({ frame, au, intensity: 1 }))), 'alice');
  // A half share of each video's sampled frames is set aside for a second coder.
  const r = spawnSync(process.execPath, ['out/main/cli.js', 'double-code', fx.project, '--percent', '50', '--seed', '4'], {
    encoding: 'utf8',
    env: { ...process.env, AUW_SETTINGS_DIR: path.join(fx.root, 'settings') },
  });
  expect(r.status, r.stderr).toBe(0);
});
test.afterEach(async () => {
  await shell?.stop();
  shell = null;
});

async function becomeCoder(page: Page, from: string, to: string) {
  await page.getByRole('button', { name: `Coder: ${from}. Change the coder` }).first().click();
  const change = page.getByRole('dialog', { name: 'Change the coder' });
  await change.getByLabel('Coder name').fill(to);
  await change.getByLabel('Coder name').press('Enter');
  await expect(page.getByRole('button', { name: `Coder: ${to}. Change the coder` }).first()).toBeVisible();
}

test('the double-coding mode belongs to a coder and a video; the first coder sees every sampled frame', async ({ browser }) => {
  test.setTimeout(180_000);
  shell = await openProject(browser, fx, `#/label/${fx.videoId}`);
  const { page } = shell;
  const progress = page.getByTestId('label-progress');
  const picker = page.getByRole('combobox', { name: 'Frames to code' });
  const open = async (videoId: number) => {
    await page.goto(`${shell!.url}#/label/${videoId}`);
    await expect(progress).toBeVisible();
  };

  // bob, the second coder on the first video, takes its share and codes it.
  const offer = page.getByRole('note', { name: 'Double coding' });
  await expect(offer).toContainText('alice has coded this video. 5 of its sampled frames are set aside for a second coder');
  await offer.getByRole('button', { name: 'Code the double-coding share' }).click();
  await expect(picker).toHaveValue('double');
  await expect(progress).toHaveText('0 of 5 double-coding frames labelled (0 %)');
  for (let j = 0; j < 5; j++) for (let i = 0; i < DISFA.length; i++) await page.keyboard.press('1');
  await expect(progress).toHaveText('5 of 5 double-coding frames labelled (100 %)');
  await expect(page.getByText('All changes saved')).toBeVisible();

  // bob on the second video (nobody coded it): every sampled frame, his choice stayed on the first.
  await open(fx.silentVideoId!);
  await expect(picker).toHaveValue('all');
  await expect(progress).toHaveText('0 of 10 sampled frames labelled (0 %)');

  // alice on this computer: on the video nobody else coded she walks all 10 sampled frames.
  await becomeCoder(page, 'bob', 'alice');
  await expect(picker).toHaveValue('all');
  await expect(progress).toHaveText('0 of 10 sampled frames labelled (0 %)');
  await expect(page.locator('.badge.sampled')).toHaveText('Sampled 1 of 10');
  const start = Number(await frameReadout(page).textContent());
  for (let k = 2; k <= 10; k++) {
    await page.keyboard.press('n');
    await expect(page.locator('.badge.sampled')).toHaveText(`Sampled ${k} of 10`);
  }
  await page.keyboard.press('Shift+N');
  await expect(frameReadout(page)).toHaveText(String(start)); // the first unlabelled, from the start of all 10
  await snap(page, 'modes-01-first-coder-second-video-1440');
  await page.setViewportSize({ width: 1280, height: 720 });
  await snap(page, 'modes-02-first-coder-second-video-1280');
  await page.setViewportSize({ width: 1440, height: 900 });

  // alice on her own video: all of it, done; bob's mode did not follow her there either.
  await open(fx.videoId);
  await expect(picker).toHaveValue('all');
  await expect(progress).toHaveText('10 of 10 sampled frames labelled (100 %)');

  // bob again: his choice on the first video is remembered (across a reload), and only there.
  await becomeCoder(page, 'alice', 'bob');
  await expect(picker).toHaveValue('double');
  await expect(progress).toHaveText('5 of 5 double-coding frames labelled (100 %)');
  await page.reload();
  await expect(picker).toHaveValue('double');
  await snap(page, 'modes-03-second-coder-share-1440');
  await page.setViewportSize({ width: 1280, height: 720 });
  await snap(page, 'modes-04-second-coder-share-1280');
  await open(fx.silentVideoId!);
  await expect(picker).toHaveValue('all');
});
