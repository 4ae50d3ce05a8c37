/**
 * UI responsiveness benchmark for the labelling and review views on a long video (prints a
 * table; not a test). Build a project with a one-hour video first, e.g.:
 *
 *   ffmpeg -f lavfi -i testsrc2=size=192x144:rate=25 -f lavfi -i sine=f=300 -t 3600 -c:v libx264 -preset ultrafast -c:a aac long.mp4
 *   node out/main/cli.js create /tmp/perf/proj && node out/main/cli.js import /tmp/perf/proj long.mp4 --aligned
 *   node out/main/cli.js sample /tmp/perf/proj --percent 2
 *
 * then: npx tsx test/e2e/bench-label-ui.ts /tmp/perf/proj
 *
 * For each key it reports how long after the keydown the DOM was committed (React render) and
 * when the next frame was drawn (the first requestAnimationFrame after the commit), over many
 * presses; and the longest gap between animation frames while the timeline is panned.
 */
import path from 'node:path';
import { chromium } from '@playwright/test';
import { startServer } from './shell';

const project = path.resolve(process.argv[2] ?? '/tmp/perf/proj');
const root = path.dirname(project);

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `${q(0.5).toFixed(1).padStart(6)} ${q(0.95).toFixed(1).padStart(6)} ${s[s.length - 1]!.toFixed(1).padStart(6)}`;
}

async function main() {
  const { url, child } = await startServer(root, ['--project', project]);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  try {
    // tsx (esbuild keepNames) wraps named functions in __name(); give the page a no-op one.
    await page.addInitScript('window.__name = (f) => f');
    const t0 = Date.now();
    await page.goto(`${url}#/label/1`);
    await page.getByTestId('label-progress').filter({ hasText: /of 1800 sampled/ }).waitFor();
    await page.locator('.wave canvas').first().waitFor();
    const openMs = Date.now() - t0;

    // Instrument: keydown → first DOM mutation (commit) → next animation frame (drawn).
    await page.evaluate(() => {
      const w = window as unknown as { __lat: { key: string; commit: number; frame: number }[] };
      w.__lat = [];
      addEventListener(
        'keydown',
        (e) => {
          const start = performance.now();
          let commit = -1;
          const mo = new MutationObserver(() => {
            if (commit >= 0) return;
            commit = performance.now() - start;
            requestAnimationFrame(() => {
              w.__lat.push({ key: e.key, commit, frame: performance.now() - start });
              mo.disconnect();
            });
          });
          mo.observe(document.querySelector('main')!, { subtree: true, childList: true, attributes: true, characterData: true });
        },
        true,
      );
    });
    const rows: [string, string, number][] = [];
    const run = async (label: string, keys: string[], times: number) => {
      await page.evaluate(() => ((window as unknown as { __lat: unknown[] }).__lat = []));
      for (let i = 0; i < times; i++) for (const k of keys) await page.keyboard.press(k);
      await page.waitForTimeout(300);
      const lat = await page.evaluate(() => (window as unknown as { __lat: { commit: number; frame: number }[] }).__lat);
      rows.push([`${label} commit`, stats(lat.map((l) => l.commit)), lat.length]);
      rows.push([`${label} drawn`, stats(lat.map((l) => l.frame)), lat.length]);
    };
    await run('→ (next frame)', ['ArrowRight'], 100);
    await run('N (next sampled)', ['n'], 60);
    await run('← (back: cached still)', ['ArrowLeft'], 60);
    await run('↓↑ (choose AU)', ['ArrowDown', 'ArrowUp'], 30);
    await page.keyboard.press('ArrowUp');
    await run('digit (set + advance)', ['3', 'ArrowUp'], 60);
    await run('Ctrl+Z (undo)', ['Control+z'], 40);

    // Pan smoothness: wheel over the timeline while counting animation-frame gaps.
    await page.getByRole('button', { name: 'Zoom in' }).click();
    const wave = page.locator('.wave');
    await wave.hover();
    await page.evaluate(() => {
      const w = window as unknown as { __gaps: number[]; __stop: boolean };
      w.__gaps = [];
      w.__stop = false;
      let last = performance.now();
      const tick = () => {
        const now = performance.now();
        w.__gaps.push(now - last);
        last = now;
        if (!w.__stop) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    for (let i = 0; i < 120; i++) await page.mouse.wheel(0, 120);
    const gaps = await page.evaluate(() => {
      const w = window as unknown as { __gaps: number[]; __stop: boolean };
      w.__stop = true;
      return w.__gaps.slice(1);
    });
    rows.push(['timeline pan: frame gap', stats(gaps), gaps.length]);

    // Review: load time of 12 × 90,000 predictions and a lane redraw after zoom.
    const r0 = Date.now();
    await page.evaluate(() => (location.hash = '#/review/1?frame=1000'));
    await page.getByRole('img', { name: /^AU26 .*predicted intensity/ }).waitFor();
    const reviewMs = Date.now() - r0;
    const redraw = await page.evaluate(async () => {
      const btn = [...document.querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === 'Zoom lanes in')!;
      const t = performance.now();
      btn.click();
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      return performance.now() - t;
    });
    await page.evaluate(() => ((window as unknown as { __lat: unknown[] }).__lat = []));
    for (let i = 0; i < 60; i++) await page.keyboard.press('ArrowRight');
    await page.waitForTimeout(300);
    const rl = await page.evaluate(() => (window as unknown as { __lat: { commit: number; frame: number }[] }).__lat);
    rows.push(['review → drawn', stats(rl.map((l) => l.frame)), rl.length]);

    console.log(`\nLong-video UI benchmark (${project})`);
    console.log(`label view ready (1800 sampled frames, wavesurfer drawn): ${openMs} ms`);
    console.log(`review ready (12 AU × 90,000 frames of predictions): ${reviewMs} ms; lane redraw after zoom: ${redraw.toFixed(1)} ms\n`);
    console.log(`${'what'.padEnd(28)} ${'p50'.padStart(6)} ${'p95'.padStart(6)} ${'max'.padStart(6)}  (ms)  n`);
    for (const [what, s, n] of rows) console.log(`${what.padEnd(28)} ${s}        ${n}`);
  } finally {
    await browser.close();
    child.kill('SIGTERM');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
