import { memo } from 'react';
import { auColumn } from '@shared/aus';
import { useQuery } from '../../api/hooks';
import { LEVELS, levelText } from '../../components/labelEditor';

const show = (v: number | null) => (v === null ? '—' : (LEVELS[v] ?? String(v)));
const spoken = (v: number | null) => (v === null ? 'no label' : levelText(v));

/**
 * This coder's last label changes on this video (from the history the store keeps), newest
 * first. Only their own: a second coder must not see the first one's values while coding.
 */
function RecentChangesImpl({ videoId, annotator, onGo }: { videoId: number; annotator: string; onGo: (frame: number) => void }) {
  const history = useQuery('labels/history', { videoId, annotator, limit: 8 }, ['labels']);
  const items = history.data ?? [];
  return (
    <section className="recent-changes" aria-labelledby="recent-changes-title">
      <h3 id="recent-changes-title">Your recent changes</h3>
      {items.length === 0 ? (
        <p className="muted small">You have not labelled this video yet.</p>
      ) : (
        <ol>
          {items.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className="change"
                onClick={() => onGo(c.frame)}
                aria-label={`Go to frame ${c.frame}: ${auColumn(c.au)} ${spoken(c.oldIntensity)} to ${spoken(c.newIntensity)}, by ${c.annotator}`}
                title={`${c.annotator}, ${new Date(c.changedAt).toLocaleString()}`}
              >
                <span className="au-code">{auColumn(c.au)}</span>
                <span className="mono">
                  {show(c.oldIntensity)} → {show(c.newIntensity)}
                </span>
                <span className="muted">#{c.frame}</span>
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export const RecentChanges = memo(RecentChangesImpl);
