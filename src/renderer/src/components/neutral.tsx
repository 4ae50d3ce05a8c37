/**
 * The person's neutral reference in the Label and Review views: which one the person-specific
 * normalisation uses for this video's person (the frames marked neutral across the person's
 * videos, or each video's median), and, in Label, the controls to mark and clear it.
 */
import { useState } from 'react';
import { referenceText } from '@shared/neutral';
import type { NeutralSubject } from '@shared/types';
import { useApi, useQuery } from '../api/hooks';
import { useNotify } from './Notices';
import '../coding.css';

/** The person of `videoId`, reloaded whenever marks or subjects change. */
export function useNeutral(videoId: number): NeutralSubject | null {
  const q = useQuery('neutral/list', { videoId }, ['neutral', 'videos']);
  return q.data?.[0] ?? null;
}

const HELP =
  'What each frame is compared with before training and prediction (person-specific normalisation): the frames marked as this person’s neutral face, over all of their videos, or, where none are marked, each video’s median face.';

export function ReferenceBadge({ person }: { person: NeutralSubject | null }) {
  if (!person) return null;
  return (
    <span className={`badge${person.reference.kind === 'neutral' ? ' neutral' : ''}`} data-testid="reference" title={HELP}>
      Reference: {referenceText(person.reference)}
    </span>
  );
}

/**
 * Mark the current frame, or a segment (start it here, move, mark up to the current frame), as
 * the person's neutral face; remove one mark or all of the person's. Buttons only, so Tab and
 * Enter reach every action.
 */
export function NeutralPanel({ videoId, frame, coder, person }: { videoId: number; frame: number; coder: string; person: NeutralSubject | null }) {
  const api = useApi();
  const notify = useNotify();
  const [start, setStart] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const who = person?.person ?? 'this person';
  const run = async (f: () => Promise<unknown>, done?: string) => {
    setBusy(true);
    try {
      await f();
      if (done) notify('info', done);
    } catch (err) {
      notify('error', (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const [lo, hi] = start === null ? [frame, frame] : [Math.min(start, frame), Math.max(start, frame)];
  const mark = () =>
    run(async () => {
      await api.call('neutral/mark', { videoId, firstFrame: lo, lastFrame: hi, coder });
      setStart(null);
    });
  const mine = person?.marks ?? [];
  return (
    <section className="neutral-panel" aria-labelledby="neutral-title">
      <h3 id="neutral-title">Neutral face of {who}</h3>
      <ReferenceBadge person={person} />
      <div className="neutral-actions">
        <button type="button" className="small-btn" disabled={busy} onClick={mark}>
          {lo === hi ? `Mark frame ${lo} as neutral` : `Mark frames ${lo}–${hi} as neutral`}
        </button>
        {start === null ? (
          <button type="button" className="small-btn ghost" disabled={busy} onClick={() => setStart(frame)} title="Then move to the segment's last frame and mark it">
            Start a segment here
          </button>
        ) : (
          <button type="button" className="small-btn ghost" onClick={() => setStart(null)}>
            Cancel the segment
          </button>
        )}
      </div>
      {mine.length > 0 && (
        <>
          <ul className="neutral-marks">
            {mine.map((m) => (
              <li key={m.id}>
                <span>
                  {m.videoId === videoId ? 'this video' : m.videoName} · {m.firstFrame === m.lastFrame ? `frame ${m.firstFrame}` : `frames ${m.firstFrame}–${m.lastFrame}`}
                  <span className="muted"> · {m.coder}</span>
                </span>
                <button
                  type="button"
                  className="ghost small-btn"
                  disabled={busy}
                  aria-label={`Remove the neutral mark on ${m.videoName} ${m.firstFrame === m.lastFrame ? `frame ${m.firstFrame}` : `frames ${m.firstFrame}–${m.lastFrame}`}`}
                  onClick={() => run(() => api.call('neutral/clear', { markId: m.id }))}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <button type="button" className="small-btn ghost" disabled={busy} onClick={() => run(() => api.call('neutral/clear', { videoId }), `${who} is normalised against each video’s median again.`)}>
            Clear the neutral face of {who}
          </button>
        </>
      )}
    </section>
  );
}
