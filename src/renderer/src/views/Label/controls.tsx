import { useEffect, useRef, useState } from 'react';
import type { VideoRow } from '@shared/types';

/** True when a key press belongs to a text field, not to the view's shortcuts. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'range'].includes(target.type);
  return false;
}

/** The annotator name: edited freely, applied on Enter or when the field loses focus. */
export function AnnotatorField({ value, onChange }: { value: string; onChange: (name: string) => void }) {
  const [draft, setDraft] = useState(value);
  const cancelled = useRef(false);
  useEffect(() => setDraft(value), [value]);
  const commit = () => {
    if (cancelled.current) {
      cancelled.current = false;
      setDraft(value);
      return;
    }
    const name = draft.trim().slice(0, 64);
    if (name && name !== value) onChange(name);
    else setDraft(value);
  };
  return (
    <label className="inline annotator" title="Labels are stored per annotator; this name is remembered on this computer">
      Annotator
      <input
        value={draft}
        maxLength={64}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            commit();
            e.currentTarget.blur();
          }
          if (e.key === 'Escape') {
            cancelled.current = true;
            e.currentTarget.blur();
          }
        }}
      />
    </label>
  );
}

export function VideoSwitcher({ videos, videoId, onChange }: { videos: VideoRow[]; videoId: number; onChange: (id: number) => void }) {
  const ready = videos.filter((v) => v.status === 'ready' || v.id === videoId);
  return (
    <label className="inline video-switch">
      <span className="sr-only">Video</span>
      <select value={videoId} onChange={(e) => onChange(Number(e.target.value))} aria-label="Video">
        {ready.map((v) => (
          <option key={v.id} value={v.id}>
            {v.name}
          </option>
        ))}
      </select>
    </label>
  );
}
