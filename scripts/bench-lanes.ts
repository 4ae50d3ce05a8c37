// npm run bench:lanes — the Review lanes at 12 AUs × 90,000 frames (an hour at 25 fps) in
// Chromium: the hand-drawn canvas lanes (src/renderer/src/views/Review/laneDraw.ts) against uPlot
// (one instance per lane), on the same data, interleaved. Prints a table; not a test.
//   npm run bench:lanes [-- --reps N --screenshot DIR]   (default 7; DIR: a PNG of each variant's lanes)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { build } from 'vite';

const root = path.resolve(import.meta.dirname, '..');
const repsAt = process.argv.indexOf('--reps');
const reps = repsAt > 0 ? Number(process.argv[repsAt + 1]) : 7;
if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps must be a whole number ≥ 1');
const shotAt = process.argv.indexOf('--screenshot');
const shotDir = shotAt > 0 ? process.argv[shotAt + 1] : undefined;
const chromiumPath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main() {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'auw-bench-lanes-'));
  await build({
    configFile: false,
    logLevel: 'warn',
    build: { outDir: out, emptyOutDir: false, minify: true, lib: { entry: path.join(root, 'scripts/bench-lanes/page.ts'), formats: ['iife'], name: 'benchLanesPage', fileName: () => 'page.js' } },
  });
  const css = fs.readFileSync(path.join(root, 'node_modules/uplot/dist/uPlot.min.css'), 'utf8');
  fs.writeFileSync(path.join(out, 'index.html'), `<!doctype html><meta charset="utf-8"><style>${css} body{margin:0;background:#111}</style><div id="root"></div><script src="page.js"></script>`);

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const browser = await chromium.launch({ ...(chromiumPath ? { executablePath: chromiumPath } : {}), args: [...(isRoot ? ['--no-sandbox'] : []), '--enable-precise-memory-info'] });
  const rows: Record<string, Record<string, number[]>> = { canvas: {}, uplot: {}, nolab: {} };
  try {
    for (let r = 0; r < reps; r++) {
      // A fresh page per pass (no heap or cache left by the other variant); the order alternates.
      for (const name of r % 2 ? ['uplot', 'canvas', 'nolab'] : ['canvas', 'uplot', 'nolab']) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
        await page.goto(`file://${path.join(out, 'index.html')}`);
        await page.waitForFunction(() => document.title === 'ready');
        const res = await page.evaluate((n) => (window as unknown as { benchLanes: (n: string) => Promise<Record<string, number>> }).benchLanes(n), name);
        for (const [k, v] of Object.entries(res)) (rows[name]![k] ??= []).push(v);
        await page.close();
      }
    }
    if (shotDir) {
      fs.mkdirSync(shotDir, { recursive: true });
      for (const name of ['canvas', 'uplot']) {
        const page = await browser.newPage({ viewport: { width: 1200, height: 12 * 40 } });
        await page.goto(`file://${path.join(out, 'index.html')}`);
        await page.waitForFunction(() => document.title === 'ready');
        await page.evaluate((n) => (window as unknown as { showLanes: (n: string) => Promise<void> }).showLanes(n), name);
        await page.screenshot({ path: path.join(shotDir, `lanes-${name}.png`) });
        await page.close();
      }
    }
    const version = browser.version();
    const labels = [
      ['canvas', 'canvas min–max (laneDraw.ts, the app’s)'],
      ['uplot', 'uPlot 1.6, one instance per lane'],
      ['nolab', 'canvas, the same without the label dots'],
    ] as const;
    console.log(`\nMachine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} · Chromium ${version} headless, software rendering (no GPU) · 12 lanes of 1200 × 40 px, 90,000 frames each, 2 % labelled · median of ${reps} passes per variant, interleaved, a fresh page each\n`);
    console.log('| lanes | create + first draw ms | zoom in to 10 s ms, first / again | zoom out to the hour ms, first / again | pan a 10-min window ms, first / again | JS heap after, MB |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const [name, label] of labels) {
      const m = (k: string) => median(rows[name]![k]!);
      const both = (k: string) => `${m(`${k}cold`).toFixed(1)} / ${m(`${k}warm`).toFixed(1)}`;
      console.log(`| ${label} | ${m('init').toFixed(1)} | ${both('zoomIn')} | ${both('zoomOut')} | ${both('pan')} | ${m('heapMB').toFixed(0)} |`);
    }
    for (const [name, label] of labels) {
      const js = (k: string) => median(rows[name]![`${k}Js`]!).toFixed(1);
      console.log(`- of which JavaScript, ${label}: create ${js('init')} ms; again: zoom in ${js('zoomInwarm')}, out ${js('zoomOutwarm')}, pan ${js('panwarm')} ms (the rest is raster and compositing; uPlot draws after its call returns)`);
    }
    const ratio = (k: string) => (median(rows.uplot![k]!) / median(rows.canvas![k]!)).toFixed(2);
    console.log(`\nuPlot / canvas: create ${ratio('init')}×; zoom in ${ratio('zoomIncold')}× / ${ratio('zoomInwarm')}×, zoom out ${ratio('zoomOutcold')}× / ${ratio('zoomOutwarm')}×, pan ${ratio('pancold')}× / ${ratio('panwarm')}× (first / again)`);
  } finally {
    await browser.close();
    fs.rmSync(out, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
