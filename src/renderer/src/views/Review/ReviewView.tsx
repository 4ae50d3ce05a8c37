/**
 * The review view: a model's predicted intensity tracks beside your labels, optionally against
 * a second model, with the frame (still, face overlay, aligned crop) at the playhead. It walks
 * the biggest label/model disagreements first, and a prediction can be accepted as the label.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { auColumn, levelText, predictedText } from '@shared/aus';
import type { ProjectSummary } from '@shared/types';
import { useApi, useQuery } from '../../api/hooks';
import { useCoder } from '../../components/coder';
import { SHARED_SHORTCUTS, ShortcutsDialog, type Shortcut } from '../../components/Dialog';
import { AlignedCrop, FrameStage } from '../../components/FrameStage';
import { useFrameAsset } from '../../components/frameAssets';
import { useFrameCursor } from '../../components/frameCursor';
import { EditActions } from '../../components/EditActions';
import { Icon } from '../../components/Icons';
import { useLabelEditor, type Edit } from '../../components/labelEditor';
import { useNotify } from '../../components/Notices';
import { ReferenceBadge, useNeutral } from '../../components/neutral';
import type { Route } from '../../route';
import { formatTime } from '../Label/format';
import { isTyping, VideoSwitcher } from '../Label/controls';
import { lowerBound } from '@shared/sorted';
import { COLOR_A, COLOR_B, Lanes } from './Lanes';
import { disagreements, modelLabel, usePredictions } from './predictions';
import { COLOR_OPENFACE, OpenFaceCompare, OpenFaceImport, useOpenFace } from './openface';
import '../../coding.css';

interface Props {
  project: ProjectSummary;
  videoId: number;
  frame?: number;
  go: (r: Route, o?: { replace?: boolean }) => void;
}

export const REVIEW_SHORTCUTS: { title: string; items: Shortcut[] }[] = [
  {
    title: 'Move',
    items: [
      ...SHARED_SHORTCUTS.step,
      SHARED_SHORTCUTS.sampled,
      { keys: [['D']], action: 'Next biggest disagreement between your labels and the model' },
      { keys: [['↑'], ['↓']], action: 'Choose the action unit lane' },
    ],
  },
  {
    title: 'Edit',
    items: [
      { keys: [['A']], action: 'Accept the model’s prediction on this frame as your labels (rounded to 0–5)' },
      { keys: [['0'], ['5']], joiner: '–', action: 'Set the chosen AU on this frame' },
      ...SHARED_SHORTCUTS.undo,
    ],
  },
  {
    title: 'View',
    items: [
      { keys: [['Ctrl', 'wheel']], action: 'Zoom the lanes around the pointer' },
      { keys: [['wheel']], action: 'Pan the zoomed lanes' },
      ...SHARED_SHORTCUTS.help,
    ],
  },
];

export function ReviewView({ project, videoId, frame: routeFrame, go }: Props) {
  const api = useApi();
  const notify = useNotify();
  const aus = project.auSet.aus;
  const videos = useQuery('videos/list', {}, ['videos']);
  const video = videos.data?.find((v) => v.id === videoId);
  const models = useQuery('models/list', {}, ['models']);
  const queue = useQuery('samples/queue', { videoId }, ['samples']);
  const annotator = useCoder().name ?? '';
  const editor = useLabelEditor(videoId, annotator);
  const openface = useOpenFace(videoId);
  const [showOpenFace, setShowOpenFace] = useState(true);
  const of = showOpenFace ? openface.track : null;
  const person = useNeutral(videoId);

  const finetuned = useMemo(() => (models.data ?? []).filter((m) => m.stage === 'finetune'), [models.data]);
  const [modelId, setModelId] = useState<number | null>(null);
  const [compareId, setCompareId] = useState<number | null>(null);
  useEffect(() => {
    if (!finetuned.length) return setModelId(null);
    if (modelId === null || !finetuned.some((m) => m.id === modelId)) setModelId(finetuned[0]!.id);
    if (compareId !== null && !finetuned.some((m) => m.id === compareId)) setCompareId(null);
  }, [finetuned]); // eslint-disable-line react-hooks/exhaustive-deps -- corrects the choice when the model list changes, not when the user picks
  const a = usePredictions(modelId, videoId);
  const b = usePredictions(compareId !== modelId ? compareId : null, videoId);
  const modelA = finetuned.find((m) => m.id === modelId) ?? null;
  const modelB = finetuned.find((m) => m.id === compareId) ?? null;

  const frameCount = video?.frameCount ?? 0;
  const fps = video?.fps || 25;
  const clamp = useCallback((f: number) => Math.max(0, Math.min(Math.max(0, frameCount - 1), Math.round(f))), [frameCount]);
  const sampled = useMemo(() => Int32Array.from(queue.data?.map((q) => q.frame) ?? []).sort(), [queue.data]);
  const [cursor, setFrame] = useFrameCursor('review', videoId, routeFrame, go, clamp);
  const frame = clamp(cursor ?? sampled[0] ?? 0);

  const [chosen, setChosen] = useState(0);
  const [overlay, setOverlay] = useState(() => localStorage.getItem('auw.overlay') !== 'off');
  const [help, setHelp] = useState(false);
  const [announce, setAnnounce] = useState('');
  const still = useFrameAsset('still', videoId, frame, !!video);
  const crop = useFrameAsset('crop', videoId, frame, !!video);
  const info = useFrameAsset('info', videoId, frame, !!video);

  // ── Disagreements ──────────────────────────────────────────────────────────────────────
  const ranked = useMemo(() => disagreements(editor.all(), a.track), [editor.version, a.track]); // eslint-disable-line react-hooks/exhaustive-deps -- the editor's labels change in place; its version says when
  const visited = useRef(new Set<string>());
  const [current, setCurrent] = useState<{ frame: number; au: number; rank: number } | null>(null);
  useEffect(() => {
    visited.current.clear();
    setCurrent(null);
  }, [a.track]);
  const nextDisagreement = () => {
    if (!a.track) return notify('info', 'Choose a model with predictions for this video first.');
    if (!ranked.length) return notify('info', 'There is nothing to compare yet: label some sampled frames of this video first.');
    let i = ranked.findIndex((d) => !visited.current.has(`${d.frame}:${d.au}`));
    if (i < 0) {
      visited.current.clear();
      i = 0;
      notify('info', `You have seen all ${ranked.length} label/model pairs; starting again from the biggest disagreement.`);
    }
    const d = ranked[i]!;
    visited.current.add(`${d.frame}:${d.au}`);
    setCurrent({ frame: d.frame, au: d.au, rank: i + 1 });
    setFrame(d.frame);
    const k = aus.indexOf(d.au);
    if (k >= 0) setChosen(k);
    setAnnounce(`Disagreement ${i + 1} of ${ranked.length}: ${auColumn(d.au)} on frame ${d.frame}, your label ${levelText(d.label)}, model ${predictedText(d.predicted)}`);
  };
  // The disagreement being looked at, while the playhead stays on its frame.
  const here = current && current.frame === frame ? current : null;
  const currentD = here ? ranked.find((d) => d.frame === here.frame && d.au === here.au) : undefined;

  // ── Edits ──────────────────────────────────────────────────────────────────────────────
  const accept = () => {
    if (!a.track || !modelA) return notify('info', 'Choose a model with predictions for this video first.');
    const changes = aus.flatMap((au) => {
      const v = a.track?.lanes.get(au)?.[frame];
      return v === undefined || Number.isNaN(v) ? [] : [{ frame, au, value: Math.max(0, Math.min(5, Math.round(v))) }];
    });
    if (!changes.length) return notify('info', `The model has no prediction on frame ${frame} (no face was found there).`);
    const edits = editor.apply(changes);
    setAnnounce(
      edits.length
        ? `Accepted ${modelA.name}'s prediction on frame ${frame} for ${changes.length} AUs (${edits.length} changed). Ctrl+Z undoes.`
        : `Your labels on frame ${frame} already match ${modelA.name}'s rounded prediction.`,
    );
  };
  const replay = (edits: Edit[] | null, verb: string, dir: 'before' | 'after') => {
    if (!edits?.length) return setAnnounce(`Nothing to ${verb.toLowerCase()}`);
    const first = edits[0]!;
    if (first.frame !== frame) setFrame(first.frame);
    setAnnounce(`${verb}: ${edits.length} label${edits.length === 1 ? '' : 's'} on frame ${first.frame} ${dir === 'before' ? 'restored' : 'reapplied'}`);
  };
  const jumpSampled = (dir: 1 | -1) => {
    const target = dir > 0 ? sampled[lowerBound(sampled, frame + 1)] : sampled[lowerBound(sampled, frame) - 1];
    if (target !== undefined) setFrame(target);
  };

  const onKey = useRef<(e: KeyboardEvent) => void>(() => {});
  onKey.current = (e: KeyboardEvent) => {
    if (help || e.defaultPrevented || isTyping(e.target) || e.altKey) return;
    const ctrl = e.ctrlKey || e.metaKey;
    const k = e.key;
    let handled = true;
    if (k === 'ArrowLeft' || k === 'ArrowRight') setFrame(frame + (k === 'ArrowLeft' ? -1 : 1) * (ctrl ? 10 : 1));
    else if (ctrl && (k === 'z' || k === 'Z')) {
      if (e.shiftKey) replay(editor.redo(), 'Redo', 'after');
      else replay(editor.undo(), 'Undo', 'before');
    } else if (ctrl && (k === 'y' || k === 'Y')) replay(editor.redo(), 'Redo', 'after');
    else if (ctrl) handled = false;
    else if (k === 'd' || k === 'D') nextDisagreement();
    else if (k === 'a' || k === 'A') accept();
    else if (k === 'n' || k === 'N') jumpSampled(1);
    else if (k === 'p' || k === 'P') jumpSampled(-1);
    else if (k === 'ArrowUp') setChosen((c) => Math.max(0, c - 1));
    else if (k === 'ArrowDown') setChosen((c) => Math.min(aus.length - 1, c + 1));
    else if (/^[0-5]$/.test(k)) {
      const au = aus[chosen];
      if (au !== undefined) {
        editor.apply([{ frame, au, value: Number(k) }]);
        setAnnounce(`${auColumn(au)} set to ${levelText(Number(k))} on frame ${frame}`);
      }
    } else if (k === '?') setHelp(true);
    else handled = false;
    if (handled) e.preventDefault();
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey.current(e);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);
  useEffect(() => localStorage.setItem('auw.overlay', overlay ? 'on' : 'off'), [overlay]);

  const onSeek = useCallback(
    (f: number, au?: number) => {
      setFrame(f);
      if (au !== undefined) {
        const k = aus.indexOf(au);
        if (k >= 0) setChosen(k);
      }
    },
    [setFrame, aus],
  );

  // ── Render ─────────────────────────────────────────────────────────────────────────────
  if (videos.error) return <main className="panel error-text" role="alert">{videos.error.message}</main>;
  if (!videos.data || !models.data) return <main className="panel muted">Loading…</main>;
  if (!video || video.status !== 'ready') {
    return (
      <main className="panel empty-state">
        <h2>{video ? `${video.name} is not ready` : 'This video is not in the project'}</h2>
        <p className="muted">Choose a video on the Videos tab.</p>
        <button type="button" onClick={() => go({ view: 'home' })}>
          Back to videos
        </button>
      </main>
    );
  }

  const values = editor.frameLabels(frame);
  const chosenAu = aus[chosen] ?? null;
  const noModels = finetuned.length === 0;
  const noPredictions = !noModels && a.settled && !a.track;
  // An OpenFace track is worth the lanes on its own, even before any model exists.
  const lanesEmpty = (noModels || noPredictions || !!a.error) && !of;

  return (
    <main className="review-view" aria-label={`Review ${video.name}`}>
      <div className="lv-toolbar">
        <VideoSwitcher videos={videos.data} videoId={videoId} onChange={(id) => go({ view: 'review', videoId: id })} />
        <label className="inline model-pick">
          <span className="swatch" style={{ background: COLOR_A }} aria-hidden="true" />
          Model
          <select aria-label="Model" value={modelId ?? ''} disabled={noModels} onChange={(e) => setModelId(Number(e.target.value))}>
            {noModels && <option value="">No trained model</option>}
            {finetuned.map((m) => (
              <option key={m.id} value={m.id}>
                {modelLabel(m)}
              </option>
            ))}
          </select>
        </label>
        <label className="inline model-pick">
          <span className="swatch" style={{ background: COLOR_B }} aria-hidden="true" />
          Compare with
          <select aria-label="Compare with" value={compareId ?? ''} disabled={finetuned.length < 2} onChange={(e) => setCompareId(e.target.value ? Number(e.target.value) : null)}>
            <option value="">None</option>
            {finetuned
              .filter((m) => m.id !== modelId)
              .map((m) => (
                <option key={m.id} value={m.id}>
                  {modelLabel(m)}
                </option>
              ))}
          </select>
        </label>
        {openface.info && (
          <label className="inline model-pick">
            <input type="checkbox" checked={showOpenFace} onChange={(e) => setShowOpenFace(e.target.checked)} />
            <span className="swatch" style={{ background: COLOR_OPENFACE }} aria-hidden="true" />
            OpenFace
          </label>
        )}
        <OpenFaceImport videoId={videoId} videoName={video.name} existing={openface.info} nativeFiles={api.shell === 'electron'} />
        <div className="frame-readout">
          <span className="mono">
            Frame <strong>{frame}</strong>
            <span className="muted"> / {frameCount - 1}</span>
          </span>
          <span className="mono muted">{formatTime(frame / fps, true)}</span>
          <ReferenceBadge person={person} />
        </div>
        <EditActions editor={editor} onReplay={replay} overlay={overlay} onOverlay={setOverlay} onHelp={() => setHelp(true)} />
      </div>

      <div className="rv-side">
        <FrameStage width={video.width} height={video.height} frame={frame} still={still} info={info.value} overlay={overlay} label={`Frame ${frame} of ${video.name}`} />
        <div className="rv-frame-row">
          <AlignedCrop crop={crop} frame={frame} size={112} />
          <div className="rv-actions">
            <button type="button" className="with-icon" disabled={!a.track} onClick={nextDisagreement} title="Jump to the labelled frame and AU where your label and the model differ most (D)">
              <Icon name="target" /> Next biggest disagreement <kbd>D</kbd>
            </button>
            <button type="button" className="with-icon" disabled={!a.track} onClick={accept} title="Write the model's rounded prediction on this frame as your labels (A); Ctrl+Z undoes">
              Accept prediction as label <kbd>A</kbd>
            </button>
            {currentD && here ? (
              <span className="chip warn" data-testid="disagreement">
                Disagreement {here.rank} of {ranked.length} · |Δ| {currentD.diff.toFixed(2)}
              </span>
            ) : (
              <span className="muted small">{a.track ? `${ranked.length} labelled values to compare` : ''}</span>
            )}
          </div>
        </div>
        <section className="rv-values" aria-label={`Frame ${frame}: labels and predictions`}>
          <table className="values-table" aria-label={`Labels and predictions on frame ${frame}`}>
            <thead>
              <tr>
                <th scope="col">AU</th>
                <th scope="col">Your label</th>
                {(a.track || !of) && (
                  <th scope="col">
                    <span className="swatch" style={{ background: COLOR_A }} aria-hidden="true" /> Model
                  </th>
                )}
                {b.track && (
                  <th scope="col">
                    <span className="swatch" style={{ background: COLOR_B }} aria-hidden="true" /> Compared
                  </th>
                )}
                {of && (
                  <th scope="col">
                    <span className="swatch" style={{ background: COLOR_OPENFACE }} aria-hidden="true" /> OpenFace
                  </th>
                )}
                <th scope="col">|Δ|</th>
              </tr>
            </thead>
            <tbody>
              {aus.map((au, i) => {
                const label = values.get(au);
                const pa = a.track?.lanes.get(au)?.[frame];
                const pb = b.track?.lanes.get(au)?.[frame];
                const po = of?.lanes.get(au)?.[frame];
                const diff = label !== undefined && pa !== undefined && !Number.isNaN(pa) ? Math.abs(label - pa) : null;
                return (
                  <tr key={au} className={i === chosen ? 'chosen' : undefined} aria-current={i === chosen ? 'true' : undefined} onClick={() => setChosen(i)}>
                    <th scope="row" className="au-code">
                      {auColumn(au)}
                    </th>
                    <td>{label === undefined ? <span className="muted">—</span> : levelText(label)}</td>
                    {(a.track || !of) && <td className="mono">{pa === undefined || Number.isNaN(pa) ? <span className="muted">—</span> : predictedText(pa)}</td>}
                    {b.track && <td className="mono">{pb === undefined || Number.isNaN(pb) ? <span className="muted">—</span> : predictedText(pb)}</td>}
                    {of && <td className="mono">{po === undefined || Number.isNaN(po) ? <span className="muted">—</span> : predictedText(po)}</td>}
                    <td className={diff !== null && diff >= 1 ? 'mono off' : 'mono'}>{diff === null ? '' : diff.toFixed(2)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
        {openface.info && <OpenFaceCompare videoId={videoId} modelId={a.track ? modelId : null} modelName={modelA?.name ?? null} />}
      </div>

      {lanesEmpty ? (
        <section className="panel empty-state rv-empty" aria-labelledby="rv-empty-title">
          <h2 id="rv-empty-title">{noModels ? 'No trained model yet' : a.error ? 'The predictions could not be loaded' : `No predictions for ${video.name} yet`}</h2>
          <p className="muted">
            {noModels
              ? 'Review compares a model’s per-frame intensity tracks with your labels. Train first, on the Train tab:'
              : a.error
                ? a.error
                : `${modelA?.name ?? 'This model'} has not predicted this video. Run Predict on the Train tab, or choose another model above.`}
          </p>
          {noModels && (
            <ol className="steps">
              <li className={editor.all().size ? 'done' : undefined}>
                <strong>Label</strong> the sampled frames on the Label tab <span className="muted">({editor.all().size} frames labelled on this video)</span>
              </li>
              <li>
                <strong>Pretrain</strong> on every frame, then <strong>Finetune</strong> on your labels (the quick preset takes minutes)
              </li>
              <li>
                <strong>Predict</strong>: the intensity tracks appear here, lane by lane
              </li>
            </ol>
          )}
          <button type="button" className="primary" onClick={() => go({ view: 'train' })}>
            Open the Train tab
          </button>
        </section>
      ) : (
        <Lanes
          aus={aus}
          frameCount={frameCount}
          fps={fps}
          a={a.track}
          b={b.track}
          openface={of}
          modelName={modelA?.name ?? null}
          compareName={modelB?.name ?? null}
          labels={editor.all()}
          labelsVersion={editor.version}
          frame={frame}
          chosenAu={chosenAu}
          highlight={here}
          onSeek={onSeek}
        />
      )}
      <span className="sr-only" role="status" aria-live="polite">
        {announce}
      </span>
      {help && <ShortcutsDialog groups={REVIEW_SHORTCUTS} onClose={() => setHelp(false)} />}
    </main>
  );
}
