/**
 * The CLI for coders, agreement, OpenFace and export: each command on the same API methods as
 * the UI (runCodingCli over the real handlers), and the real `auw` entry (run from source with
 * tsx) for --help and for a refused command's exit code.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCodingCli } from '../../../src/main/cli-coding';
import { openFaceCsv } from '../../../src/main/services/export/openface';
import { insertModel } from '../../../src/main/services/store/models';
import { putPredictions } from '../../../src/main/services/store/predictions';
import { setVideoStatus } from '../../../src/main/services/store/videos';
import { makeApp, type TestApp } from '../../helpers/app';
import { addFrames, addVideo } from '../../helpers/project';
import { tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-cli-coding-');
let t: TestApp | null = null;
afterEach(async () => {
  await t?.app.workbench.close();
  t = null;
  tmp.cleanup();
});

const AUS = [1, 12];

async function project(root: string, frames = 40) {
  const a = await makeApp(root, AUS);
  const db = a.app.workbench.requireProject().db;
  const ids = [0, 1].map((k) => {
    const id = addVideo(db, { frameCount: frames, path: path.join(root, `clip${k}.mp4`) });
    addFrames(db, id, frames);
    setVideoStatus(db, id, 'ready');
    return id;
  });
  await a.call('samples/create', { percent: 25, seed: 2 });
  return { a, ids };
}

function run(a: TestApp, ...argv: string[]): Promise<string[]> {
  const out: string[] = [];
  return runCodingCli(argv, { call: a.call, out: (l) => out.push(...l.split('\n')) }).then(() => out);
}

describe('names with control characters (issue 24 §12)', () => {
  it('refuses them in `auw coder` and the API, and never prints a stored one raw', async () => {
    const root = tmp.make();
    const { a, ids } = await project(root);
    t = a;
    for (const [name, cp] of [
      ['red\x1b[31m', 'U+001B'],
      ['title\x1b]0;pwned\x07', 'U+001B'],
      ['nul\0', 'U+0000'],
      ['two\nlines', 'U+000A'],
      ['cr\rover', 'U+000D'],
      ['evil\u202Etxt', 'U+202E'],
    ]) {
      await expect(run(a, 'coder', name!)).rejects.toThrow(new RegExp(`control character \\(${cp!.replace('+', '\\+')}\\)`));
      expect((await a.fails('labels/set', { videoId: ids[0]!, frame: 0, au: 1, intensity: 2, annotator: name! })).code).toBe('invalid_argument');
    }
    expect(await run(a, 'coder', 'José Núñez')).toEqual(['Coder on this machine: José Núñez']);
    // A coder stored before this check (settings of an older version) counts as unset: asked again.
    a.app.workbench.settings.setCoder('old\x1b[2J\u202Ename\x07');
    expect((await run(a, 'coder'))[0]).toMatch(/No coder set on this machine yet/);
    // Other stored text (a subject written before the check) is printed escaped, never raw.
    a.app.workbench.requireProject().db.prepare('UPDATE videos SET subject = ?').run('old\x1b[2J\u202Ename\x07');
    const [line] = await run(a, 'neutral', a.dir);
    expect(line).toBe(`old\\x1b[2J\\u202ename\\x07: reference video median — videos ${ids[0]}, ${ids[1]}`);
    expect([...line!].filter((c) => c.charCodeAt(0) < 0x20 || c === '\u202e')).toEqual([]);
  });
});

describe('auw coder, double-code, agreement, training-rule', () => {
  it('walks a second coder through the share and reports agreement in the terminal', async () => {
    const root = tmp.make();
    const { a, ids } = await project(root);
    t = a;
    expect((await run(a, 'coder'))[0]).toMatch(/No coder set on this machine yet/);
    expect(await run(a, 'coder', 'alice')).toEqual(['Coder on this machine: alice']);

    const shared = await run(a, 'double-code', a.dir, '--percent', '50', '--seed', '9');
    expect(shared).toEqual([`video ${ids[0]}: 5 of 10 sampled frames set aside for a second coder (50 %, seed 9)`, `video ${ids[1]}: 5 of 10 sampled frames set aside for a second coder (50 %, seed 9)`]);

    await expect(run(a, 'agreement', a.dir)).rejects.toThrow(/Agreement needs labels from two coders, but nobody has labelled this project yet/);
    const [share] = await a.call('doubleCoding/list', { videoId: ids[0] });
    for (const [i, frame] of share!.frames.entries()) {
      await a.call('labels/set', { videoId: ids[0]!, frame, au: 12, intensity: i % 6, annotator: 'alice' });
      await a.call('labels/set', { videoId: ids[0]!, frame, au: 12, intensity: i === 2 ? 4 : i % 6, annotator: 'bob' });
    }
    await expect(run(a, 'agreement', a.dir, '--coders', 'alice')).rejects.toThrow(/--coders names two coders/);
    const report = (await run(a, 'agreement', a.dir, '--coders', 'alice,bob')).join('\n');
    expect(report).toMatch(/^Agreement of alice and bob over 5 frames both labelled \(every video\)/);
    expect(report).toMatch(/\n {2}AU12 {3}5\* {5}0\.\d{3} +0\.\d{3} +0\.400 +0\.\d{3} +(\[-?\d\.\d{3}, -?\d\.\d{3}\]|–) +(\[-?\d\.\d{3}, -?\d\.\d{3}\]|–) +\d+ % +(-?\d\.\d{3}|–)\n/);
    expect(report).toContain('occurrence: present at A (1) or above');
    expect(report).toContain('  * Fewer than 20 frames in common for 1 of 1 AU: their ICC and κ are unstable');
    expect(report).toContain(`frame ${share!.frames[2]}  AU12  alice B (2)  bob D (4)  |Δ| 2`);
    expect(report).toMatch(/Training takes: mean of every coder/);

    expect(await run(a, 'training-rule', a.dir, 'first', 'bob')).toEqual(["Training takes: bob first (the other coders' mean where bob gave none). Models finetuned from now on record it."]);
    expect((await run(a, 'training-rule', a.dir))[0]).toMatch(/^Training takes: bob first/);
    await expect(run(a, 'training-rule', a.dir, 'first', 'zed')).rejects.toThrow(/"zed" has no labels/);
    await expect(run(a, 'training-rule', a.dir, 'median')).rejects.toThrow(/Use `auw training-rule <project> mean`/);
  });
});

describe('auw import-openface, openface, export', () => {
  it('imports a track, scores it beside a model, refuses another video’s CSV, and exports chosen videos into a folder', async () => {
    const root = tmp.make();
    const { a, ids } = await project(root);
    t = a;
    const db = a.app.workbench.requireProject().db;
    const modelId = insertModel(db, { stage: 'finetune', parentId: null, name: 'ft', checkpoint: 'models/ft', params: {}, metrics: null, backend: 'wasm' });
    for (const id of ids) putPredictions(db, modelId, id, AUS, 40, new Float32Array(80).fill(1.5));
    const values = { 1: Array.from({ length: 40 }, (_, f) => (f % 5) * 0.9), 12: Array.from({ length: 40 }, () => 2) };
    const csv = path.join(root, 'openface.csv');
    fs.writeFileSync(csv, openFaceCsv({ modelId: 0, videoId: 0, aus: AUS, frameCount: 40, values }, 25, { face: new Uint8Array(40).fill(1), score: new Float32Array(40).fill(1) }));
    for (const f of [0, 1, 2, 3]) await a.call('labels/set', { videoId: ids[0]!, frame: f, au: 1, intensity: f, annotator: 'alice' });

    const imported = await run(a, 'import-openface', a.dir, csv, '--video', String(ids[0]), '--model', String(modelId));
    expect(imported[0]).toBe(`Imported the OpenFace track of video ${ids[0]}: 40 frames at 25.00 fps, a face on 40, AU01, AU12.`);
    expect(imported.join('\n')).toMatch(/OpenFace on your labels \(clip0\.mp4\) \(4 frames\)[\s\S]*model on the same frames \(clip0\.mp4\) \(4 frames\)/);
    await expect(run(a, 'import-openface', a.dir, csv, '--video', String(ids[0]))).rejects.toThrow(/already has an OpenFace track.*replace/);
    expect((await run(a, 'import-openface', a.dir, csv, '--video', String(ids[0]), '--replace'))[0]).toMatch(/^Replaced the OpenFace track/);
    await expect(run(a, 'import-openface', a.dir, csv)).rejects.toThrow(/needs --video ID/);

    const short = path.join(root, 'short.csv');
    fs.writeFileSync(short, openFaceCsv({ modelId: 0, videoId: 0, aus: AUS, frameCount: 30, values }, 25, { face: new Uint8Array(30).fill(1), score: new Float32Array(30) }));
    await expect(run(a, 'import-openface', a.dir, short, '--video', String(ids[1]))).rejects.toThrow(/has 30 frames, but clip1\.mp4 has 40/);
    const listed = await run(a, 'openface', a.dir);
    expect(listed.slice(0, 2)).toEqual(['video\tframes\tfps\tfaces\tAUs\tsource', `${ids[0]}\t40\t25.00\t40\tAU01,AU12\t${csv}`]);

    const outDir = path.join(root, 'delivered');
    const exported = await run(a, 'export', a.dir, '--model', String(modelId), '--video', String(ids[1]), '--out', outDir);
    expect(fs.readdirSync(outDir).sort()).toEqual(['clip1.csv', 'labels.csv', 'model.json']);
    expect(fs.readFileSync(path.join(outDir, 'clip1.csv'), 'utf8').split('\n')[0]).toBe('frame, face_id, timestamp, confidence, success, AU01_r, AU12_r');
    expect(exported.at(-1)).toMatch(/^Exported 1 video\(s\) of model \d+ into .*delivered/);
    // Files already there are not replaced unasked; --force replaces them.
    const before = fs.readFileSync(path.join(outDir, 'model.json'), 'utf8');
    await expect(run(a, 'export', a.dir, '--model', String(modelId), '--video', String(ids[1]), '--out', outDir)).rejects.toThrow(/already exists/);
    expect(fs.readFileSync(path.join(outDir, 'model.json'), 'utf8')).toBe(before);
    await run(a, 'export', a.dir, '--model', String(modelId), '--out', outDir, '--force');
    expect(fs.readdirSync(outDir).sort()).toEqual(['clip0.csv', 'clip1.csv', 'labels.csv', 'model.json']);
    await expect(run(a, 'export', a.dir, '--model', String(modelId), '--video', '99', '--out', outDir)).rejects.toThrow(/Video 99 is not in this project or not ready/);
    await expect(run(a, 'export', a.dir, '--model', String(modelId))).rejects.toThrow(/needs --out DIR/);
  });
});

describe('auw neutral', () => {
  it('marks, lists and clears a person\'s neutral frames on the same API methods, refusing bad input unchanged', async () => {
    const root = tmp.make();
    const { a, ids } = await project(root);
    t = a;
    const db = a.app.workbench.requireProject().db;
    db.prepare("UPDATE videos SET subject = 'anna'").run();
    expect(await run(a, 'neutral', a.dir)).toEqual([`anna: reference video median — videos ${ids[0]}, ${ids[1]}`]);
    await expect(run(a, 'neutral', a.dir, 'mark', '--video', String(ids[0]), '--frames', '3-9')).rejects.toThrow(/--coder NAME, or set this machine's coder/);
    const marked = await run(a, 'neutral', a.dir, 'mark', '--video', String(ids[0]), '--frames', '3-9', '--coder', 'alice');
    expect(marked[0]).toBe(`anna: reference neutral (7 frames) — videos ${ids[0]}, ${ids[1]}`);
    expect(marked[1]).toMatch(new RegExp(`^  mark \\d+: video ${ids[0]} \\(clip0\\.mp4\\) frames 3–9, 7 with a face, by alice$`));
    await run(a, 'coder', 'bob');
    expect((await run(a, 'neutral', a.dir, 'mark', '--video', String(ids[1]), '--frames', '0'))[0]).toMatch(/neutral \(8 frames\)/);
    // Bad input: said clearly, nothing written.
    await expect(run(a, 'neutral', a.dir, 'mark', '--video', String(ids[1]), '--frames', '9-3')).rejects.toThrow(/first frame must not come after the last/);
    await expect(run(a, 'neutral', a.dir, 'mark', '--video', String(ids[1]), '--frames', '30-40')).rejects.toThrow(/frames 0–39; frame 40 is outside it/);
    await expect(run(a, 'neutral', a.dir, 'mark', '--video', String(ids[1]), '--frames', 'x')).rejects.toThrow(/--frames is a frame \(12\) or a segment/);
    await expect(run(a, 'neutral', a.dir, 'clear')).rejects.toThrow(/needs --video ID .* or --mark ID/);
    expect((db.prepare('SELECT count(*) AS n FROM neutral_marks').get() as { n: number }).n).toBe(2);
    const id = /mark (\d+)/.exec(marked[1]!)![1]!;
    expect((await run(a, 'neutral', a.dir, 'clear', '--mark', id))[0]).toMatch(/neutral \(1 frame\)/);
    expect((await run(a, 'neutral', a.dir, 'clear', '--video', String(ids[0])))[0]).toMatch(/reference video median/);
  });
});

describe('the auw entry point', () => {
  const auw = (root: string, ...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/main/cli.ts', ...args], { encoding: 'utf8', env: { ...process.env, AUW_SETTINGS_DIR: path.join(root, 'settings') } });

  it('lists the commands in --help', () => {
    const r = auw(tmp.make(), '--help');
    expect(r.status).toBe(0);
    for (const c of ['auw export ', 'auw agreement ', 'auw import-openface ', 'auw double-code ', 'auw training-rule ', 'auw coder ', 'auw neutral ', 'auw finetune ']) expect(r.stdout).toContain(c);
  });

  it('exits 1 with the reason when agreement has fewer than two coders', async () => {
    const root = tmp.make();
    const { a, ids } = await project(root);
    await a.call('labels/set', { videoId: ids[0]!, frame: 0, au: 1, intensity: 2, annotator: 'alice' });
    await a.app.workbench.close(); // the CLI takes the project's lock
    const r = auw(root, 'agreement', a.dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Error: Agreement needs labels from two coders, but only alice has labelled this project\./);
  });
});
