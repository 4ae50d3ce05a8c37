import { useState, type DragEvent } from 'react';
import type { AppInfo, ProjectSummary, VideoRow } from '@shared/types';
import { auColumn, auInfo } from '@shared/aus';
import { DEFAULT_DETECT_EVERY, DETECTION_CHOICES } from '@shared/settings/ingest';
import { useApi, useQuery } from '../api/hooks';
import { usePickFolder } from '../components/FolderPicker';
import { useNotify } from '../components/Notices';
import { SuggestFrames } from '../components/SuggestFrames';
import { Thumbnail } from '../components/Thumbnail';
import type { Route } from '../route';

interface Props {
  project: ProjectSummary;
  info: AppInfo;
  go: (r: Route) => void;
}

export function duration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return `${m}:${String(s).padStart(2, '0')}`;
}

const VIDEO_RE = /\.(mp4|mov|avi|mkv|webm)$/i;

export function Home({ project, info, go }: Props) {
  const api = useApi();
  const notify = useNotify();
  const videos = useQuery('videos/list', {}, ['videos', 'labels', 'samples']);
  const { pickVideos, element: picker } = usePickFolder(info.nativeDialogs);
  const [dragging, setDragging] = useState(false);
  const [upload, setUpload] = useState<number | null>(null);
  const [percent, setPercent] = useState(2);
  const [strategy, setStrategy] = useState<'random' | 'stride'>('random');
  /** Random only: no two sampled frames closer than this (0: no rule; a grown set keeps its own). */
  const [minGap, setMinGap] = useState(0);
  const [aligned, setAligned] = useState(false);
  const [detectEvery, setDetectEvery] = useState<number>(DEFAULT_DETECT_EVERY);

  const importPaths = async (paths: string[]) => {
    if (!paths.length) return;
    try {
      const jobs = await api.call('videos/import', { paths, alreadyAligned: aligned, detectEvery });
      notify('info', `Importing ${jobs.length} video${jobs.length === 1 ? '' : 's'}: follow the progress in Jobs.`);
    } catch (e) {
      notify('error', (e as Error).message);
    }
  };

  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const files = [...e.dataTransfer.files];
    const bad = files.filter((f) => !VIDEO_RE.test(f.name));
    if (bad.length) notify('error', `Skipped ${bad.map((f) => f.name).join(', ')}: not a video (mp4, mov, avi, mkv, webm).`);
    const good = files.filter((f) => VIDEO_RE.test(f.name));
    if (!good.length) return;
    try {
      setUpload(0);
      const paths = await api.intake(good, setUpload);
      await importPaths(paths);
    } catch (err) {
      notify('error', (err as Error).message);
    } finally {
      setUpload(null);
    }
  };

  const sample = async () => {
    try {
      const sets = await api.call('samples/create', { percent, strategy, ...(strategy === 'random' && minGap > 1 ? { minGap } : {}) });
      const frames = sets.reduce((n, s) => n + s.frames, 0);
      notify('info', `Sampled ${frames} frames to label across ${sets.length} video${sets.length === 1 ? '' : 's'}.`);
    } catch (e) {
      notify('error', (e as Error).message);
    }
  };

  const relink = async (v: VideoRow) => {
    const [picked] = (await pickVideos(`Find ${v.name} (it moved)`)) ?? [];
    if (!picked) return;
    await api.call('videos/relink', { videoId: v.id, path: picked }).then(
      () => notify('info', `${v.name} relinked.`),
      (e: Error) => notify('error', e.message),
    );
  };

  const retry = async (v: VideoRow) => {
    await api.call('videos/retryImport', { videoId: v.id }).then(
      () => notify('info', `Importing ${v.name} again: follow the progress in Jobs. Its labels and sample sets are kept.`),
      (e: Error) => notify('error', e.message),
    );
  };

  const remove = async (v: VideoRow) => {
    if (!confirm(`Remove ${v.name} from the project? Its ${v.labelled} labelled frames are deleted with it (the video file stays).`)) return;
    await api.call('videos/remove', { videoId: v.id }).catch((e: Error) => notify('error', e.message));
  };

  const ready = videos.data?.filter((v) => v.status === 'ready') ?? [];
  return (
    <main
      className={`panel videos${dragging ? ' dragging' : ''}`}
      aria-labelledby="videos-title"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <div className="panel-head">
        <h2 id="videos-title">Videos</h2>
        <div className="toolbar">
          <label className="inline">
            <input type="checkbox" checked={aligned} onChange={(e) => setAligned(e.target.checked)} /> Already aligned face crops
          </label>
          <label className="inline" title="Detecting on every frame costs more time; it helps most with fast head movement and faces small in the frame">
            Detect faces on{' '}
            <select value={detectEvery} disabled={aligned} onChange={(e) => setDetectEvery(Number(e.target.value))}>
              {DETECTION_CHOICES.map((c) => (
                <option key={c.detectEvery} value={c.detectEvery}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="primary" onClick={async () => importPaths((await pickVideos('Import videos')) ?? [])}>
            Import videos…
          </button>
        </div>
      </div>
      {upload !== null && <progress max={1} value={upload} aria-label="Upload progress" />}
      {videos.error && (
        <p className="error-text" role="alert">
          {videos.error.message}
        </p>
      )}
      {videos.data && videos.data.length === 0 ? (
        <div className="empty">
          <p>Drop face videos here, or use Import videos….</p>
          <p className="muted small">mp4, mov, avi, mkv or webm. Every frame’s face is found, aligned and cached; nothing leaves this machine.</p>
        </div>
      ) : (
        <table aria-label="Videos in this project">
          <thead>
            <tr>
              <th scope="col">
                <span className="sr-only">Thumbnail</span>
              </th>
              <th scope="col">Video</th>
              <th scope="col">Subject</th>
              <th scope="col">Duration</th>
              <th scope="col">Frames</th>
              <th scope="col">Faces found</th>
              <th scope="col">Sampled</th>
              <th scope="col">Labelled</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {videos.data?.map((v) => (
              <tr key={v.id}>
                <td>{v.status === 'ready' ? <Thumbnail videoId={v.id} frame={Math.floor(v.frameCount / 2)} width={72} alt={`${v.name} thumbnail`} /> : null}</td>
                <td title={v.path}>{v.name}</td>
                <td>{v.subject ?? '—'}</td>
                <td>{duration(v.duration)}</td>
                <td>{v.frameCount}</td>
                <td>{v.frameCount && v.status === 'ready' ? `${((100 * v.facesFound) / v.frameCount).toFixed(1)} %` : '—'}</td>
                <td>{v.sampled}</td>
                <td>
                  {v.labelled}
                  {v.sampled ? <span className="muted small"> ({Math.round((100 * v.labelled) / v.sampled)} %)</span> : null}
                </td>
                <td>
                  <span className={`state state-${v.status}`}>{v.status}</span>
                  {v.error && <div className="error-text small wrap">{v.error}</div>}
                </td>
                <td>
                  <div className="actions">
                    <button type="button" disabled={v.status !== 'ready'} aria-label={`Label ${v.name}`} onClick={() => go({ view: 'label', videoId: v.id })}>
                      Label
                    </button>
                    <button type="button" disabled={v.status !== 'ready'} aria-label={`Review ${v.name}`} onClick={() => go({ view: 'review', videoId: v.id })}>
                      Review
                    </button>
                    {v.status === 'failed' && (
                      <button type="button" aria-label={`Retry import of ${v.name}`} onClick={() => retry(v)}>
                        Retry import
                      </button>
                    )}
                    {(v.status === 'missing' || v.status === 'changed') && (
                      <button type="button" aria-label={`Relink ${v.name}`} onClick={() => relink(v)}>
                        Relink…
                      </button>
                    )}
                    <button type="button" className="ghost" aria-label={`Remove ${v.name}`} onClick={() => remove(v)}>
                      ×
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <section className="sample-bar" aria-labelledby="sample-title">
        <h3 id="sample-title">Frames to label</h3>
        <p className="muted small">
          Choose a random share of each video’s face frames for annotation. The seed is stored; raising the share later keeps every frame already chosen.
        </p>
        <div className="row">
          <label className="inline">
            Share (%)
            <input type="number" min={0.1} max={100} step={0.1} value={percent} onChange={(e) => setPercent(Number(e.target.value))} style={{ width: 90 }} />
          </label>
          <label className="inline">
            Strategy
            <select value={strategy} onChange={(e) => setStrategy(e.target.value as 'random' | 'stride')}>
              <option value="random">Uniform random</option>
              <option value="stride">Uniform stride</option>
            </select>
          </label>
          {strategy === 'random' && (
            <label className="inline" title="No two sampled frames closer than this many frames, so labels are not spent on near-identical neighbours (0: no rule). A sample keeps its spacing when it grows.">
              Min. spacing (frames)
              <input type="number" min={0} max={100000} step={1} value={minGap} onChange={(e) => setMinGap(Math.max(0, Math.floor(Number(e.target.value) || 0)))} style={{ width: 80 }} />
            </label>
          )}
          <button type="button" disabled={!ready.length} onClick={sample}>
            Sample {percent} % of frames
          </button>
        </div>
        <SuggestFrames />
      </section>
      <section className="au-set" aria-labelledby="aus-title">
        <h3 id="aus-title">Action units in this project</h3>
        <ul>
          {project.auSet.aus.map((au) => (
            <li key={au}>
              <strong>{auColumn(au)}</strong> {auInfo(au).name}
              <span className="muted small"> — {auInfo(au).description}</span>
            </li>
          ))}
        </ul>
      </section>
      {picker}
    </main>
  );
}
