/**
 * The Agreement tab with few frames in common: ICC and κ from two frames (±1.00) carry a
 * visible warning below the minimum n, the left column fits at 1440 and 1280 px, and a share
 * that the sample outgrew is grown only on request, with a message. Screenshots at 1440×900
 * and 1280×720 go to artifacts/screenshots/agreement-n-*.png.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { buildFixture, insertLabels, openProject, type Fixture } from './fixture';
import { snap, type Shell } from './shell';

const DISFA = [1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26];

let fx: Fixture;
let shell: Shell | null = null;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['out/main/cli.js', ...args], { encoding: 'utf8', env: { ...process.env, AUW_SETTINGS_DIR: path.join(fx.root, 'settings') } });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

test.beforeAll(() => {
  fx = buildFixture('agreement-n', 4, { coder: 'a-coder-with-a-rather-long-name' });
  // A half share of the sampled frames, then the sample doubles: the share stays 5 frames.
  cli('double-code', fx.project, '--percent', '50', '--seed', '4');
  cli('sample', fx.project, '--percent', '20');
  const [f0, f1] = fx.sampled as [number, number];
  // alice codes two frames, bob the same two frames with the same values: ±1.00 from n = 2.
  const values = (frame: number) => DISFA.map((au, i) => ({ frame, au, intensity: frame === f0 ? i % 2 : 1 + (i % 2) * 2 }));
  insertLabels(fx.project, fx.videoId, [...values(f0), ...values(f1)], 'alice');
  insertLabels(fx.project, fx.videoId, [...values(f0), ...values(f1)], 'bob');
  // A third coder with a long name (this computer's), in the Coders table and the training rule.
  insertLabels(fx.project, fx.videoId, [{ frame: f0, au: 1, intensity: 0 }], 'a-coder-with-a-rather-long-name');
});
test.afterEach(async () => {
  await shell?.stop();
  shell = null;
});

/** No element of the left column sticks out of it, and the page does not scroll sideways. */
async function fits(page: Page) {
  const out = await page.evaluate(() => {
    const side = document.querySelector('.agreement-side')!.getBoundingClientRect();
    const over = [...document.querySelectorAll('.agreement-side *')]
      .map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && r.right > side.right + 1)
      .map(({ e, r }) => `${e.tagName.toLowerCase()}.${(e as HTMLElement).className} ${Math.round(r.right - side.right)} px`);
    return { over, scroll: document.documentElement.scrollWidth - document.documentElement.clientWidth };
  });
  expect(out.over).toEqual([]);
  expect(out.scroll).toBeLessThanOrEqual(0);
}

test('few frames in common: ICC and κ warn below the minimum n, the columns fit, a share grows only on request', async ({ browser }) => {
  test.setTimeout(120_000);
  shell = await openProject(browser, fx, '#/agreement');
  const { page } = shell;
  const table = page.getByRole('table', { name: 'Agreement of alice and bob' });
  await expect(table.locator('caption')).toContainText('alice and bob (2 frames both labelled, all videos)');
  const row = (au: number) => table.locator(`tr[data-au="${au}"]`);
  // ±1.00 from two frames, with the warning in the row, and a note in the table that says why.
  await expect(row(2).getByRole('cell').nth(1)).toHaveText(/^1\.00/);
  for (const au of DISFA) await expect(row(au)).toHaveAttribute('data-few', 'true');
  await expect(row(2).getByRole('cell').nth(1)).toHaveAccessibleName(/1\.00, from only 2 frames \(fewer than 20\)/);
  const note = page.getByRole('note', { name: 'Too few frames' });
  await expect(note).toContainText('Fewer than 20 frames in common for 12 of 12 AUs');
  await expect(table.locator('tfoot')).toContainText('⚠');

  // The share stayed 5 frames when the sample grew; growing it is a click that says what it did.
  const shares = page.getByRole('table', { name: 'Double-coding shares' });
  await expect(shares.getByRole('row', { name: /face\.mp4/ })).toContainText('5 of 20 frames (50 %) — the sample grew: 5 frames short of 50 %');
  await fits(page);
  await snap(page, 'agreement-n-01-1440');
  await page.setViewportSize({ width: 1280, height: 720 });
  await fits(page);
  await snap(page, 'agreement-n-02-1280');
  await page.setViewportSize({ width: 1440, height: 900 });

  await shares.getByRole('button', { name: 'Grow the share of face.mp4 by 5 frames' }).click();
  await expect(page.getByText('The double-coding share of face.mp4 grew from 5 to 10 frames: its second coder has 5 more frames to code.')).toBeVisible();
  await expect(shares.getByRole('row', { name: /face\.mp4/ }).getByRole('cell').first()).toHaveText('10 of 20 frames (50 %)');
  await expect(shares.getByRole('button')).toHaveCount(0);
});
