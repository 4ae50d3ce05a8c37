import { memo } from 'react';
import { auColumn } from '@shared/aus';
import { useQuery } from '../../api/hooks';
import { LEVELS } from '../../components/labelEditor';

const show = (v: number | null) => (v === null ? '—' : (LEVELS[v] ?? String(v)));

/** The last label changes on this video (from the history the store keeps), newest first. */
function RecentChangesImpl({ videoId, annotator, onGo }: { videoId: number; annotator: string; onGo: (frame: number) => void }) {
  const history = useQuery('labels/history', { videoId, limit: 8 }, ['labels']);
  const items = history.data ?? [];
  return (
    <section className="recent-changes" aria-labelledby="recent-changes-title">
      <h3 id="recent-changes-title">Recent changes</h3>
      {items.length === 0 ? (
        <p className="muted small">No labels on this video yet.</p>
      ) : (
        <ol>
          {items.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className="change"
                onClick={() => onGo(c.frame)}
                aria-label={`Go to frame ${c.frame}: ${auColumn(c.au)} ${show(c.oldIntensity)} to ${show(c.newIntensity)}${c.annotator !== annotator ? ` by ${c.annotator}` : ''}`}
              >
                <span className="au-code">{auColumn(c.au)}</span>
                <span className="mono">
                  {show(c.oldIntensity)} → {show(c.newIntensity)}
                </span>
                <span className="muted">#{c.frame}</span>
                {c.annotator !== annotator && <span className="muted who">{c.annotator}</span>}
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export const RecentChanges = memo(RecentChangesImpl);
