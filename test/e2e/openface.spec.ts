/**
 * OpenFace in, in real Chromium through browser mode: an OpenFace 2 FeatureExtraction CSV made
 * for another video (more frames; another frame rate) is refused with a message that says so
 * and nothing appears; the right CSV, picked in the in-app file browser, appears in Review as
 * a read-only track (lanes, the values table with FACS letters, the hover tooltip) even before
 * any model exists, and once a model has predicted, both are scored on the same labelled frames.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { buildFixture, insertLabels, insertModel, openDb, openProject, type Fixture } from './fixture';
import { snap, type Shell } from './shell';

const DISFA = [1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26];
/** OpenFace's intensity for (0-based) frame f: a slow wave per AU; no face on frames 30–34. */
const ofValue = (au: number, f: number) => 2.5 + 2.4 * Math.sin(f / 9 + au);
const noFace = (f: number) => f >= 30 && f < 35;

/** A FeatureExtraction-style CSV: ", " separators, extra columns, AU presence columns and AU45. */
function openFaceCsv(frames: number, fps: number): string {
  const aus = [...DISFA, 45];
  const head = ['frame', 'face_id', 'timestamp', 'confidence', 'success', 'gaze_angle_x', 'pose_Rx', ...aus.map((au) => `AU${String(au).padStart(2, '0')}_r`), 'AU12_c'];
  const rows = Array.from({ length: frames }, (_, f) => {
    const ok = noFace(f) ? 0 : 1;
    return [f + 1, 0, (f / fps).toFixed(3), ok ? '0.98' : '0.00', ok, '0.05', '0.10', ...aus.map((au) => (ok ? ofValue(au, f).toFixed(2) : '0.00')), 1].join(', ');
  });
  return `${head.join(', ')}\n${rows.join('\n')}\n`;
}

let fx: Fixture;
let shell: Shell | null = null;
test.beforeAll(() => {
  fx = buildFixture('openface');
  fs.writeFileSync(path.join(fx.root, 'face_openface.csv'), openFaceCsv(fx.frameCount, 25));
  fs.writeFileSync(path.join(fx.root, 'other_video.csv'), openFaceCsv(fx.frameCount + 20, 25));
  fs.writeFileSync(path.join(fx.root, 'face_30fps.csv'), openFaceCsv(fx.frameCount, 30));
  // Labels on the sampled frames: OpenFace's value rounded, so its scores are high but not perfect.
  insertLabels(fx.project, fx.videoId, fx.sampled.flatMap((f) => DISFA.map((au) => ({ frame: f, au, intensity: Math.round(ofValue(au, f)) }))));
});
test.afterEach(async () => {
  await shell?.stop();
  shell = null;
});

async function importCsv(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: /^(Import|Replace) OpenFace CSV…$/ }).click();
  const picker = page.getByRole('dialog', { name: 'OpenFace CSV for face.mp4' });
  await expect(picker).toBeVisible();
  // Only folders and .csv files are listed.
  await expect(picker.getByRole('button', { name: /face\.mp4/ })).toHaveCount(0);
  await picker.getByRole('button', { name: new RegExp(name.replace('.', '\\.')) }).click();
  await picker.getByRole('button', { name: `Import ${name}` }).click();
}

const greenInk = (page: Page, au: string) =>
  page.getByRole('img', { name: new RegExp(`^${au} `) }).evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 200 && Math.abs(d[i]! - 95) < 30 && Math.abs(d[i + 1]! - 211) < 30 && Math.abs(d[i + 2]! - 154) < 30) n++;
    return n;
  });

test('an OpenFace CSV appears as a track in Review; one made from another video is refused', async ({ browser }) => {
  shell = await openProject(browser, fx, `#/review/${fx.videoId}?frame=${fx.sampled[0]}`);
  const { page } = shell;
  await expect(page.getByRole('heading', { name: 'No trained model yet' })).toBeVisible();

  // Another video's CSV: refused, saying why; nothing changes.
  await importCsv(page, 'other_video.csv');
  const refusal = page.getByRole('dialog', { name: 'The OpenFace CSV was not imported' });
  await expect(refusal.getByRole('alert')).toHaveText(
    `other_video.csv has ${fx.frameCount + 20} frames, but face.mp4 has ${fx.frameCount}: it is not this video's OpenFace output (another video, or a different cut). Choose the CSV made from face.mp4. Nothing was imported.`,
  );
  await snap(page, 'openface-01-wrong-video');
  await refusal.getByRole('button', { name: 'OK' }).click();
  await importCsv(page, 'face_30fps.csv');
  await expect(refusal.getByRole('alert')).toContainText('face_30fps.csv runs at 30.00 fps (by its timestamps), but face.mp4 plays at 25.00 fps');
  await refusal.getByRole('button', { name: 'OK' }).click();
  await expect(page.getByRole('checkbox', { name: 'OpenFace' })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'No trained model yet' })).toBeVisible();

  // The right CSV: a track in Review, before any model exists.
  await importCsv(page, 'face_openface.csv');
  await expect(page.getByRole('status').filter({ hasText: 'Imported the OpenFace track' })).toContainText(`Imported the OpenFace track of face.mp4: ${fx.frameCount} frames, a face on ${fx.frameCount - 5}, 12 AUs.`);
  await expect(page.getByRole('checkbox', { name: 'OpenFace' })).toBeChecked();
  const lanes = page.getByRole('region', { name: 'Predicted intensity lanes' });
  await expect(lanes.getByText('OpenFace')).toBeVisible();
  await expect(page.getByRole('img', { name: /^AU12 Lip corner puller: predicted intensity and OpenFace over frames/ })).toBeVisible();
  await expect.poll(() => greenInk(page, 'AU12')).toBeGreaterThan(100);
  const f0 = fx.sampled[0]!;
  const row12 = page.getByRole('row', { name: /^AU12/ });
  const v = ofValue(12, f0);
  const letter = ['0', 'A', 'B', 'C', 'D', 'E'][Math.round(Number(v.toFixed(2)))];
  await expect(page.getByRole('columnheader', { name: 'OpenFace', exact: true })).toBeVisible();
  await expect(row12.getByRole('cell').nth(1)).toHaveText(`${v.toFixed(2)} ≈ ${letter}`);
  const compare = page.getByRole('group', { name: 'OpenFace on your labels' });
  await expect(compare.locator('summary')).toHaveText(new RegExp(`^On your labels, mean ICC: OpenFace \\d\\.\\d\\d \\(${fx.sampled.filter((f) => !noFace(f)).length} frames\\)$`));
  await compare.locator('summary').click();
  const scores = page.getByRole('table', { name: 'Model and OpenFace on your labels' });
  await expect(scores.getByRole('row', { name: /^AU12/ }).getByRole('cell').nth(1)).toHaveText(/^0\.\d\d$|^1\.00$/);

  // The tooltip reads out the frame under the pointer, with FACS letters.
  const canvas = page.getByRole('img', { name: /^AU12 Lip corner puller/ });
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + ((f0 + 0.5) / fx.frameCount) * box.width, box.y + box.height / 2);
  const tip = page.getByRole('tooltip');
  await expect(tip).toContainText(`AU12 · frame ${f0}`);
  await expect(tip).toContainText(`OpenFace${v.toFixed(2)} ≈ ${letter}`);
  await expect(tip).toContainText(/Your label(0 \(absent\)|[A-E] \(\d\))/);
  await snap(page, 'openface-02-track-without-model');
  await page.mouse.move(0, 0);

  // Importing again asks before replacing; keeping changes nothing.
  await importCsv(page, 'face_openface.csv');
  const replace = page.getByRole('dialog', { name: 'Replace the OpenFace track?' });
  await expect(replace).toContainText('face.mp4 already has an OpenFace track (from face_openface.csv)');
  await replace.getByRole('button', { name: 'Keep the current track' }).click();
  await expect(replace).toBeHidden();
  await shell.stop();
  shell = null;

  // A model predicts: OpenFace beside it, on the same frames.
  insertModel(fx.project, fx.videoId, 'ft', (au, f) => Math.max(0, ofValue(au, f) - 0.7), DISFA, fx.frameCount);
  shell = await openProject(browser, fx, `#/review/${fx.videoId}?frame=${f0}`);
  const p2 = shell.page;
  await expect(p2.getByRole('region', { name: 'Predicted intensity lanes' }).getByText('OpenFace')).toBeVisible();
  const summary = p2.getByRole('group', { name: 'OpenFace on your labels' }).locator('summary');
  await expect(summary).toContainText(/model \d\.\d\d · OpenFace \d\.\d\d \(\d+ frames, the same for both\)/);
  await summary.click();
  const both = p2.getByRole('table', { name: 'ft and OpenFace on your labels' });
  await expect(both.getByRole('columnheader')).toHaveCount(6);
  for (const [i, name] of ['AU', 'n', 'ICC model', 'ICC OpenFace', 'MAE model', 'MAE OpenFace'].entries()) await expect(both.getByRole('columnheader').nth(i)).toHaveAccessibleName(name);
  // The model is OpenFace minus 0.7: its MAE on AU12 is larger than OpenFace's rounding error.
  const cells = both.getByRole('row', { name: /^AU12/ }).getByRole('cell');
  await expect(cells.nth(3)).toHaveText(/^\d\.\d\d$/);
  expect(Number(await cells.nth(3).textContent())).toBeGreaterThan(Number(await cells.nth(4).textContent()));
  await expect(p2.getByRole('row', { name: /^AU12/ }).first().getByRole('cell').nth(1)).toHaveText(`${Math.max(0, v - 0.7).toFixed(2)} ≈ ${['0', 'A', 'B', 'C', 'D', 'E'][Math.round(Math.max(0, v - 0.7))]}`);
  await snap(p2, 'openface-03-beside-model');
  // Hiding the track removes its lanes and column.
  await p2.getByRole('checkbox', { name: 'OpenFace' }).uncheck();
  await expect(p2.getByRole('columnheader', { name: 'OpenFace', exact: true })).toHaveCount(0);
  await shell.stop();
  shell = null;

  const db = openDb(fx.project);
  try {
    const rows = db.prepare('SELECT source, frame_count AS frames, faces FROM openface_tracks').all();
    expect(rows).toEqual([{ source: path.join(fx.root, 'face_openface.csv'), frames: fx.frameCount, faces: fx.frameCount - 5 }]);
  } finally {
    db.close();
  }
});
