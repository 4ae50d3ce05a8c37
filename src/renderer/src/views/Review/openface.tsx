/**
 * OpenFace in Review: the video's imported OpenFace track (read-only) as a third set of lanes,
 * its import (a CSV picked in the server-side browser, or with the system's file dialog in the
 * desktop shell), and how it scores on your labels beside the chosen model, on the same frames.
 */
import { useEffect, useRef, useState } from 'react';
import { auColumn, auInfo } from '@shared/aus';
import { ApiError } from '@shared/errors';
import { fixed } from '@shared/numbers';
import type { OpenFaceTrackInfo } from '@shared/types';
import { useApi, useEvent, useQuery } from '../../api/hooks';
import { Dialog } from '../../components/Dialog';
import { usePickFolder } from '../../components/FolderPicker';
import { useNotify } from '../../components/Notices';
import type { Track } from './predictions';

export const COLOR_OPENFACE = '#5fd39a';
/** The chosen model's colour in Review (Lanes' COLOR_A). */
const COLOR_MODEL = '#5b9cff';

export interface OpenFaceState {
  info: OpenFaceTrackInfo | null;
  track: Track | null;
  settled: boolean;
}

/** The video's OpenFace track as lanes (NaN where OpenFace found no face). */
export function useOpenFace(videoId: number): OpenFaceState {
  const api = useApi();
  const [state, setState] = useState<OpenFaceState>({ info: null, track: null, settled: false });
  const [tick, setTick] = useState(0);
  useEvent('data/changed', (p) => {
    if (p.domain === 'openface' && (p.videoId === undefined || p.videoId === videoId)) setTick((t) => t + 1);
  });
  useEffect(() => {
    let live = true;
    api.call('openface/get', { videoId }).then(
      (t) => {
        if (!live) return;
        if (!t) return setState({ info: null, track: null, settled: true });
        const lanes = new Map<number, Float32Array>();
        for (const au of t.aus) lanes.set(au, Float32Array.from(t.values[au] ?? [], (v) => (v === null ? Number.NaN : v)));
        const { values: _v, ...info } = t;
        setState({ info, track: { modelId: -1, frameCount: t.frameCount, lanes }, settled: true });
      },
      () => live && setState({ info: null, track: null, settled: true }),
    );
    return () => {
      live = false;
    };
  }, [api, videoId, tick]);
  return state;
}

/** "Import OpenFace CSV…": asks to replace an existing track; a refused file changes nothing. */
export function OpenFaceImport({ videoId, videoName, existing, nativeFiles }: { videoId: number; videoName: string; existing: OpenFaceTrackInfo | null; nativeFiles: boolean }) {
  const api = useApi();
  const notify = useNotify();
  const picker = usePickFolder(false);
  const input = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (path: string, replace: boolean) => {
    setBusy(true);
    try {
      const r = await api.call('openface/import', { videoId, path, replace });
      setProblem(null);
      notify('info', `${r.replaced ? 'Replaced' : 'Imported'} the OpenFace track of ${videoName}: ${r.frameCount} frames, a face on ${r.faces}, ${r.aus.length} AUs.`);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'conflict' && !replace) setConfirm(path);
      else setProblem((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const start = async () => {
    setProblem(null);
    if (nativeFiles) return input.current?.click();
    const path = await picker.pickCsv(`OpenFace CSV for ${videoName}`);
    if (path) await run(path, false);
  };

  return (
    <div className="of-tools">
      <button type="button" className="small-btn" disabled={busy} onClick={() => void start()} title="An OpenFace 2 FeatureExtraction CSV made from this video, shown as a read-only track">
        {existing ? 'Replace OpenFace CSV…' : 'Import OpenFace CSV…'}
      </button>
      {nativeFiles && (
        <input
          ref={input}
          type="file"
          accept=".csv,text/csv"
          hidden
          aria-hidden="true"
          tabIndex={-1}
          onChange={async (e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (!file) return;
            const [path] = await api.intake([file]);
            if (path) await run(path, false);
          }}
        />
      )}
      {picker.element}
      {problem && (
        <Dialog title="The OpenFace CSV was not imported" onClose={() => setProblem(null)}>
          <p role="alert">{problem}</p>
          <div className="modal-actions">
            <button type="button" className="primary" onClick={() => setProblem(null)}>
              OK
            </button>
          </div>
        </Dialog>
      )}
      {confirm && (
        <Dialog title="Replace the OpenFace track?" onClose={() => setConfirm(null)}>
          <p>
            {videoName} already has an OpenFace track{existing ? ` (from ${existing.source.split(/[\\/]/).pop()})` : ''}. Replace it with {confirm.split(/[\\/]/).pop()}?
          </p>
          <div className="modal-actions">
            <button type="button" onClick={() => setConfirm(null)}>
              Keep the current track
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => {
                const path = confirm;
                setConfirm(null);
                void run(path, true);
              }}
            >
              Replace
            </button>
          </div>
        </Dialog>
      )}
    </div>
  );
}

const fmt = (v: number | null | undefined) => fixed(v, 2);

/** OpenFace and the model against your labels on the same frames and AUs (the metrics tables' figures). */
export function OpenFaceCompare({ videoId, modelId, modelName }: { videoId: number; modelId: number | null; modelName: string | null }) {
  const c = useQuery('openface/compare', { videoId, ...(modelId !== null ? { modelId } : {}) }, ['labels', 'openface', 'predictions', 'rule', 'models']);
  if (c.error) return <p className="muted small">{c.error.message}</p>;
  if (!c.data) return null;
  const { openface, model } = c.data;
  if (!openface.frames) {
    return (
      <section className="rv-compare" aria-label="OpenFace on your labels">
        <p className="muted small">Label some frames of this video to score OpenFace{model ? ` and ${modelName ?? 'the model'}` : ''} on them.</p>
      </section>
    );
  }
  const sw = (color: string) => <span className="swatch" style={{ background: color }} aria-hidden="true" />;
  return (
    <details className="rv-compare" aria-label="OpenFace on your labels">
      <summary>
        On your labels, mean ICC:{model && <> {sw(COLOR_MODEL)}model {fmt(model.mean.icc)} ·</>} {sw(COLOR_OPENFACE)}OpenFace {fmt(openface.mean.icc)}{' '}
        <span className="muted small">({openface.frames} frames{model ? ', the same for both' : ''})</span>
      </summary>
      <table aria-label={`${modelName ?? 'Model'} and OpenFace on your labels`}>
        <thead>
          <tr>
            <th scope="col">AU</th>
            <th scope="col">n</th>
            {model && (
              <th scope="col" aria-label="ICC model" title="ICC(3,1) of the model">
                ICC {sw(COLOR_MODEL)}
              </th>
            )}
            <th scope="col" aria-label="ICC OpenFace" title="ICC(3,1) of OpenFace">
              ICC {sw(COLOR_OPENFACE)}
            </th>
            {model && (
              <th scope="col" aria-label="MAE model" title="Mean absolute error of the model">
                MAE {sw(COLOR_MODEL)}
              </th>
            )}
            <th scope="col" aria-label="MAE OpenFace" title="Mean absolute error of OpenFace">
              MAE {sw(COLOR_OPENFACE)}
            </th>
          </tr>
        </thead>
        <tbody>
          {openface.perAu.map((o, i) => {
            const m = model?.perAu[i];
            return (
              <tr key={o.au}>
                <th scope="row" title={auInfo(o.au).name}>
                  {auColumn(o.au)}
                </th>
                <td className="muted">{o.n}</td>
                {model && <td className="mono">{fmt(m?.icc)}</td>}
                <td className="mono">{fmt(o.icc)}</td>
                {model && <td className="mono">{fmt(m?.mae)}</td>}
                <td className="mono">{fmt(o.mae)}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">mean</th>
            <td />
            {model && <td className="mono">{fmt(model.mean.icc)}</td>}
            <td className="mono">{fmt(openface.mean.icc)}</td>
            {model && <td className="mono">{fmt(model.mean.mae)}</td>}
            <td className="mono">{fmt(openface.mean.mae)}</td>
          </tr>
        </tfoot>
      </table>
    </details>
  );
}
