import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/shared/errors';
import { exportPredictions, modelSummary } from '../../../src/main/services/export/run';
import { openFaceCsv, openFaceHeader } from '../../../src/main/services/export/openface';
import { Project } from '../../../src/main/services/store/project';
import { setVideoStatus } from '../../../src/main/services/store/videos';
import { addFrames, addVideo } from '../../helpers/project';
import { tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs();

/** Reads a CSV the way OpenFace users' scripts do: split on commas, trim the spaces. */
function parse(csv: string): { header: string[]; rows: string[][] } {
  const [head, ...lines] = csv.trim().split('\n');
  return { header: head!.split(',').map((c) => c.trim()), rows: lines.map((l) => l.split(',').map((c) => c.trim())) };
}

describe('modelSummary', () => {
  it('names the model, where it started, its labels and its cross-validated score beside the baseline', () => {
    const line = modelSummary(
      {
        name: 'ft-1',
        id: 7,
        stage: 'finetune',
        parentId: 3,
        params: { labelledFrames: { train: 90, val: 0 } },
        metrics: { crossValidation: { people: 6, folds: 3, network: { mean: { icc: 0.52 } }, baseline: { mean: { icc: 0.38 } } } },
      },
      [{ id: 3, name: 'pre-1' }],
    );
    expect(line).toBe('Predicted by ft-1 (model 7, finetune, finetuned from pre-1, 90 labelled frames); cross-validated over 6 people (3 folds): mean ICC 0.52 vs 0.38 for the HOG + geometry baseline on the same frames.');
  });
});

describe('OpenFace intensity CSV', () => {
  it('has OpenFace column names, 1-based frames, timestamps from fps, and success 0 where no face', () => {
    const track = { modelId: 1, videoId: 1, aus: [1, 12, 25], frameCount: 4, values: { 1: [0.5, 1, null, 2], 12: [5.4, -0.2, null, 3], 25: [0, 0, null, 1.005] } };
    const faces = { face: Uint8Array.from([1, 1, 0, 1]), score: Float32Array.from([0.9, 0.8, 0, 0.7]) };
    const csv = openFaceCsv(track, 25, faces);
    expect(csv.split('\n')[0]).toBe('frame, face_id, timestamp, confidence, success, AU01_r, AU12_r, AU25_r');
    const { header, rows } = parse(csv);
    expect(header).toEqual(['frame', 'face_id', 'timestamp', 'confidence', 'success', 'AU01_r', 'AU12_r', 'AU25_r']);
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r[0])).toEqual(['1', '2', '3', '4']);
    expect(rows[1]![2]).toBe('0.040');
    expect(rows[0]!.slice(5)).toEqual(['0.50', '5.00', '0.00']); // clamped to the FACS range
    expect(rows[1]!.slice(5)).toEqual(['1.00', '0.00', '0.00']);
    expect(rows[2]!.slice(3)).toEqual(['0.00', '0', '0.00', '0.00', '0.00']);
    expect(rows[3]![4]).toBe('1');
  });

  it('builds the header for any AU set', () => {
    expect(openFaceHeader([6, 10])).toBe('frame, face_id, timestamp, confidence, success, AU06_r, AU10_r');
  });
});

describe('exportPredictions', () => {
  let project: Project | undefined;
  afterEach(() => {
    project?.close();
    project = undefined;
    tmp.cleanup();
  });

  function withModel(p: Project, videoId: number, frames: number): number {
    const modelId = Number(
      p.db
        .prepare("INSERT INTO models (stage, name, checkpoint, params, created_at) VALUES ('finetune', 'm', 'models/m', '{\"preset\":\"tiny\"}', ?)")
        .run(new Date().toISOString()).lastInsertRowid,
    );
    const aus = p.auSet().aus;
    const data = new Float32Array(aus.length * frames).map((_, i) => (i % 7) / 2);
    p.db
      .prepare('INSERT INTO predictions (model_id, video_id, aus, frame_count, data, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(modelId, videoId, JSON.stringify(aus), frames, Buffer.from(data.buffer), new Date().toISOString());
    return modelId;
  }

  it('writes one CSV per video with a row per frame, plus model.json', () => {
    project = Project.create(path.join(tmp.make(), 'p'), { name: 'Export', auSet: { preset: 'bp4d' } });
    const videoId = addVideo(project.db, { path: '/videos/S01 take 1.mp4', frameCount: 30 });
    addFrames(project.db, videoId, 30, (i) => i !== 5);
    setVideoStatus(project.db, videoId, 'ready');
    const modelId = withModel(project, videoId, 30);
    project.db.prepare("INSERT INTO labels (video_id, frame_idx, au, annotator, intensity, updated_at) VALUES (?, 3, 12, 'ann', 4, 'now')").run(videoId);
    const result = exportPredictions(project, modelId);
    expect(result.files.map((f) => f.name)).toEqual(['S01_take_1.csv', 'model.json', 'labels.csv']);
    expect(fs.readFileSync(path.join(result.dir, 'labels.csv'), 'utf8')).toBe('video,frame,timestamp,AU,intensity,annotator\nS01 take 1.mp4,3,0.120,AU12,4,ann\n');
    const { header, rows } = parse(fs.readFileSync(path.join(result.dir, 'S01_take_1.csv'), 'utf8'));
    expect(header.slice(5)).toEqual(['AU06_r', 'AU10_r', 'AU12_r', 'AU14_r', 'AU17_r']);
    expect(rows).toHaveLength(30);
    expect(rows[5]![4]).toBe('0');
    const json = JSON.parse(fs.readFileSync(path.join(result.dir, 'model.json'), 'utf8')) as { summary: string; params: unknown; auSet: { aus: number[] } };
    expect(json.summary).toMatch(/^Predicted by .* \(model \d+, finetune, trained from scratch\)\.$/);
    expect(json.params).toEqual({ preset: 'tiny' });
    expect(json.auSet.aus).toEqual([6, 10, 12, 14, 17]);
    expect(fs.readdirSync(result.dir).some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('labels.csv and the track CSV join on timestamp: the frame labelled 7 in the app is track frame 8 at the same time', () => {
    project = Project.create(path.join(tmp.make(), 'p'), { name: 'Export', auSet: { preset: 'disfa' } });
    const videoId = addVideo(project.db, { path: '/videos/clip.mp4', frameCount: 40, fps: 29.97 });
    addFrames(project.db, videoId, 40);
    setVideoStatus(project.db, videoId, 'ready');
    const modelId = withModel(project, videoId, 40);
    const label = project.db.prepare("INSERT INTO labels (video_id, frame_idx, au, annotator, intensity, updated_at) VALUES (?, ?, 12, 'ann', 3, 'now')");
    for (const frame of [0, 7, 39]) label.run(videoId, frame);
    const result = exportPredictions(project, modelId);
    const labels = parse(fs.readFileSync(path.join(result.dir, 'labels.csv'), 'utf8'));
    const track = parse(fs.readFileSync(path.join(result.dir, 'clip.csv'), 'utf8'));
    const col = (t: { header: string[] }, name: string) => t.header.indexOf(name);
    const byTime = new Map(track.rows.map((r) => [r[col(track, 'timestamp')]!, r]));
    const aus = project.auSet().aus;
    const preds = new Float32Array(aus.length * 40).map((_, i) => (i % 7) / 2); // as withModel wrote them, AU-major
    const joined = labels.rows.map((l) => {
      const row = byTime.get(l[col(labels, 'timestamp')]!);
      expect(row, `labels.csv timestamp ${l[col(labels, 'timestamp')]} has a track row`).toBeDefined();
      return { labelFrame: Number(l[col(labels, 'frame')]), trackFrame: Number(row![col(track, 'frame')]), au12: row![col(track, 'AU12_r')] };
    });
    expect(joined.map((j) => [j.labelFrame, j.trackFrame])).toEqual([
      [0, 1],
      [7, 8],
      [39, 40],
    ]);
    for (const j of joined) expect(j.au12).toBe(preds[aus.indexOf(12) * 40 + j.labelFrame]!.toFixed(2));
    expect(labels.rows.find((l) => l[1] === '7')![2]).toBe('0.234'); // 7 / 29.97 s
    const json = JSON.parse(fs.readFileSync(path.join(result.dir, 'model.json'), 'utf8')) as { labelsFormat: string };
    expect(json.labelsFormat).toMatch(/frame \(0-based.*timestamp/);
  });

  it('refuses an unknown model and leaves no folder when nothing was predicted', () => {
    project = Project.create(path.join(tmp.make(), 'p'), { name: 'Export', auSet: { preset: 'disfa' } });
    const videoId = addVideo(project.db);
    setVideoStatus(project.db, videoId, 'ready');
    expect(() => exportPredictions(project!, 99)).toThrowError(ApiError);
    const otherVideo = addVideo(project.db);
    setVideoStatus(project.db, otherVideo, 'ready');
    const modelId = withModel(project, videoId, 100);
    project.db.prepare('DELETE FROM predictions').run();
    expect(() => exportPredictions(project!, modelId)).toThrow(/Run Predict first/);
    expect(fs.readdirSync(project.path('exports'))).toEqual([]);
  });
});
