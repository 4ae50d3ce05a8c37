/**
 * First run: with no project yet, the workstation opens the demo project, which imports its
 * synthetic face videos on its own; once a user has projects, the demo stays one click away.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { snap, startServer } from './shell';

test('a first launch lands in the demo project, whose videos import themselves', async ({ browser }) => {
  test.setTimeout(300_000);
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'auw-demo-e2e-')));
  fs.mkdirSync(path.join(root, 'settings'));
  const demo = path.join(root, 'demo');
  const gen = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo-data.ts', '--out', demo, '--seconds', '3', '--videos', '2'], { encoding: 'utf8' });
  expect(gen.status, gen.stderr).toBe(0);

  const { url, child } = await startServer(root, [], { AUW_DEMO_DIR: demo });
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  const page = await context.newPage();
  try {
    await page.goto(url);
    await expect(page.getByRole('heading', { name: 'Demo: synthetic faces', level: 1 })).toBeVisible();
    const table = page.getByRole('table', { name: 'Videos in this project' });
    await expect(table.locator('.state-ready')).toHaveCount(2, { timeout: 240_000 });
    await expect(table.getByRole('row', { name: /S01_1\.mp4/ })).toContainText('100.0 %');
    await snap(page, 'demo-01-first-launch');

    // Closing it shows the first-run screen, where the demo is offered (and now recent).
    await page.getByRole('button', { name: 'Close project' }).click();
    await expect(page.getByRole('button', { name: 'Open the demo project' })).toBeEnabled();
    await page.getByRole('button', { name: 'Open the demo project' }).click();
    await expect(page.getByRole('heading', { name: 'Demo: synthetic faces', level: 1 })).toBeVisible();
  } finally {
    await context.close();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});
