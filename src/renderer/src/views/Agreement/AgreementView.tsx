/**
 * Coders and their agreement: who labelled what, the double-coding share a second coder works
 * through, the reliability figures FACS studies report (per AU and on average: ICC(3,1),
 * Pearson r, MAE and linearly weighted kappa on 0–5), the largest disagreements (each opens in
 * the Label view), and the rule that turns several coders' labels into one value for training.
 */
import { useEffect, useState } from 'react';
import type { ProjectSummary } from '@shared/types';
import { useQuery } from '../../api/hooks';
import { useCoder } from '../../components/coder';
import type { Route } from '../../route';
import { AgreementTable, Disagreements } from './AgreementTable';
import { DoubleCodingPanel } from './DoubleCodingPanel';
import { TrainingRule } from './TrainingRule';
import '../../coding.css';

export function AgreementView({ project, go }: { project: ProjectSummary; go: (r: Route) => void }) {
  const { name: me } = useCoder();
  const coders = useQuery('coders/list', {}, ['labels']);
  const videos = useQuery('videos/list', {}, ['videos', 'samples', 'labels']);
  const [pair, setPair] = useState<{ a: string; b: string } | null>(null);
  const [videoId, setVideoId] = useState<number | null>(null);
  const report = useQuery(
    'agreement/compute',
    { ...(pair ? { coderA: pair.a, coderB: pair.b } : {}), ...(videoId !== null ? { videoId } : {}), limit: 50 },
    ['labels'],
  );
  const names = (coders.data ?? []).map((c) => c.name);
  // A chosen coder who no longer has labels (all removed) falls back to the default pair.
  useEffect(() => {
    if (pair && (!names.includes(pair.a) || !names.includes(pair.b))) setPair(null);
  }, [names.join('\n')]); // eslint-disable-line react-hooks/exhaustive-deps -- names is a new array each render; its content is what changes
  const shown = report.data && !report.error ? report.data : null;
  const a = pair?.a ?? shown?.coderA ?? '';
  const b = pair?.b ?? shown?.coderB ?? '';
  const choose = (which: 'a' | 'b', name: string) => {
    const next = which === 'a' ? { a: name, b: name === b ? (names.find((n) => n !== name) ?? b) : b } : { a: a === name ? (names.find((n) => n !== name) ?? a) : a, b: name };
    setPair(next);
  };

  return (
    <main className="agreement-view" aria-label="Coders and agreement">
      <div className="agreement-side">
        <section className="panel" aria-labelledby="coders-title">
          <h2 id="coders-title">Coders</h2>
          {coders.data && coders.data.length === 0 ? (
            <p className="muted small">Nobody has labelled this project yet.</p>
          ) : (
            <table className="coders-table" aria-label="Coders in this project">
              <thead>
                <tr>
                  <th scope="col">Coder</th>
                  <th scope="col">Labels</th>
                  <th scope="col">Frames</th>
                  <th scope="col">Videos</th>
                </tr>
              </thead>
              <tbody>
                {(coders.data ?? []).map((c) => (
                  <tr key={c.name}>
                    <th scope="row">
                      {c.name} {c.name === me && <span className="tag">this computer</span>}
                    </th>
                    <td>{c.labels}</td>
                    <td>{c.frames}</td>
                    <td>{c.videos}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <DoubleCodingPanel videos={videos.data ?? []} />
        <TrainingRule coders={names} />
      </div>

      <section className="panel agreement-main" aria-labelledby="agreement-title">
        <div className="panel-head">
          <h2 id="agreement-title">Agreement</h2>
          <div className="toolbar agreement-pick">
            <label className="inline small">
              Coder A
              <select aria-label="Coder A" value={a} disabled={names.length < 2} onChange={(e) => choose('a', e.target.value)}>
                {!a && <option value="">—</option>}
                {names.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
            <label className="inline small">
              Coder B
              <select aria-label="Coder B" value={b} disabled={names.length < 2} onChange={(e) => choose('b', e.target.value)}>
                {!b && <option value="">—</option>}
                {names.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
            <label className="inline small">
              Videos
              <select aria-label="Videos to compare" value={videoId ?? ''} onChange={(e) => setVideoId(e.target.value ? Number(e.target.value) : null)}>
                <option value="">All videos</option>
                {(videos.data ?? []).map((v) => (
                  <option key={v.id} value={v.id}>
                    {v.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </div>
        {report.error ? (
          <div className="agreement-empty" role="status">
            <p>{report.error.message}</p>
          </div>
        ) : shown ? (
          <>
            <AgreementTable report={shown} aus={project.auSet.aus} />
            <Disagreements report={shown} onOpen={(d) => go({ view: 'label', videoId: d.videoId, frame: d.frame, au: d.au })} />
          </>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>
    </main>
  );
}
