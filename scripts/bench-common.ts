// Shared pieces of the learning benchmarks (bench-learn, bench-objectives): the demo project
// imported once, the subject-independent split, ground-truth labels at a given share, test
// metrics against ground truth, and the machine line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compose } from '../src/main/compose';
import { dispatch } from '../src/main/api/dispatch';
import type { MethodName, Params, Result } from '../src/shared/contract';
import type { MetricsTable, ModelRow } from '../src/shared/types';
import { chooseFrames } from '../src/main/services/store/samples';
import { faceMask } from '../src/main/services/store/frames';
import { contentHash } from '../src/main/services/media/probe';
import { groundTruthFileFor, readGroundTruth, type GroundTruth } from '../src/main/services/learn/backend/groundTruth';
import { MetricsAccumulator } from '../src/main/services/learn/metrics';
import { readPredictionArray } from '../src/main/services/store/predictions';
import { splitBySubject } from '../src/main/services/learn/backend/trainingData';
import { initBackend } from '../src/main/services/learn/worker/tfjs';
import { personOf } from '../src/shared/people';
import { foldPeople } from '../src/main/services/learn/backend/jobs';

export async function openBench(opts: { demoDir: string; work: string; name: string; seed: number; fresh?: boolean; log: (s: string) => void }) {
  const { demoDir, work, seed, log } = opts;
  if (!fs.existsSync(path.join(demoDir, 'manifest.json'))) throw new Error(`No demo data in ${demoDir}: run \`npx tsx scripts/demo-data.ts\` first.`);
  const manifest = JSON.parse(fs.readFileSync(path.join(demoDir, 'manifest.json'), 'utf8')) as { videos: { file: string; subjectId: string }[] };
  const root = path.resolve(import.meta.dirname, '..');
  const app = compose({ shell: 'cli', roots: [path.parse(root).root], settingsDir: path.join(work, 'settings'), demoDir: null });
  async function call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    const r = await dispatch(app.handlers, method, params);
    if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
    return r.result as Result<M>;
  }
  async function waitJob(jobId: number): Promise<void> {
    await app.workbench.requireJobs().idle();
    const job = (await call('jobs/list', { limit: 500 })).find((j) => j.id === jobId)!;
    if (job.state !== 'done') throw new Error(`job ${job.id} (${job.kind}) ${job.state}: ${job.error ?? ''}`);
  }
  const projectDir = path.join(work, 'project');
  if (opts.fresh) fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  if (fs.existsSync(path.join(projectDir, 'project.sqlite'))) {
    await call('projects/open', { dir: projectDir });
    for (const v of await call('videos/list', {})) {
      if (!fs.existsSync(v.path) || (await contentHash(v.path)) !== v.contentHash) {
        log(`${v.name} changed since it was imported: re-importing everything`);
        await app.workbench.close();
        fs.rmSync(projectDir, { recursive: true, force: true });
        break;
      }
    }
  }
  if (!app.workbench.project) await call('projects/create', { dir: projectDir, name: opts.name, auSet: { preset: 'disfa' } });
  {
    const have = new Set((await call('videos/list', {})).filter((v) => v.status === 'ready').map((v) => v.name));
    const missing = manifest.videos.filter((v) => !have.has(v.file));
    if (missing.length) {
      log(`importing ${missing.length} demo videos (face detection + alignment)…`);
      const t0 = performance.now();
      for (const v of missing) {
        const [job] = await call('videos/import', { paths: [path.join(demoDir, v.file)], subject: v.subjectId });
        await waitJob(job!.id);
      }
      log(`imported in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
  }
  const project = app.workbench.requireProject();
  const db = project.db;
  const videos = (await call('videos/list', {})).filter((v) => v.status === 'ready');
  const aus = project.auSet().aus;

  // Subject-independent split: test subjects never labelled nor pretrained on.
  const outer = splitBySubject(videos, 1 / 3, seed);
  const testIds = outer.val;
  const trainval = videos.filter((v) => !testIds.includes(v.id));
  const inner = splitBySubject(trainval, 1 / Math.max(2, new Set(trainval.map((v) => v.subject)).size), seed);
  const valFraction = inner.val.length ? new Set(trainval.filter((v) => inner.val.includes(v.id)).map((v) => v.subject)).size / new Set(trainval.map((v) => v.subject)).size : 0;
  const subj = (ids: number[]) => [...new Set(videos.filter((v) => ids.includes(v.id)).map((v) => v.subject))].join(', ');
  const splitText = `train ${subj(inner.train)}; validation ${subj(inner.val)}; test ${subj(testIds)}`;

  const groundTruth = new Map<number, GroundTruth>();
  for (const v of videos) {
    const f = groundTruthFileFor(v.path);
    if (!f) throw new Error(`${v.name} has no ground truth next to it`);
    groundTruth.set(v.id, readGroundTruth(f));
  }

  /**
   * Replaces every label with ground truth on `pct` % of the face frames of `on` (default: the
   * trainval videos), drawn with `drawSeed` (a smaller share is a prefix of a larger one's
   * draw); returns the labelled frame count.
   */
  function setLabels(pct: number, on: readonly typeof videos[number][] = trainval, drawSeed = seed): number {
    db.prepare('DELETE FROM labels').run();
    const insert = db.prepare("INSERT INTO labels (video_id, frame_idx, au, annotator, intensity, updated_at) VALUES (?, ?, ?, 'ground-truth', ?, ?)");
    let frames = 0;
    const now = new Date().toISOString();
    db.transaction(() => {
      for (const v of on) {
        const face = faceMask(db, v.id, v.frameCount);
        const eligible = Array.from({ length: v.frameCount }, (_, i) => i).filter((i) => face[i]);
        const chosen = pct >= 100 ? eligible : chooseFrames(eligible, pct, 'random', drawSeed * 1000 + v.id);
        const gt = groundTruth.get(v.id)!;
        for (const f of chosen) {
          for (const au of aus) {
            const y = gt.values.get(au)?.[f];
            if (y !== undefined && Number.isFinite(y)) insert.run(v.id, f, au, Math.round(y), now);
          }
          frames++;
        }
      }
    })();
    return frames;
  }

  /** The ground-truth intensity of an AU at a frame (undefined where the video has none). */
  function groundTruthOf(videoId: number, au: number, frame: number): number | undefined {
    return groundTruth.get(videoId)?.values.get(au)?.[frame];
  }

  /** ICC / MAE against ground truth on every face frame of the test videos (default: the split's); `predict` gives one value per AU, or null to skip the frame. */
  function testMetrics(predict: (videoId: number, frame: number) => ArrayLike<number> | null, ids: readonly number[] = testIds): MetricsTable {
    const acc = new MetricsAccumulator(aus);
    for (const id of ids) {
      const gt = groundTruth.get(id)!;
      const v = videos.find((x) => x.id === id)!;
      for (let f = 0; f < Math.min(v.frameCount, gt.frameCount); f++) {
        const p = predict(id, f);
        if (!p) continue;
        aus.forEach((au, a) => acc.add(au, gt.values.get(au)?.[f] ?? NaN, p[a]!, `${id}:${f}`));
      }
    }
    return acc.table('ground truth, every face frame of the test subjects');
  }

  /** testMetrics of a model's stored predictions. */
  function modelTestMetrics(model: ModelRow, ids: readonly number[] = testIds): MetricsTable {
    const cache = new Map<number, ReturnType<typeof readPredictionArray>>();
    return testMetrics((videoId, f) => {
      if (!cache.has(videoId)) cache.set(videoId, readPredictionArray(db, model.id, videoId));
      const p = cache.get(videoId);
      if (!p) return null;
      const out = aus.map((au) => p.data[p.aus.indexOf(au) * p.frameCount + f]!);
      return out.some((x) => Number.isNaN(x)) ? null : out;
    }, ids);
  }

  /**
   * k folds of people by a seeded shuffle: fold i's people are tested while the others train,
   * so over the k splits every person is a test subject once.
   */
  function subjectFolds(k: number, foldSeed: number): { test: typeof videos; train: typeof videos; testSubjects: string[] }[] {
    return foldPeople([...new Set(videos.map(personOf))], k, foldSeed).map((testSubjects) => {
      const isTest = (v: (typeof videos)[number]) => testSubjects.includes(personOf(v));
      return { test: videos.filter(isTest), train: videos.filter((v) => !isTest(v)), testSubjects };
    });
  }

  async function modelByName(name: string): Promise<ModelRow> {
    return (await call('models/list', {})).find((m) => m.name === name)!;
  }

  const subjects = [...new Set(videos.map((v) => v.subject ?? `video${v.id}`))].sort();
  return { app, call, waitJob, project, db, videos, subjects, aus, testIds, trainval, inner, valFraction, splitText, subjectsOf: subj, setLabels, groundTruthOf, testMetrics, modelTestMetrics, modelByName, subjectFolds };
}

/** "wasm (2 threads, SIMD) on <cpu> × n, <os>". */
export async function machineLine(): Promise<string> {
  const backend = await initBackend();
  const cpu = os.cpus();
  return `${backend.kind}${backend.threads ? ` (${backend.threads} threads${backend.simd ? ', SIMD' : ''})` : ''} on ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, ${os.platform()} ${os.release()}, Node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)}`;
}
