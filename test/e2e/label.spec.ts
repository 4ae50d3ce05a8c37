/**
 * The labelling view in real Chromium through browser mode: keyboard-only labelling of the
 * sampled frames, progress, persistence across a reload, undo/redo, the shortcut overlay,
 * the timeline and playback. Screenshots of each state go to artifacts/screenshots/label-*.png.
 */
import { expect, test, type Page } from '@playwright/test';
import { buildFixture, openProject, readLabels, type Fixture } from './fixture';
import { snap, type Shell } from './shell';

const DISFA = [1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26];
const code = (au: number) => `AU${String(au).padStart(2, '0')}`;
const level = (page: Page, au: number, l: string) => page.getByRole('button', { name: `${code(au)} intensity ${l}`, exact: true });
const LEVELS = ['0', 'A', 'B', 'C', 'D', 'E'];
const frameReadout = (page: Page) => page.locator('.frame-readout strong');

let fx: Fixture & { silentVideoId?: number };
let shell: Shell | null = null;

test.beforeAll(() => {
  fx = buildFixture('label', 4, { silent: true });
  expect(fx.sampled.length).toBeGreaterThanOrEqual(5);
});
test.afterEach(async () => {
  await shell?.stop();
  shell = null;
});

test('label sampled frames by keyboard, survive a reload, undo and redo', async ({ browser }) => {
  shell = await openProject(browser, fx, `#/label/${fx.videoId}`);
  const { page } = shell;
  const n = fx.sampled.length;
  const [s0, s1, s2] = fx.sampled as [number, number, number];
  const progress = page.getByTestId('label-progress');

  // The view opens on the first sampled frame still to label.
  await expect(progress).toHaveText(`0 of ${n} sampled frames labelled (0 %)`);
  await expect(frameReadout(page)).toHaveText(String(s0));
  await expect(page.getByRole('img', { name: /Aligned face crop of frame/ })).toBeVisible();
  await expect(page.locator('.stage img')).toHaveAttribute('alt', `Frame ${s0}`);
  await expect(page.getByRole('slider', { name: /Timeline/ })).toHaveAttribute('aria-valuenow', String(s0));
  await expect(page.getByRole('img', { name: `Sampled frames: ${n} unlabelled, 0 partly labelled, 0 labelled. Click to seek.` })).toBeVisible();
  await expect(page.locator('.stage-overlay circle')).toHaveCount(68);
  await snap(page, 'label-01-start');

  // Frame 1: every AU by digits; each digit sets the chosen AU and moves to the next one.
  const first = [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5];
  for (const d of first.slice(0, -1)) await page.keyboard.press(String(d));
  for (const [i, au] of DISFA.slice(0, -1).entries()) await expect(level(page, au, LEVELS[first[i]!]!)).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('.au-row.chosen')).toHaveAttribute('data-au', '26');
  // The last AU's digit moves on to the next sampled frame, AU cursor back on the first AU.
  await page.keyboard.press(String(first[first.length - 1]));
  await expect(frameReadout(page)).toHaveText(String(s1));
  await expect(page.locator('.au-row.chosen')).toHaveAttribute('data-au', '1');
  await expect(progress).toHaveText(`1 of ${n} sampled frames labelled (${Math.round(100 / n)} %)`);
  await expect(page.getByText('All changes saved')).toBeVisible();

  // Label it fully with zeros: on to the third.
  for (let i = 0; i < DISFA.length; i++) await page.keyboard.press('0');
  await expect(progress).toHaveText(`2 of ${n} sampled frames labelled (${Math.round(200 / n)} %)`);

  // Third frame: partly labelled, and ↑/↓ choose the AU.
  await expect(frameReadout(page)).toHaveText(String(s2));
  await page.keyboard.press('3'); // AU01 = C, cursor → AU02
  await page.keyboard.press('ArrowDown'); // → AU04
  await page.keyboard.press('ArrowDown'); // → AU05
  await page.keyboard.press('ArrowUp'); // → AU04
  await page.keyboard.press('2'); // AU04 = B
  await expect(level(page, 1, 'C')).toHaveAttribute('aria-pressed', 'true');
  await expect(level(page, 2, 'B')).toHaveAttribute('aria-pressed', 'false');
  await expect(level(page, 4, 'B')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('.au-row.chosen')).toHaveAttribute('data-au', '5');
  await expect(page.getByRole('img', { name: `Sampled frames: ${n - 3} unlabelled, 1 partly labelled, 2 labelled. Click to seek.` })).toBeVisible();
  await expect(progress).toHaveText(`2 of ${n} sampled frames labelled (${Math.round(200 / n)} %)`);
  await snap(page, 'label-02-partly-labelled');

  // Undo restores the previous value ("no label"), redo puts it back; both are written through.
  await page.keyboard.press('Control+z');
  await expect(level(page, 4, 'B')).toHaveAttribute('aria-pressed', 'false');
  await expect(page.locator('.au-row.chosen')).toHaveAttribute('data-au', '4');
  await expect(page.getByRole('status').filter({ hasText: 'Undo: AU04 on frame' })).toHaveText(`Undo: AU04 on frame ${s2} is unlabelled`);
  await page.keyboard.press('Control+Shift+z');
  await expect(level(page, 4, 'B')).toHaveAttribute('aria-pressed', 'true');
  // Undo of a change to an existing value restores that value, not "no label".
  await page.keyboard.press('4'); // AU04 B → D
  await expect(level(page, 4, 'D')).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Control+z');
  await expect(level(page, 4, 'B')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByText('All changes saved')).toBeVisible();

  // Shortcuts are off while typing in a field.
  const goTo = page.getByRole('spinbutton', { name: 'Go to frame' });
  await goTo.click();
  await page.keyboard.press('5');
  await page.keyboard.press('n');
  await expect(frameReadout(page)).toHaveText(String(s2));
  await expect(level(page, 4, 'E')).toHaveAttribute('aria-pressed', 'false');
  await goTo.fill('');
  await page.keyboard.press('Escape');
  await goTo.blur();

  // Shift+N: the next sampled frame that is not fully labelled (wrapping past the end).
  await page.keyboard.press('Shift+N');
  await expect(frameReadout(page)).toHaveText(String(fx.sampled[3]));
  await page.keyboard.press('p');
  await expect(frameReadout(page)).toHaveText(String(s2));

  // Frame steps: ←/→ by one, Ctrl+←/→ by ten.
  await page.keyboard.press('ArrowRight');
  await expect(frameReadout(page)).toHaveText(String(s2 + 1));
  await page.keyboard.press('Control+ArrowLeft');
  await expect(frameReadout(page)).toHaveText(String(s2 + 1 - 10));
  await page.keyboard.press('Control+ArrowRight');
  await page.keyboard.press('ArrowLeft');
  await expect(frameReadout(page)).toHaveText(String(s2));
  await expect(page.locator('.badge.sampled')).toHaveText(`Sampled 3 of ${n}`);

  // The ? overlay lists every shortcut, as a dialog; Esc closes it.
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toBeVisible();
  for (const action of ['Previous / next frame', '10 frames back / forward', 'Play / pause', 'Next / previous sampled frame (wraps around at the ends, and says so)', 'Next unlabelled sampled frame', 'Choose the action unit', 'Undo', 'Redo', 'Show this list']) {
    await expect(dialog.getByRole('cell', { name: action, exact: true })).toBeVisible();
  }
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
  await page.keyboard.press('n'); // swallowed by the dialog
  await snap(page, 'label-03-shortcuts');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(frameReadout(page)).toHaveText(String(s2));

  // Reload: the labels are in the project, not just on screen.
  await expect(page.getByText('All changes saved')).toBeVisible();
  await page.reload();
  await expect(progress).toHaveText(`2 of ${n} sampled frames labelled (${Math.round(200 / n)} %)`);
  await expect(frameReadout(page)).toHaveText(String(s2));
  await expect(level(page, 1, 'C')).toHaveAttribute('aria-pressed', 'true');
  await expect(level(page, 4, 'B')).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('p');
  await page.keyboard.press('p');
  await expect(frameReadout(page)).toHaveText(String(s0));
  for (const [i, au] of DISFA.entries()) await expect(level(page, au, LEVELS[first[i]!]!)).toHaveAttribute('aria-pressed', 'true');
  await snap(page, 'label-04-after-reload');

  // Another coder has their own labels (and progress); the machine remembers who codes.
  const changeCoder = async (name: string) => {
    await page.getByRole('button', { name: /^Coder: .*Change the coder$/ }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Change the coder' });
    await dialog.getByLabel('Coder name').fill(name);
    await dialog.getByRole('button', { name: 'Change coder' }).click();
    await expect(dialog).toBeHidden();
  };
  await changeCoder('second coder');
  await expect(progress).toHaveText(`0 of ${n} sampled frames labelled (0 %)`);
  await expect(level(page, 1, '0')).toHaveAttribute('aria-pressed', 'false');
  await changeCoder('annotator');
  await expect(progress).toHaveText(`2 of ${n} sampled frames labelled (${Math.round(200 / n)} %)`);

  // Click-to-set, and clicking the pressed level clears it.
  await level(page, 26, 'A').click();
  await expect(level(page, 26, 'A')).toHaveAttribute('aria-pressed', 'true');
  await level(page, 26, 'A').click();
  await expect(level(page, 26, 'A')).toHaveAttribute('aria-pressed', 'false');
  await expect(progress).toHaveText(`1 of ${n} sampled frames labelled (${Math.round(100 / n)} %)`);
  await page.keyboard.press('Control+z');
  await expect(level(page, 26, 'A')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByText('All changes saved')).toBeVisible();

  await shell.stop();
  shell = null;
  const stored = readLabels(fx.project, fx.videoId);
  const at = (f: number, au: number) => stored.find((l) => l.frame === f && l.au === au && l.annotator === 'annotator')?.intensity;
  expect(DISFA.map((au) => at(s0, au))).toEqual(first.map((d, i) => (DISFA[i] === 26 ? 1 : d)));
  expect(DISFA.map((au) => at(s1, au))).toEqual(DISFA.map(() => 0));
  expect(at(s2, 1)).toBe(3);
  expect(at(s2, 4)).toBe(2);
  expect(at(s2, 2)).toBeUndefined();
});

test('timeline: waveform, sampled markers, click to seek, zoom; playback with Space', async ({ browser }) => {
  shell = await openProject(browser, fx, `#/label/${fx.videoId}?frame=0`);
  const { page } = shell;
  const timeline = page.getByRole('slider', { name: /Timeline/ });
  await expect(timeline).toHaveAttribute('aria-valuenow', '0');
  // wavesurfer renders its canvases in a shadow root; Playwright's CSS pierces it.
  await expect(page.locator('.wave canvas').first()).toBeVisible();
  await expect(page.getByRole('img', { name: 'Time ruler' })).toBeVisible();

  // A click on the samples strip snaps to the nearest sampled frame marker.
  const strip = page.locator('canvas.strip');
  const box = (await strip.boundingBox())!;
  const target = fx.sampled[Math.floor(fx.sampled.length / 2)]!;
  await strip.click({ position: { x: ((target + 0.5) / fx.frameCount) * box.width + 3, y: box.height / 2 } });
  await expect(frameReadout(page)).toHaveText(String(target));
  await expect(timeline).toHaveAttribute('aria-valuenow', String(target));

  // A click on the waveform seeks to that time.
  const wave = page.locator('.wave');
  const wbox = (await wave.boundingBox())!;
  await wave.click({ position: { x: wbox.width * 0.25, y: 20 } });
  await expect.poll(async () => Number(await frameReadout(page).textContent())).toBeGreaterThanOrEqual(Math.floor(fx.frameCount * 0.25) - 2);
  await expect.poll(async () => Number(await frameReadout(page).textContent())).toBeLessThanOrEqual(Math.ceil(fx.frameCount * 0.25) + 2);

  // Zoom in with the buttons, and with Ctrl+wheel; Fit goes back.
  const zoomIn = page.getByRole('button', { name: 'Zoom in' });
  const fit = page.getByRole('button', { name: 'Zoom to fit the whole video' });
  await expect(fit).toBeDisabled();
  await zoomIn.click();
  await zoomIn.click();
  await expect(fit).toBeEnabled();
  await expect(page.locator('.zoom-tools .muted')).not.toHaveText(/^0:04\.00 visible$/);
  await snap(page, 'label-05-zoomed');
  await fit.click();
  await expect(fit).toBeDisabled();
  await wave.hover();
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -400);
  await page.keyboard.up('Control');
  await expect(fit).toBeEnabled();
  await fit.click();

  // Space is the play key even when a button has focus (it must not press the button).
  const landmarks = page.getByRole('button', { name: 'Landmarks' });
  await landmarks.focus();
  await expect(landmarks).toHaveAttribute('aria-pressed', 'true');

  // Space plays the video (the <video> shows) and pauses it on an exact frame (the still shows).
  await page.keyboard.press('Home'); // not a shortcut: nothing happens
  const before = Number(await frameReadout(page).textContent());
  await page.keyboard.press('Space');
  const pause = page.getByRole('button', { name: 'Pause (Space)' });
  const error = page.getByRole('alert').filter({ hasText: 'cannot play' });
  await expect(pause.or(error)).toBeVisible();
  if (await pause.isVisible()) {
    await expect(page.locator('video.stage-media')).not.toHaveClass(/hidden/);
    await expect.poll(async () => Number(await frameReadout(page).textContent()), { timeout: 10_000 }).toBeGreaterThan(before);
    await snap(page, 'label-06-playing');
    await page.keyboard.press('Space');
    await expect(page.getByRole('button', { name: 'Play (Space)' })).toBeVisible();
    const stopped = Number(await frameReadout(page).textContent());
    await expect(page.locator('.stage img')).toHaveAttribute('alt', `Frame ${stopped}`);
    await expect(timeline).toHaveAttribute('aria-valuenow', String(stopped));
    await expect(landmarks).toHaveAttribute('aria-pressed', 'true');
  } else {
    test.info().annotations.push({ type: 'playback', description: 'this Chromium cannot play the H.264 fixture' });
  }

  // Another video, without audio: a flat track, and its own sampled frames.
  await page.getByRole('combobox', { name: 'Video' }).selectOption({ label: 'face-silent.mp4' });
  await expect(page).toHaveURL(new RegExp(`#/label/${fx.silentVideoId}`));
  await expect(page.locator('.track-head').first()).toHaveText('No audio');
  await expect(page.locator('.wave canvas').first()).toBeVisible();
  await expect(page.getByTestId('label-progress')).toHaveText(/^0 of \d+ sampled frames labelled \(0 %\)$/);
  await expect(page.locator('.badge.sampled')).toHaveText(/^Sampled 1 of/);
  await snap(page, 'label-08-no-audio');
});

test('a label that cannot be saved stays on screen marked not saved, with the reason on its AU', async ({ browser }) => {
  const opened = await openProject(browser, fx, `#/label/${fx.videoId}?frame=${fx.sampled[4]}`);
  shell = opened;
  const { page } = opened;
  const progress = page.getByTestId('label-progress');
  await expect(progress).toHaveText(/sampled frames labelled/);
  await expect(page.locator('.au-row.chosen')).toHaveAttribute('data-au', '1');
  await expect(page.locator('.stage img')).toHaveAttribute('alt', `Frame ${fx.sampled[4]}`);
  // The backend goes away; the keypress shows at once and stays, marked as not saved.
  await opened.killServer();
  await page.keyboard.press('4');
  await expect(page.getByRole('alert').filter({ hasText: `AU01 on frame ${fx.sampled[4]} is not saved` }).first()).toContainText('Lost contact with the AU Workbench server');
  await expect(level(page, 1, 'D')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('.au-row[data-au="1"]')).toHaveAttribute('data-unsaved', 'true');
  await expect(page.locator('.au-row[data-au="1"] .au-unsaved')).toContainText('Not saved: Lost contact');
  await expect(page.getByRole('status').filter({ hasText: '1 change not saved' })).toBeVisible();
  await snap(page, 'label-07-save-failed');
});

test('a fast typist: after the last AU the next sampled frame; at the last one, digits stop visibly; N wraps with a message', async ({ browser }) => {
  const own = buildFixture('label-end', 4);
  const s = own.sampled;
  const [last, beforeLast] = [s[s.length - 1]!, s[s.length - 2]!];
  shell = await openProject(browser, own, `#/label/${own.videoId}?frame=${beforeLast}`);
  const { page } = shell;
  await expect(frameReadout(page)).toHaveText(String(beforeLast));
  await expect(page.locator('.au-row.chosen')).toHaveAttribute('data-au', '1');
  // 12 digits, 12 more, then 4 too many, typed as fast as the keyboard sends them.
  const a = [1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0];
  const b = [5, 4, 3, 2, 1, 0, 5, 4, 3, 2, 1, 0];
  await page.keyboard.type([...a, ...b, 3, 3, 3, 3].join(''));
  await expect(frameReadout(page)).toHaveText(String(last));
  const notice = page.getByTestId('queue-end');
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('Last sampled frame, last AU: digits stop here');
  await expect(page.locator('.au-row.chosen')).toHaveAttribute('data-au', '26');
  for (const [i, au] of DISFA.entries()) await expect(level(page, au, LEVELS[b[i]!]!)).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByText('All changes saved')).toBeVisible();
  await snap(page, 'label-09-last-frame-stop');

  // N at the last sampled frame wraps to the first, and says so.
  await page.keyboard.press('n');
  await expect(frameReadout(page)).toHaveText(String(s[0]));
  await expect(page.getByText(`That was the last sampled frame: back to the first one (frame ${s[0]}).`).first()).toBeVisible();
  await expect(notice).toBeHidden();
  // P at the first wraps to the last.
  await page.keyboard.press('p');
  await expect(frameReadout(page)).toHaveText(String(last));

  await shell.stop();
  shell = null;
  const stored = readLabels(own.project, own.videoId);
  const at = (f: number) => DISFA.map((au) => stored.find((l) => l.frame === f && l.au === au)?.intensity);
  expect(at(beforeLast)).toEqual(a);
  expect(at(last)).toEqual(b); // the four extra 3s overwrote nothing
  expect(stored.filter((l) => l.frame !== beforeLast && l.frame !== last)).toEqual([]);
});
