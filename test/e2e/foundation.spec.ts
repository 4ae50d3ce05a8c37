import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { electronBinaryOrFetch, launchBrowserShell, launchElectronShell, snap, type Shell } from './shell';

/** The path every shell must support: first run, create, close, reopen from the recent list. */
async function createCloseReopen(page: Page, root: string, tag: string): Promise<void> {
  await expect(page.getByRole('heading', { name: 'AU Workbench', level: 1 })).toBeVisible();
  const demo = page.getByRole('button', { name: 'Open the demo project' });
  await expect(demo).toBeVisible();
  await snap(page, `${tag}-01-first-run`);

  await page.getByLabel('Project name').fill('Smile study');
  await page.getByLabel('Location').fill(root);
  await expect(page.getByText(path.join(root, 'smile-study'))).toBeVisible();
  await page.getByRole('button', { name: 'Create project' }).click();

  await expect(page.getByRole('heading', { name: 'Smile study', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Videos' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Jobs' })).toBeVisible();
  await expect(page.getByText('AU12')).toBeVisible();
  expect(fs.existsSync(path.join(root, 'smile-study', 'project.sqlite'))).toBe(true);
  await snap(page, `${tag}-02-project-home`);

  await page.getByRole('button', { name: 'Close project' }).click();
  const recent = page.getByRole('list', { name: 'Recent projects' });
  await expect(recent.getByRole('button', { name: /^Smile study/ })).toBeVisible();
  await snap(page, `${tag}-03-recent`);
  await recent.getByRole('button', { name: /^Smile study/ }).click();
  await expect(page.getByRole('heading', { name: 'Smile study', level: 1 })).toBeVisible();
}

test.describe('browser mode', () => {
  let shell: Shell;
  test.beforeEach(async ({ browser }) => {
    shell = await launchBrowserShell(browser);
  });
  test.afterEach(async () => shell.stop());

  test('create a project, close it and reopen it', async () => {
    await createCloseReopen(shell.page, shell.root, 'browser');
  });

  test('the demo option says why it is unavailable', async () => {
    const demo = shell.page.getByRole('button', { name: 'Open the demo project' });
    await expect(demo).toBeDisabled();
    await expect(shell.page.locator('#demo-reason')).toContainText('npm run demo:data');
  });

  test('the folder browser is keyboard driven and refuses a folder that is not a project', async () => {
    const page = shell.page;
    fs.mkdirSync(path.join(shell.root, 'not-a-project'));
    await page.getByRole('button', { name: 'Open folder…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Open a project folder' });
    await expect(dialog).toBeVisible();
    // The first root is the test's own folder; walk into the plain folder by keyboard.
    const item = dialog.getByRole('button', { name: /not-a-project/ });
    await item.focus();
    await page.keyboard.press('Enter');
    await expect(dialog.locator('code')).toHaveText(path.join(shell.root, 'not-a-project'));
    await snap(page, 'browser-04-folder-picker');
    await dialog.getByRole('button', { name: 'Choose this folder' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'is not an AU Workbench project' })).toBeVisible();
    await snap(page, 'browser-05-not-a-project');
  });

  test('a request without the token is refused; the page itself holds no data', async ({ playwright }) => {
    const origin = new URL(shell.url!).origin;
    const anonymous = await playwright.request.newContext();
    const api = await anonymous.post(`${origin}/api/app/info`, { data: {} });
    expect(api.status()).toBe(401);
    expect((await anonymous.post(`${origin}/api/app/info`, { data: {}, headers: { cookie: `auw_token_${new URL(origin).port}=x` } })).status()).toBe(401);
    // The renderer's files are public (the token is for the API); a stale ?token= is told so.
    expect((await anonymous.get(`${origin}/`)).status()).toBe(200);
    expect((await anonymous.get(`${origin}/?token=stale`)).status()).toBe(401);
    await anonymous.dispose();
  });
});

test.describe('electron', () => {
  test('create a project, close it and reopen it', async () => {
    test.setTimeout(15 * 60_000); // the first run may download the binary (~100 MB)
    const { binary, why } = electronBinaryOrFetch();
    if (!binary) {
      console.log(`[e2e] Electron spec skipped: the Electron binary is not installed (${why}).`);
      test.skip(true, 'Electron binary not installed');
      return;
    }
    const shell = await launchElectronShell();
    try {
      await createCloseReopen(shell.page, shell.root, 'electron');
    } finally {
      await shell.stop();
    }
  });
});
