/**
 * Which frames the Label view walks: every sampled frame, or only the video's double-coding
 * share (the frames set aside for a second coder). A second coder is offered the share when
 * someone else has already coded the video; what they coded is never shown, only that they did.
 */
import { useCallback, useEffect, useState } from 'react';
import type { DoubleCodingSet } from '@shared/types';
import { useQuery } from '../../api/hooks';

export type QueueMode = 'all' | 'double';
/** Once one key for the whole browser, so one coder's share followed the next coder to every video: dropped. */
const LEGACY_KEY = 'auw.queueMode';

/** Where a coder's mode for one video is remembered (in this browser). */
export function queueModeKey(coder: string, videoId: number): string {
  return `auw.queueMode.v2:${videoId}:${encodeURIComponent(coder)}`;
}

function readMode(key: string): QueueMode {
  try {
    return localStorage.getItem(key) === 'double' ? 'double' : 'all';
  } catch {
    return 'all';
  }
}

/**
 * The mode a coder chose for a video: it belongs to that coder and that video, so another
 * coder, or the same coder on another video, starts on every sampled frame. 'all' whenever
 * the video has no share (or no coder is known yet).
 */
export function useQueueMode(share: DoubleCodingSet | null, coder: string, videoId: number): [QueueMode, (m: QueueMode) => void] {
  const key = queueModeKey(coder, videoId);
  const [chosen, setChosen] = useState<{ key: string; mode: QueueMode }>(() => ({ key, mode: coder ? readMode(key) : 'all' }));
  const mode = chosen.key === key ? chosen.mode : coder ? readMode(key) : 'all';
  useEffect(() => {
    try {
      localStorage.removeItem(LEGACY_KEY);
    } catch {
      /* private mode */
    }
  }, []);
  useEffect(() => {
    if (chosen.key !== key) setChosen({ key, mode });
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps -- follows the coder and video; mode is read from the new key
  const choose = useCallback(
    (m: QueueMode) => {
      setChosen({ key, mode: m });
      if (!coder) return;
      try {
        if (m === 'double') localStorage.setItem(key, m);
        else localStorage.removeItem(key);
      } catch {
        /* private mode: the choice lasts for this page */
      }
    },
    [key, coder],
  );
  return [share && coder ? mode : 'all', choose];
}

export function QueuePicker({ share, sampled, mode, onChange }: { share: DoubleCodingSet | null; sampled: number; mode: QueueMode; onChange: (m: QueueMode) => void }) {
  if (!share) return null;
  return (
    <label className="inline queue-pick small">
      Frames
      <select aria-label="Frames to code" value={mode} onChange={(e) => onChange(e.target.value === 'double' ? 'double' : 'all')}>
        <option value="all">All sampled ({sampled})</option>
        <option value="double">Double-coding share ({share.frames.length})</option>
      </select>
    </label>
  );
}

/** "Someone else coded this video": the share is offered, without a word about their values. */
export function ShareOffer({ videoId, coder, share, mode, onChoose }: { videoId: number; coder: string; share: DoubleCodingSet | null; mode: QueueMode; onChoose: () => void }) {
  const coders = useQuery('coders/list', { videoId }, ['labels']);
  const others = (coders.data ?? []).filter((c) => c.name !== coder);
  const mine = (coders.data ?? []).find((c) => c.name === coder);
  if (!share || mode === 'double' || !others.length || (mine && mine.frames > share.frames.length)) return null;
  return (
    <div className="share-offer" role="note" aria-label="Double coding">
      <span>
        {others.map((c) => c.name).join(', ')} {others.length === 1 ? 'has' : 'have'} coded this video. {share.frames.length} of its sampled frames are set aside for a second coder: code them
        without looking at anyone else’s values, and the Agreement tab compares the two.
      </span>
      <button type="button" className="primary small-btn" onClick={onChoose}>
        Code the double-coding share
      </button>
    </div>
  );
}
