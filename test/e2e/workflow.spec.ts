/**
 * A person's whole path, through the real UI in Chromium: create a project, import two face
 * videos, sample 2 %, label the sampled frames by keyboard only, reload and find the labels,
 * pretrain and finetune with the tiny preset, review the tracks, export and check the CSV.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { launchBrowserShell, snap, type Shell } from './shell';

const require = createRequire(import.meta.url);
const ffmpeg = () => process.env.FFMPEG_PATH ?? (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
const tab = (page: Page, name: string) => page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name });
const photo = (n: number) => path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', `sample${n}.jpg`);

/** 4 s at 25 fps of one real face (crop found with the app's face detector), slowly panned. */
function faceVideo(out: string, n: number, crop: { x: number; y: number; side: number }): void {
  const r = spawnSync(ffmpeg(), [
    '-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-framerate', '25', '-i', photo(n), '-t', '4',
    '-vf', `crop=${crop.side}:${crop.side}:'${crop.x}+10*t':${crop.y},scale=256:256,format=yuv420p`,
    '-c:v', 'libx264', '-preset', 'veryfast', out,
  ]);
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
}

async function labelSampledFrames(page: Page, count: number): Promise<void> {
  for (let f = 0; f < count; f++) {
    await page.keyboard.press('Shift+N');
    // Twelve AUs: each digit sets the chosen AU and moves to the next one.
    for (let i = 0; i < 12; i++) await page.keyboard.press(String((f + i) % 3));
  }
}

test('create → import → sample → label → reload → pretrain → finetune → review → export', async ({ browser }) => {
  test.setTimeout(600_000);
  const shell: Shell = await launchBrowserShell(browser);
  const { page, root } = shell;
  try {
    const videos = path.join(root, 'videos');
    fs.mkdirSync(videos);
    faceVideo(path.join(videos, 'subject-a.mp4'), 1, { x: 1200, y: 0, side: 700 });
    faceVideo(path.join(videos, 'subject-b.mp4'), 4, { x: 40, y: 26, side: 640 });

    // 1. Create a project.
    await page.getByLabel('Project name').fill('Whole path');
    await page.getByLabel('Location').fill(root);
    await page.getByRole('button', { name: 'Create project' }).click();
    await expect(page.getByRole('heading', { name: 'Whole path', level: 1 })).toBeVisible();

    // 2. Import both videos with the in-app file browser, detecting the face on every frame.
    const detection = page.getByRole('combobox', { name: 'Detect faces on' });
    await expect(detection).toHaveValue('3');
    await detection.selectOption({ label: 'every frame (2.5–3× slower)' });
    await page.getByRole('button', { name: 'Import videos…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import videos' });
    await dialog.getByRole('button', { name: 'videos', exact: true }).click();
    await dialog.getByRole('button', { name: /subject-a\.mp4/ }).click();
    await dialog.getByRole('button', { name: /subject-b\.mp4/ }).click();
    await snap(page, 'workflow-01-import-picker');
    await dialog.getByRole('button', { name: 'Import 2 videos' }).click();
    const table = page.getByRole('table', { name: 'Videos in this project' });
    await expect(table.locator('.state-ready')).toHaveCount(2, { timeout: 240_000 });
    await snap(page, 'workflow-02-imported');
    const dbFile = [path.join(root, 'project.sqlite'), ...fs.readdirSync(root).map((d) => path.join(root, d, 'project.sqlite'))].find((f) => fs.existsSync(f))!;
    const db = new (require('better-sqlite3') as typeof import('better-sqlite3'))(dbFile, { readonly: true });
    const imports = db.prepare(`SELECT json_extract(params, '$.detectEvery') AS k FROM jobs WHERE kind = 'import'`).all() as { k: number }[];
    db.close();
    expect(imports.map((j) => j.k)).toEqual([1, 1]);

    // 3. Sample 2 % of the frames of each video.
    await page.getByRole('button', { name: 'Sample 2 % of frames' }).click();
    await expect(table.getByRole('row', { name: /subject-a\.mp4/ }).getByRole('cell').nth(6)).toHaveText('2');

    // 4. Label every sampled frame of both videos by keyboard only.
    for (const name of ['subject-a.mp4', 'subject-b.mp4']) {
      await tab(page, 'Videos').click();
      await page.getByRole('button', { name: `Label ${name}` }).click();
      if (name === 'subject-a.mp4') {
        // The first visit to the Label view on this machine asks who is coding, once.
        const who = page.getByRole('dialog', { name: 'Who is coding?' });
        await expect(who).toBeVisible();
        await who.getByLabel('Coder name').fill('lab coder');
        await who.getByLabel('Coder name').press('Enter');
        await expect(who).toBeHidden();
        await expect(page.getByRole('button', { name: 'Coder: lab coder. Change the coder' }).first()).toBeVisible();
      }
      const progress = page.getByTestId('label-progress');
      await expect(progress).toContainText('0 of 2 sampled frames labelled');
      await labelSampledFrames(page, 2);
      await expect(progress).toContainText('2 of 2 sampled frames labelled (100 %)');
    }
    await snap(page, 'workflow-03-labelled');

    // 5. Reload once every change has reached the project: the labels are still there.
    await expect(page.getByText('All changes saved')).toBeVisible();
    await page.reload();
    await expect(page.getByTestId('label-progress')).toContainText('2 of 2 sampled frames labelled (100 %)');

    // 6. Pretrain, then finetune (which also predicts every frame), with the tiny preset.
    await tab(page, 'Train').click();
    await page.getByLabel('Preset').selectOption('tiny');
    // Add the margin term at half weight with its own margin, from the Advanced section.
    await page.getByText('Advanced', { exact: true }).click();
    await page.getByLabel('Margin temporal contrast (Li & Shan 2023)', { exact: true }).fill('0.5');
    const marginSettings = page.getByRole('group', { name: 'Margin temporal contrast (Li & Shan 2023) settings' });
    await marginSettings.getByLabel('Margin temporal contrast (Li & Shan 2023): margin').fill('0.2');
    await expect(page.getByLabel('Pretraining network input')).toHaveValue('');
    await snap(page, 'workflow-03b-advanced');
    await page.getByRole('button', { name: 'Pretrain' }).click();
    const models = page.getByRole('table', { name: 'Models' });
    await expect(models.getByRole('row', { name: /pretrain-.*pretrain/ })).toBeVisible({ timeout: 240_000 });
    // The live plot showed each objective's loss; the model records both objectives and the margin.
    await expect(page.getByRole('img', { name: /loss/i }).first()).toBeVisible();
    const legend = page.getByRole('figure').filter({ has: page.getByRole('img', { name: /pretrain-.* loss/ }) });
    await expect(legend).toContainText('geometry');
    await expect(legend).toContainText('temporal-margin');
    await expect(models.getByRole('row', { name: /pretrain-.*pretrain/ })).toContainText('geometry ×1 + temporal-margin ×0.5 (margin 0.2)');
    // Finetuning starts from scratch by default (bench:quality); pick the pretrained model.
    await expect(page.getByLabel('Finetune starts from')).toHaveValue('scratch');
    await page.getByLabel('Finetune starts from').selectOption('latest');
    await page.getByRole('button', { name: 'Finetune' }).click();
    await expect(models.getByRole('row', { name: /finetune-.*finetune/ })).toBeVisible({ timeout: 240_000 });
    // Scored by cross-validation over the two people, beside the baseline on the same frames.
    const comparison = page.getByRole('table', { name: 'People the model never saw: network vs baseline' });
    await expect(comparison).toBeVisible({ timeout: 120_000 });
    await expect(comparison).toContainText('Cross-validation over 2 people (2 folds');
    await expect(comparison.getByRole('columnheader', { name: 'Baseline ICC' })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: /baseline/ })).toBeVisible();
    await expect(models.getByRole('row', { name: /finetune-.*finetune/ })).toContainText('pretrain-');
    // Finetune once more from scratch, to compare: the new model has no parent.
    await page.getByLabel('Finetune starts from').selectOption('scratch');
    await expect(page.getByText(/labelled frames, from scratch\./)).toBeVisible();
    await page.getByRole('button', { name: 'Finetune', exact: true }).click();
    await expect(models.getByRole('row', { name: /finetune-.*finetune/ })).toHaveCount(2, { timeout: 240_000 });
    await expect(models.getByRole('row', { name: /finetune-.*finetune/ }).first().getByRole('cell').nth(2)).toHaveText('—');
    await snap(page, 'workflow-04-trained');

    // 7. Review the predicted tracks.
    await tab(page, 'Review').click();
    await expect(page.getByRole('img', { name: /^AU12 Lip corner puller: predicted intensity/ })).toBeVisible({ timeout: 60_000 });
    await snap(page, 'workflow-05-review');

    // 8. Export and check the CSV against the video.
    await tab(page, 'Train').click();
    await page.getByRole('button', { name: 'Export CSV (OpenFace columns)' }).click();
    const link = page.getByRole('link', { name: 'subject-a.csv' });
    await expect(link).toBeVisible();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('frame, face_id, timestamp, confidence, success, AU01_r, AU02_r, AU04_r, AU05_r, AU06_r, AU09_r, AU12_r, AU15_r, AU17_r, AU20_r, AU25_r, AU26_r');
    expect(csv).toHaveLength(1 + 100);
    await snap(page, 'workflow-06-exported');

    // 9. Suggest frames with the newest model: they join the queue with their own mark, and the
    // keys of the sampled frames reach them (they are the only unlabelled ones, so Shift+N lands on one).
    await tab(page, 'Videos').click();
    await page.getByLabel('Share of frames to suggest (%)').fill('2');
    await page.getByRole('button', { name: 'Suggest 2 % of frames' }).click();
    await expect(page.getByText(/\d+ frames suggested so far/)).toBeVisible({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Label subject-a.mp4' }).click();
    await expect(page.getByTestId('label-progress')).toContainText(/2 of [3-9] sampled frames labelled/);
    await expect(page.getByLabel('Sampled frame markers')).toContainText('suggested');
    await page.keyboard.press('Shift+N');
    const badge = page.locator('.badge.suggested');
    await expect(badge).toBeVisible();
    const at = await page.locator('.frame-readout strong').textContent();
    await page.keyboard.press('p');
    await expect(page.locator('.frame-readout strong')).not.toHaveText(at!);
    await page.keyboard.press('n');
    await expect(page.locator('.frame-readout strong')).toHaveText(at!);
    await expect(badge).toBeVisible();
    await snap(page, 'workflow-07-suggested');
  } finally {
    await shell.stop();
  }
});
