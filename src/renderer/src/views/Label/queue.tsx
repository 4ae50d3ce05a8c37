/**
 * Which frames the Label view walks: every sampled frame, or only the video's double-coding
 * share (the frames set aside for a second coder). A second coder is offered the share when
 * someone else has already coded the video; what they coded is never shown, only that they did.
 */
import { useEffect, useState } from 'react';
import type { DoubleCodingSet } from '@shared/types';
import { useQuery } from '../../api/hooks';

export type QueueMode = 'all' | 'double';
const KEY = 'auw.queueMode';

/** The chosen mode (remembered in this browser); 'all' whenever the video has no share. */
export function useQueueMode(share: DoubleCodingSet | null): [QueueMode, (m: QueueMode) => void] {
  const [mode, setMode] = useState<QueueMode>(() => {
    try {
      return localStorage.getItem(KEY) === 'double' ? 'double' : 'all';
    } catch {
      return 'all';
    }
  });
  useEffect(() => {
    try {
      localStorage.setItem(KEY, mode);
    } catch {
      /* private mode: the choice lasts for this page */
    }
  }, [mode]);
  return [share ? mode : 'all', setMode];
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
