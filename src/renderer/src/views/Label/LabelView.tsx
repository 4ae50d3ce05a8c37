/**
 * The labelling view: the current frame (frame-exact still, face overlay, aligned crop), video
 * playback, the wavesurfer timeline with the sampled frames, and the AU panel. Keyboard first:
 * every action in the "?" overlay works without the mouse, and every change is saved at once.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { auColumn } from '@shared/aus';
import type { ProjectSummary } from '@shared/types';
import { useApi, useQuery } from '../../api/hooks';
import { SHARED_SHORTCUTS, ShortcutsDialog, type Shortcut } from '../../components/Dialog';
import { EditActions } from '../../components/EditActions';
import { Icon } from '../../components/Icons';
import { AlignedCrop, FrameStage } from '../../components/FrameStage';
import { prefetchFrame, useFrameAsset } from '../../components/frameAssets';
import { useFrameCursor } from '../../components/frameCursor';
import { useCoder } from '../../components/coder';
import { levelText, useLabelEditor, type Edit } from '../../components/labelEditor';
import { useNotify } from '../../components/Notices';
import { NeutralPanel, useNeutral } from '../../components/neutral';
import type { Route } from '../../route';
import { AuPanel } from './AuPanel';
import { RecentChanges } from './RecentChanges';
import { formatTime } from './format';
import { lowerBound } from '@shared/sorted';
import { Timeline } from './Timeline';
import { isTyping, VideoSwitcher } from './controls';
import { QueuePicker, ShareOffer, useQueueMode } from './queue';

interface Props {
  project: ProjectSummary;
  videoId: number;
  frame?: number;
  /** The AU to choose on arrival (a disagreement opened from the Agreement view). */
  au?: number;
  go: (r: Route, o?: { replace?: boolean }) => void;
}

export const LABEL_SHORTCUTS: { title: string; items: Shortcut[] }[] = [
  {
    title: 'Move',
    items: [
      ...SHARED_SHORTCUTS.step,
      { keys: [['Space']], action: 'Play / pause' },
      { ...SHARED_SHORTCUTS.sampled, action: 'Next / previous sampled frame (wraps around at the ends, and says so)' },
      { keys: [['Shift', 'N']], action: 'Next unlabelled sampled frame' },
    ],
  },
  {
    title: 'Label',
    items: [
      { keys: [['↑'], ['↓']], action: 'Choose the action unit' },
      { keys: [['0'], ['5']], joiner: '–', action: 'Set the chosen AU to 0 (absent) or 1–5 (A–E), then go to the next AU; after the last AU, to the next sampled frame (at the last one, digits stop until you move)' },
      { keys: [['Delete']], action: 'Clear the chosen AU’s label' },
      ...SHARED_SHORTCUTS.undo,
    ],
  },
  {
    title: 'Timeline and help',
    items: [
      { keys: [['Ctrl', 'wheel']], action: 'Zoom the timeline around the pointer' },
      { keys: [['wheel']], action: 'Pan the timeline (or drag the overview bar)' },
      ...SHARED_SHORTCUTS.help,
    ],
  },
];

/** How often the signed video URL is renewed while paused; it lives 2 hours (MEDIA_URL_TTL_MS on the server). */
const MEDIA_URL_REFRESH_MS = 30 * 60_000;

export function LabelView({ project, videoId, frame: routeFrame, au: routeAu, go }: Props) {
  const api = useApi();
  const notify = useNotify();
  const aus = project.auSet.aus;
  const videos = useQuery('videos/list', {}, ['videos']);
  const video = videos.data?.find((v) => v.id === videoId);
  const queue = useQuery('samples/queue', { videoId }, ['samples']);
  const peaks = useQuery('videos/peaks', { videoId });
  const media = useQuery('videos/mediaUrl', { videoId });
  const coder = useCoder();
  const annotator = coder.name ?? '';
  const editor = useLabelEditor(videoId, annotator);
  const shareQuery = useQuery('doubleCoding/list', { videoId }, ['samples']);
  const share = shareQuery.data?.[0] ?? null;
  const [mode, setMode] = useQueueMode(share, annotator, videoId);
  const person = useNeutral(videoId);

  const frameCount = video?.frameCount ?? 0;
  const fps = video?.fps || 25;
  const allSampled = useMemo(() => Int32Array.from(queue.data?.map((q) => q.frame) ?? []).sort(), [queue.data]);
  const shareFrames = useMemo(() => Int32Array.from(share?.frames ?? []).sort(), [share]);
  // The frames this coder works through: every sampled frame, or only the double-coding share.
  const sampled = mode === 'double' && share ? shareFrames : allSampled;
  const queueName = mode === 'double' && share ? 'double-coding frames' : 'sampled frames';
  /** Per sampled frame: 0 none, 1 partly, 2 every project AU labelled by this annotator. */
  const states = useMemo(() => {
    const all = editor.all();
    const out = new Uint8Array(sampled.length);
    for (let i = 0; i < sampled.length; i++) {
      const row = all.get(sampled[i]!);
      if (!row) continue;
      let n = 0;
      for (const au of aus) if (row.has(au)) n++;
      out[i] = n === 0 ? 0 : n === aus.length ? 2 : 1;
    }
    return out;
  }, [sampled, editor.version, aus]); // eslint-disable-line react-hooks/exhaustive-deps -- the editor is one object whose labels change in place; its version says when
  const done = useMemo(() => states.reduce((n, s) => n + (s === 2 ? 1 : 0), 0), [states]);
  /** Per sampled frame: 1 where a *Suggest frames* run put it in the queue. */
  const suggested = useMemo(() => {
    const by = new Set(queue.data?.filter((q) => q.suggested).map((q) => q.frame) ?? []);
    return Uint8Array.from(sampled, (f) => (by.has(f) ? 1 : 0));
  }, [queue.data, sampled]);

  const clamp = useCallback((f: number) => Math.max(0, Math.min(Math.max(0, frameCount - 1), Math.round(f))), [frameCount]);
  const firstOpen = useMemo(() => {
    const i = states.findIndex((s) => s !== 2);
    return i >= 0 ? sampled[i] : sampled[0];
  }, [states, sampled]);
  const [cursor, setFrame] = useFrameCursor('label', videoId, routeFrame, go, clamp);
  const frame = clamp(cursor ?? firstOpen ?? 0);
  // Switching to (or from) the double-coding share: go to its first frame still to code.
  const lastMode = useRef(mode);
  useEffect(() => {
    if (lastMode.current === mode) return;
    lastMode.current = mode;
    if (firstOpen !== undefined && !sampled.includes(frame)) setFrame(firstOpen);
  }, [mode, firstOpen]); // eslint-disable-line react-hooks/exhaustive-deps -- runs on a switch of mode only, not on every frame move
  // Without a frame in the URL, start at the first sampled frame still to label.
  useEffect(() => {
    if (cursor === undefined && queue.data && (queue.data[0]?.videoId ?? videoId) === videoId && editor.loaded && frameCount) setFrame(firstOpen ?? 0);
  }, [cursor, queue.data, editor.loaded, frameCount, videoId]); // eslint-disable-line react-hooks/exhaustive-deps -- firstOpen changes as frames get labelled; the start frame must not follow it

  const [chosen, setChosen] = useState(() => Math.max(0, routeAu !== undefined ? aus.indexOf(routeAu) : 0));
  useEffect(() => {
    if (routeAu !== undefined && aus.includes(routeAu)) setChosen(aus.indexOf(routeAu));
  }, [routeAu, routeFrame]); // eslint-disable-line react-hooks/exhaustive-deps -- follows the URL; a change of the AU set alone keeps the chosen row
  const [overlay, setOverlay] = useState(() => localStorage.getItem('auw.overlay') !== 'off');
  const [help, setHelp] = useState(false);
  const [announce, setAnnounce] = useState('');
  /** Set when the last AU of the last frame in the queue was coded: digits stop here (a fast typist would overwrite it) until the frame or AU changes. */
  const [atQueueEnd, setAtQueueEnd] = useState<number | null>(null);
  useEffect(() => setAtQueueEnd(null), [frame, chosen, mode]);
  const [playing, setPlaying] = useState(false);
  const [playFrame, setPlayFrame] = useState(frame);
  const videoRef = useRef<HTMLVideoElement>(null);
  const shown = playing ? playFrame : frame;

  const still = useFrameAsset('still', videoId, frame, !!video);
  const crop = useFrameAsset('crop', videoId, shown, !!video);
  const info = useFrameAsset('info', videoId, frame, !!video);

  const sampledIndex = useMemo(() => {
    const i = lowerBound(sampled, shown);
    return sampled[i] === shown ? i : -1;
  }, [sampled, shown]);

  // Warm the cache for where N and Shift+N lead.
  useEffect(() => {
    if (!video) return;
    const i = lowerBound(sampled, frame + 1);
    const next = sampled[i];
    if (next !== undefined) prefetchFrame(api, videoId, next);
    const prev = sampled[lowerBound(sampled, frame) - 1];
    if (prev !== undefined) prefetchFrame(api, videoId, prev);
  }, [api, video, videoId, sampled, frame]);

  const firstUncoded = (f: number) => {
    const row = editor.frameLabels(f);
    const i = aus.findIndex((au) => !row.has(au));
    return i >= 0 ? i : 0;
  };

  // ── Playback ────────────────────────────────────────────────────────────────────────────
  const lastPlayed = useRef<number | null>(null);
  const pause = useCallback(() => {
    const v = videoRef.current;
    if (!v) return;
    v.pause();
    const f = clamp(lastPlayed.current ?? Math.floor(v.currentTime * fps + 1e-3));
    setPlaying(false);
    setFrame(f);
  }, [clamp, fps, setFrame]);
  const play = useCallback(() => {
    const v = videoRef.current;
    if (!v || !video) return;
    const start = frame >= frameCount - 1 ? 0 : frame;
    lastPlayed.current = start;
    setPlayFrame(start);
    v.currentTime = (start + 0.5) / fps;
    v.play().then(
      () => setPlaying(true),
      (e: Error) => {
        if (e.name !== 'AbortError') notify('error', `The video cannot play here: ${e.message}. Step through frames with ← and → instead.`);
      },
    );
  }, [video, frame, frameCount, fps, notify]);
  const playingRef = useRef(playing);
  playingRef.current = playing;
  const togglePlay = useCallback(() => (playingRef.current ? pause() : play()), [pause, play]);
  // Browser mode's video URL is signed and expires (SECURITY.md): fetch a fresh one now and then
  // while paused (the still shows then), so a long session never holds a dead URL.
  const reloadMedia = media.reload;
  useEffect(() => {
    const timer = setInterval(() => {
      if (!playingRef.current) reloadMedia();
    }, MEDIA_URL_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reloadMedia]);

  useEffect(() => {
    const v = videoRef.current;
    if (!playing || !v) return;
    let handle = 0;
    let stopped = false;
    const toFrame = (t: number) => clamp(Math.floor(t * fps + 1e-3));
    const hasRvfc = typeof (v as Partial<HTMLVideoElement>).requestVideoFrameCallback === 'function';
    const onVideoFrame = (_: number, meta: VideoFrameCallbackMetadata) => {
      if (stopped) return;
      const f = clamp(Math.round(meta.mediaTime * fps));
      lastPlayed.current = f;
      setPlayFrame(f);
      handle = v.requestVideoFrameCallback(onVideoFrame);
    };
    const onTime = () => {
      const f = toFrame(v.currentTime);
      lastPlayed.current = f;
      setPlayFrame(f);
    };
    if (hasRvfc) handle = v.requestVideoFrameCallback(onVideoFrame);
    else v.addEventListener('timeupdate', onTime);
    const onEnded = () => pause();
    v.addEventListener('ended', onEnded);
    return () => {
      stopped = true;
      if (hasRvfc) v.cancelVideoFrameCallback(handle);
      else v.removeEventListener('timeupdate', onTime);
      v.removeEventListener('ended', onEnded);
    };
  }, [playing, fps, clamp, pause]);

  // ── Labelling ───────────────────────────────────────────────────────────────────────────
  const setLabel = useCallback(
    (au: number, value: number | null) => {
      editor.apply([{ frame, au, value }]);
      setAnnounce(value === null ? `${auColumn(au)} cleared on frame ${frame}` : `${auColumn(au)} set to ${levelText(value)} on frame ${frame}`);
    },
    [editor, frame],
  );

  const replay = (edits: Edit[] | null, verb: string, dir: 'before' | 'after') => {
    if (!edits?.length) {
      setAnnounce(`Nothing to ${verb.toLowerCase()}`);
      return;
    }
    const first = edits[0]!;
    if (first.frame !== frame) setFrame(first.frame);
    const i = aus.indexOf(first.au);
    if (i >= 0) setChosen(i);
    const v = first[dir];
    setAnnounce(`${verb}: ${auColumn(first.au)} on frame ${first.frame} is ${v === null ? 'unlabelled' : levelText(v)}`);
  };

  const jumpSampled = (dir: 1 | -1, unlabelledOnly = false) => {
    if (!sampled.length) {
      notify('info', mode === 'double' ? 'This video has no double-coding share.' : 'This video has no sampled frames yet. Sample frames on the Videos tab first.');
      return;
    }
    if (playingRef.current) {
      videoRef.current?.pause();
      setPlaying(false);
    }
    let target: number | undefined;
    if (unlabelledOnly) {
      const start = lowerBound(sampled, frame + 1);
      for (let k = 0; k < sampled.length; k++) {
        const i = (start + k) % sampled.length;
        if (states[i] !== 2 && sampled[i] !== frame) {
          target = sampled[i];
          break;
        }
      }
      if (target === undefined) {
        setAnnounce(`Every ${queueName.replace(/s$/, '')} is labelled`);
        notify('info', `Every ${queueName.replace(/s$/, '')} of this video is labelled.`);
        return;
      }
    } else {
      target = dir > 0 ? sampled[lowerBound(sampled, frame + 1)] : sampled[lowerBound(sampled, frame) - 1];
      if (target === undefined) {
        // Past the end (or the start): wrap around, and say so, so N never silently does nothing.
        const item = queueName.replace(/s$/, '');
        target = dir > 0 ? sampled[0]! : sampled[sampled.length - 1]!;
        const msg = dir > 0 ? `That was the last ${item}: back to the first one (frame ${target}).` : `That was the first ${item}: on to the last one (frame ${target}).`;
        setAnnounce(msg);
        notify('info', msg);
      }
    }
    setFrame(target);
    setChosen(firstUncoded(target));
  };

  const step = (delta: number) => {
    if (playingRef.current) {
      videoRef.current?.pause();
      setPlaying(false);
      setFrame((lastPlayed.current ?? frame) + delta);
      return;
    }
    setFrame(frame + delta);
  };

  const seek = useCallback(
    (f: number) => {
      if (playingRef.current) {
        videoRef.current?.pause();
        setPlaying(false);
      }
      setFrame(f);
    },
    [setFrame],
  );

  /**
   * A digit: set the chosen AU, then the next AU; after the last AU, the next frame in the queue
   * (as a coder expects). After the last frame's last AU, digits stop (visibly) until the coder
   * moves, so a fast typist cannot overwrite the last value.
   */
  const codeDigit = (value: number) => {
    const au = aus[chosen];
    if (au === undefined) return;
    const item = queueName.replace(/s$/, '');
    if (atQueueEnd === frame) {
      setAnnounce(`Not set: frame ${frame} is the last ${item} and its last AU is coded. Press N to start over from the first, or ↑ to change an AU.`);
      return;
    }
    setLabel(au, value);
    if (chosen < aus.length - 1) {
      setChosen(chosen + 1);
      return;
    }
    const next = sampled[lowerBound(sampled, frame + 1)];
    if (next !== undefined) {
      setFrame(next);
      setChosen(firstUncoded(next));
      setAnnounce(`${auColumn(au)} set to ${levelText(value)} on frame ${frame}; on to ${item} ${next}`);
    } else {
      setAtQueueEnd(frame);
      setAnnounce(`${auColumn(au)} set to ${levelText(value)} on frame ${frame}, the last AU of the last ${item}`);
    }
  };

  // One window listener; it reads the latest state through a ref, so it never re-binds.
  const onKey = useRef<(e: KeyboardEvent) => void>(() => {});
  onKey.current = (e: KeyboardEvent) => {
    if (help || !coder.name || e.defaultPrevented || isTyping(e.target) || e.altKey) return;
    const ctrl = e.ctrlKey || e.metaKey;
    const k = e.key;
    let handled = true;
    if (k === 'ArrowLeft' || k === 'ArrowRight') step((k === 'ArrowLeft' ? -1 : 1) * (ctrl ? 10 : 1));
    else if (ctrl && (k === 'z' || k === 'Z')) {
      if (e.shiftKey) replay(editor.redo(), 'Redo', 'after');
      else replay(editor.undo(), 'Undo', 'before');
    } else if (ctrl && (k === 'y' || k === 'Y')) replay(editor.redo(), 'Redo', 'after');
    else if (ctrl) handled = false;
    else if (k === ' ' || k === 'Spacebar') togglePlay();
    else if (k === 'N' && e.shiftKey) jumpSampled(1, true);
    else if (k === 'n' || k === 'N') jumpSampled(1);
    else if (k === 'p' || k === 'P') jumpSampled(-1);
    else if (k === 'ArrowUp') setChosen((c) => Math.max(0, c - 1));
    else if (k === 'ArrowDown') setChosen((c) => Math.min(aus.length - 1, c + 1));
    else if (/^[0-5]$/.test(k) && !playingRef.current) codeDigit(Number(k)); else if ((k === 'Delete' || k === 'Backspace') && !playingRef.current) {
      const au = aus[chosen];
      if (au !== undefined) setLabel(au, null);
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

  // ── Render ──────────────────────────────────────────────────────────────────────────────
  if (videos.error) return <main className="panel error-text" role="alert">{videos.error.message}</main>;
  if (!videos.data) return <main className="panel muted">Loading…</main>;
  if (!video) {
    return (
      <main className="panel empty-state">
        <h2>This video is not in the project</h2>
        <p className="muted">It may have been removed. Choose a video on the Videos tab.</p>
        <button type="button" onClick={() => go({ view: 'home' })}>
          Back to videos
        </button>
      </main>
    );
  }
  if (video.status !== 'ready') {
    return (
      <main className="panel empty-state">
        <h2>{video.name} is not ready to label</h2>
        <p className="muted">Its status is “{video.status}”. {video.error ?? 'Wait for the import to finish (see Jobs on the Videos tab).'}</p>
      </main>
    );
  }

  if (!coder.name) {
    return (
      <main className="panel empty-state" aria-label={`Label ${video.name}`}>
        <h2>Who is coding?</h2>
        <p className="muted">Labels are stored under the coder’s name, so that two coders’ labels stay apart. Say who codes on this computer to start labelling.</p>
        <button type="button" className="primary" disabled={!coder.loaded} onClick={coder.ask}>
          Say who is coding
        </button>
      </main>
    );
  }

  const pct = sampled.length ? Math.round((100 * done) / sampled.length) : 0;
  const values = editor.frameLabels(frame);
  const inShare = share ? share.frames.includes(shown) : false;
  const videoVisible = playing || (lastPlayed.current === frame && still.frame !== frame && media.data !== undefined && !!videoRef.current?.currentTime);

  return (
    <main className="label-view" aria-label={`Label ${video.name}`}>
      <div className="lv-toolbar">
        <VideoSwitcher videos={videos.data} videoId={videoId} onChange={(id) => go({ view: 'label', videoId: id })} />
        <div className="frame-readout" aria-live="off">
          <span className="mono">
            Frame <strong>{shown}</strong>
            <span className="muted"> / {frameCount - 1}</span>
          </span>
          <span className="mono muted">{formatTime(shown / fps, true)}</span>
          {sampledIndex >= 0 ? (
            <span className="badge sampled">
              {mode === 'double' && share ? 'Double-coding' : 'Sampled'} {sampledIndex + 1} of {sampled.length}
            </span>
          ) : (
            <span className="badge">{mode === 'double' && share ? 'Not in the double-coding share' : 'Not sampled'}</span>
          )}
          {inShare && mode !== 'double' && <span className="badge double">Double-coding frame</span>}
          {sampledIndex >= 0 && suggested[sampledIndex] === 1 && (
            <span className="badge suggested" title="A model suggested this frame: a label here should teach it the most">
              Suggested
            </span>
          )}
          {person?.marks.some((m) => m.videoId === videoId && m.firstFrame <= shown && shown <= m.lastFrame) && (
            <span className="badge neutral" title="This frame is marked as the person’s neutral face">
              Neutral face
            </span>
          )}
        </div>
        <QueuePicker share={share} sampled={allSampled.length} mode={mode} onChange={setMode} />
        <div className="progress-box" aria-label="Labelling progress">
          <span data-testid="label-progress">
            {done} of {sampled.length} {queueName} labelled ({pct} %)
          </span>
          {queue.data && !sampled.length && (
            <span className="muted small">
              No frames sampled yet: choose a share on the{' '}
              <button type="button" className="link" onClick={() => go({ view: 'home' })}>
                Videos
              </button>{' '}
              tab.
            </span>
          )}
          <progress max={Math.max(1, sampled.length)} value={done} aria-label={`${queueName[0]!.toUpperCase()}${queueName.slice(1)} labelled`} />
        </div>
        <EditActions editor={editor} onReplay={replay} overlay={overlay} onOverlay={setOverlay} onHelp={() => setHelp(true)}>
          <SaveIndicator state={editor.save} unsaved={editor.unsavedCount} onRetry={editor.retryUnsaved} />
        </EditActions>
        {atQueueEnd === frame && (
          <p className="queue-end" role="status" data-testid="queue-end">
            Last {queueName.replace(/s$/, '')}, last AU: digits stop here so they cannot overwrite it. <kbd>N</kbd> starts over from the first, <kbd>↑</kbd> chooses an AU to change.
          </p>
        )}
        <ShareOffer videoId={videoId} coder={annotator} share={share} mode={mode} onChoose={() => setMode('double')} />
      </div>

      <div className="lv-stage-area">
        <FrameStage
          width={video.width}
          height={video.height}
          frame={frame}
          still={still}
          info={info.value}
          overlay={overlay}
          video={{ ref: videoRef, src: media.data, playing: videoVisible }}
          label={`Frame ${shown} of ${video.name}`}
        />
        <aside className="lv-side" aria-label="Frame details">
          <AlignedCrop crop={crop} frame={shown} size={200} />
          <dl className="facts">
            <dt>Face</dt>
            <dd>{info.value && info.frame === frame ? (info.value.face ? `found${info.value.score !== null ? ` (${info.value.score.toFixed(2)})` : ''}` : 'not found') : '…'}</dd>
            <dt>Coded</dt>
            <dd>
              {aus.filter((au) => values.has(au)).length} of {aus.length} AUs
            </dd>
            <dt>Coder</dt>
            <dd>
              <button type="button" className="link" onClick={coder.ask} aria-label={`Coder: ${annotator}. Change the coder`}>
                {annotator}
              </button>
            </dd>
            <dt>Video</dt>
            <dd>
              {video.width}×{video.height} · {fps.toFixed(2)} fps
            </dd>
          </dl>
          <NeutralPanel videoId={videoId} frame={frame} coder={annotator} person={person} />
          <RecentChanges videoId={videoId} annotator={annotator} onGo={setFrame} />
          {editor.loadError && (
            <p className="error-text small" role="alert">
              Labels could not be loaded: {editor.loadError}
            </p>
          )}
        </aside>
      </div>

      <AuPanel
        aus={aus}
        values={values}
        unsaved={editor.unsavedOn(frame)}
        version={editor.version}
        chosen={chosen}
        frame={frame}
        onChoose={setChosen}
        onSet={setLabel}
        onRetry={editor.retryUnsaved}
      />

      <div className="lv-bottom">
        <div className="transport" role="group" aria-label="Playback and navigation">
          <button type="button" className="with-icon" aria-label="Previous sampled frame (P)" title="Previous sampled frame (P)" onClick={() => jumpSampled(-1)}>
            <Icon name="prevMark" /> Prev sampled
          </button>
          <button type="button" className="icon" aria-label="Previous frame (←)" title="Previous frame (←)" onClick={() => step(-1)}>
            <Icon name="stepBack" />
          </button>
          <button type="button" className="icon play" aria-label={playing ? 'Pause (Space)' : 'Play (Space)'} title={playing ? 'Pause (Space)' : 'Play (Space)'} onClick={togglePlay}>
            <Icon name={playing ? 'pause' : 'play'} />
          </button>
          <button type="button" className="icon" aria-label="Next frame (→)" title="Next frame (→)" onClick={() => step(1)}>
            <Icon name="stepForward" />
          </button>
          <button type="button" className="with-icon" aria-label="Next sampled frame (N)" title="Next sampled frame (N)" onClick={() => jumpSampled(1)}>
            Next sampled <Icon name="nextMark" />
          </button>
          <button type="button" className="with-icon" aria-label="Next unlabelled sampled frame (Shift+N)" title="Next unlabelled sampled frame (Shift+N)" onClick={() => jumpSampled(1, true)}>
            Next unlabelled <Icon name="target" />
          </button>
          <GoToFrame frameCount={frameCount} onGo={setFrame} />
          <span className="sr-only" role="status" aria-live="polite">
            {announce}
          </span>
          <span className="muted small announce" aria-hidden="true">
            {announce}
          </span>
        </div>
        <Timeline
          duration={video.duration || frameCount / fps}
          fps={fps}
          frameCount={frameCount}
          hasAudio={video.hasAudio}
          peaks={peaks.error ? null : peaks.data}
          sampled={sampled}
          suggested={suggested}
          states={states}
          statesVersion={editor.version}
          frame={shown}
          onSeek={seek}
        />
      </div>
      {help && <ShortcutsDialog groups={LABEL_SHORTCUTS} onClose={() => setHelp(false)} />}
    </main>
  );
}

function SaveIndicator({ state, unsaved, onRetry }: { state: ReturnType<typeof useLabelEditor>['save']; unsaved: number; onRetry: () => void }) {
  const text =
    state.state === 'saving'
      ? 'Saving…'
      : unsaved > 0
        ? `${unsaved} change${unsaved === 1 ? '' : 's'} not saved`
        : state.state === 'saved'
          ? 'All changes saved'
          : state.state === 'error'
            ? 'Not saved'
            : 'Saved as you go';
  return (
    <span className={`save-state save-${unsaved > 0 ? 'error' : state.state}`} role="status" title={state.state === 'error' ? state.message : 'Every change is written to the project at once'}>
      {text}
      {unsaved > 0 && state.state !== 'saving' && (
        <button type="button" className="ghost small" onClick={onRetry}>
          Retry
        </button>
      )}
    </span>
  );
}

function GoToFrame({ frameCount, onGo }: { frameCount: number; onGo: (f: number) => void }) {
  const [text, setText] = useState('');
  return (
    <form
      className="goto"
      onSubmit={(e) => {
        e.preventDefault();
        const n = Number(text);
        if (Number.isInteger(n) && n >= 0 && n < frameCount) {
          onGo(n);
          setText('');
          (document.activeElement as HTMLElement | null)?.blur();
        }
      }}
    >
      <label className="inline small">
        Go to frame
        <input type="number" min={0} max={frameCount - 1} value={text} onChange={(e) => setText(e.target.value)} placeholder="#" />
      </label>
    </form>
  );
}
