/**
 * Issue 24 §5–6 in real Chromium: a page served by another server on another loopback port
 * (same host, so the same cookie jar) (a) tosses junk `auw_token_<port>` cookies for /api,
 * /events and / and (b) collects everything the browser sends it and tries the app's API and
 * event socket. The app must keep working after a reload, and the neighbour must never see
 * the token.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { launchBrowserShell, snap, type Shell } from './shell';

let shell: Shell;
let neighbour: http.Server;
const seen: string[] = [];

function neighbourPage(appPort: number): string {
  const name = `auw_token_${appPort}`;
  return `<!doctype html><title>Neighbour</title><script>
  (async () => {
    const out = {};
    for (const p of ['/api', '/events', '/', '/media']) document.cookie = '${name}=junk' + p.replace(/\\W/g, '') + '; path=' + p;
    out.ownStorage = sessionStorage.getItem('auw-token') + '|' + localStorage.getItem('auw-token');
    out.cookiesHere = document.cookie;
    // What the browser sends this server now (collected server-side too).
    await fetch('/collect', { credentials: 'include' });
    // The app's API from here: no-cors is opaque; cors is refused.
    try {
      const r = await fetch('http://127.0.0.1:${appPort}/api/app/info', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: '{}' });
      out.api = 'read ' + r.status + ' ' + (await r.text());
    } catch (e) { out.api = 'blocked'; }
    out.ws = await new Promise((resolve) => {
      const ws = new WebSocket('ws://127.0.0.1:${appPort}/events', ['auw']);
      ws.onopen = () => resolve('open');
      ws.onerror = () => resolve('refused');
    });
    document.title = 'done';
    window.result = out;
  })();
  </script>`;
}

test.beforeEach(async ({ browser }) => {
  seen.length = 0;
  shell = await launchBrowserShell(browser);
  const appPort = Number(new URL(shell.url!).port);
  neighbour = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} cookie=${req.headers.cookie ?? ''} auth=${req.headers.authorization ?? ''}`);
    if (req.url === '/') {
      // Tossing from the server side too: a Set-Cookie for the host, scoped to the app's paths.
      res.writeHead(200, {
        'content-type': 'text/html',
        'set-cookie': [`auw_token_${appPort}=junk-server; Path=/api`, `auw_token_${appPort}=junk-server; Path=/events`],
      });
      res.end(neighbourPage(appPort));
    } else {
      res.writeHead(204);
      res.end();
    }
  });
  await new Promise<void>((resolve) => neighbour.listen(0, '127.0.0.1', resolve));
});

test.afterEach(async () => {
  await shell.stop();
  await new Promise((resolve) => neighbour.close(resolve));
});

/** Opens the neighbour's page in the app's browser context and returns what it could read. */
async function visitNeighbour(): Promise<Record<string, string>> {
  const evil = await shell.page.context().newPage();
  await evil.goto(`http://127.0.0.1:${(neighbour.address() as AddressInfo).port}/`);
  await expect(evil).toHaveTitle('done');
  const result = (await evil.evaluate(() => (window as unknown as { result: Record<string, string> }).result)) as Record<string, string>;
  await evil.close();
  return result;
}

test('a page on another loopback port cannot obtain the token from what the browser sends or lets it read', async () => {
  const { page } = shell;
  const token = new URL(shell.url!).searchParams.get('token')!;
  await expect(page.getByRole('heading', { name: 'AU Workbench', level: 1 })).toBeVisible();
  // The token left the address bar; the page kept it for itself.
  expect(page.url()).not.toContain(token);
  const result = await visitNeighbour();
  expect(seen.length).toBeGreaterThanOrEqual(2);
  for (const line of seen) expect(line).not.toContain(token);
  expect(JSON.stringify(result)).not.toContain(token);
  expect(result.ownStorage).toBe('null|null');
  expect(result.api).toBe('blocked');
  expect(result.ws).toBe('refused');
  for (const c of await page.context().cookies()) expect(c.value).not.toBe(token);
});

test('junk token cookies tossed by a page on another loopback port do not lock the app out', async () => {
  const { page, root } = shell;
  const token = new URL(shell.url!).searchParams.get('token')!;
  await expect(page.getByRole('heading', { name: 'AU Workbench', level: 1 })).toBeVisible();
  await visitNeighbour();
  const junk = (await page.context().cookies()).filter((c) => c.value.startsWith('junk'));
  expect(junk.map((c) => c.path).sort()).toEqual(expect.arrayContaining(['/api', '/events']));
  // Reload the app, create a project through it, and open its event socket, all with the junk in the jar.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'AU Workbench', level: 1 })).toBeVisible();
  await page.getByLabel('Project name').fill('Neighbour study');
  await page.getByLabel('Location').fill(root);
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name: 'Neighbour study', level: 1 })).toBeVisible();
  const socket = await page.evaluate(
    (t) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://${location.host}/events`, ['auw', `auw.token.${t}`]);
        ws.onopen = () => resolve(`open ${ws.protocol}`);
        ws.onerror = () => resolve('refused');
      }),
    token,
  );
  expect(socket).toBe('open auw');
  await snap(page, 'browser-neighbour-after-tossing');
  // Opening the printed URL again (a new tab) works too.
  const again = await page.context().newPage();
  await again.goto(shell.url!);
  await expect(again.getByRole('heading', { name: 'Neighbour study', level: 1 })).toBeVisible();
  expect(path.isAbsolute(root)).toBe(true);
});
