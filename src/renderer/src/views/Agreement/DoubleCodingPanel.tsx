import { useState } from 'react';
import type { DoubleCodingSet, VideoRow } from '@shared/types';
import { useApi, useQuery } from '../../api/hooks';
import { useNotify } from '../../components/Notices';

/** Sets aside a seeded share of every video's sampled frames for a second coder. */
export function DoubleCodingPanel({ videos }: { videos: VideoRow[] }) {
  const api = useApi();
  const notify = useNotify();
  const shares = useQuery('doubleCoding/list', {}, ['samples']);
  const [percent, setPercent] = useState('20');
  const [seed, setSeed] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const sampledVideos = videos.filter((v) => v.sampled > 0);
  const nameOf = (videoId: number) => videos.find((v) => v.id === videoId)?.name ?? `video ${videoId}`;

  /** A share never grows by itself; this is the explicit grow, back to its percent of the sample now. */
  const grow = async (s: DoubleCodingSet) => {
    setBusy(true);
    setError(null);
    try {
      const [grown] = await api.call('doubleCoding/create', { videoId: s.videoId, percent: s.percent });
      const added = (grown?.frames.length ?? s.frames.length) - s.frames.length;
      notify(
        'info',
        `The double-coding share of ${nameOf(s.videoId)} grew from ${s.frames.length} to ${s.frames.length + added} frames: its second coder has ${added} more frame${added === 1 ? '' : 's'} to code.`,
      );
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const submit = async () => {
    const p = Number(percent);
    const s = seed.trim() === '' ? undefined : Number(seed);
    if (!(p > 0 && p <= 100)) return setError('The share is a percentage above 0 and at most 100.');
    if (s !== undefined && !(Number.isInteger(s) && s >= 0)) return setError('The seed is a whole number (0 or more), or empty for a random one.');
    setBusy(true);
    setError(null);
    try {
      const sets = await api.call('doubleCoding/create', { percent: p, ...(s !== undefined ? { seed: s } : {}) });
      const frames = sets.reduce((n, x) => n + x.frames.length, 0);
      notify('info', `${frames} sampled frames across ${sets.length} video${sets.length === 1 ? '' : 's'} are set aside for a second coder.`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="double-title">
      <h2 id="double-title">Double coding</h2>
      <p className="muted small">
        A seeded share of each video’s sampled frames for a second coder, who codes it under their own name in the Label view (Frames → Double-coding share) without seeing the first
        coder’s values.
      </p>
      <form
        className="double-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label className="inline small">
          Share
          <input type="number" min={1} max={100} step="any" value={percent} onChange={(e) => setPercent(e.target.value)} aria-label="Share of the sampled frames, in percent" />
          <span aria-hidden="true">%</span>
        </label>
        <label className="inline small">
          Seed
          <input type="number" min={0} value={seed} placeholder="random" onChange={(e) => setSeed(e.target.value)} aria-label="Seed (empty for a random one)" />
        </label>
        <button type="submit" className="primary" disabled={busy || !sampledVideos.length} title={sampledVideos.length ? undefined : 'Sample frames on the Videos tab first'}>
          Set aside
        </button>
      </form>
      {error && (
        <p className="error-text small" role="alert">
          {error}
        </p>
      )}
      {shares.data && shares.data.length > 0 ? (
        <table className="shares-table" aria-label="Double-coding shares">
          <thead>
            <tr>
              <th scope="col">Video</th>
              <th scope="col">Share</th>
              <th scope="col">Seed</th>
            </tr>
          </thead>
          <tbody>
            {shares.data.map((s) => (
              <tr key={s.videoId}>
                <th scope="row">{nameOf(s.videoId)}</th>
                <td>
                  {s.frames.length} of {s.sampled} frames ({s.percent} %)
                  {s.behind > 0 && (
                    <span className="share-behind small">
                      {' '}
                      — the sample grew: {s.behind} frame{s.behind === 1 ? '' : 's'} short of {s.percent} % (fixed until grown).{' '}
                      <button type="button" className="small-btn" disabled={busy} onClick={() => void grow(s)} aria-label={`Grow the share of ${nameOf(s.videoId)} by ${s.behind} frame${s.behind === 1 ? '' : 's'}`}>
                        Grow the share
                      </button>
                    </span>
                  )}
                </td>
                <td className="muted">{s.seed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">{sampledVideos.length ? 'No share set aside yet.' : 'Sample frames on the Videos tab first.'}</p>
      )}
    </section>
  );
}
