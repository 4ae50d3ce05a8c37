/**
 * Issue 11 §6 in the UI: training that a crash interrupted is offered for resume as soon as
 * the project opens (on the Videos view, not only in Train), and an import that a crash cut
 * off shows as failed with Retry import.
 */
import { expect, test } from '@playwright/test';
import { buildFixture, openDb, openProject, type Fixture } from './fixture';
import { snap, type Shell } from './shell';

let fx: Fixture;
let shell: Shell | null = null;
test.beforeAll(() => {
  fx = buildFixture('recovery', 2);
  // What a crash leaves: a training job still 'running', a second video still 'ingesting'.
  const db = openDb(fx.project);
  try {
    const now = new Date().toISOString();
    db.prepare("INSERT INTO jobs (kind, state, params, created_at, started_at) VALUES ('pretrain', 'running', ?, ?, ?)").run(JSON.stringify({ name: 'pt-crashed', preset: 'tiny' }), now, now);
    db.prepare(
      `INSERT INTO videos (path, content_hash, subject, fps, frame_count, duration, width, height, size_bytes, has_audio, status, added_at)
       VALUES (?, 'crashed-hash', 's2', 25, 50, 2, 320, 320, 1000, 0, 'ingesting', ?)`,
    ).run(fx.video.replace('face.mp4', 'second.mp4'), now);
  } finally {
    db.close();
  }
});
test.afterEach(async () => {
  await shell?.stop();
  shell = null;
});

test('offers interrupted training for resume and a cut-off import for retry when the project opens', async ({ browser }) => {
  shell = await openProject(browser, fx, '#/');
  const { page } = shell;
  const notice = page.getByRole('region', { name: 'Interrupted training' });
  await expect(notice).toContainText('pretrain · pt-crashed was interrupted');
  await expect(notice.getByRole('button', { name: 'Resume' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: 'second.mp4' });
  await expect(row).toContainText('failed');
  await expect(row).toContainText('interrupted');
  await expect(row.getByRole('button', { name: 'Retry import of second.mp4' })).toBeVisible();
  await snap(page, 'recovery-01-interrupted');
  await notice.getByRole('button', { name: 'Not now' }).click();
  await expect(notice).toHaveCount(0);
});
