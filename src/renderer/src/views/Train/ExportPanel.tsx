import { useState } from 'react';
import type { ExportResult, ModelRow } from '@shared/types';
import { useApi, useQuery } from '../../api/hooks';
import { useNotify } from '../../components/Notices';

/**
 * Exports a finetuned model's predictions as OpenFace-style CSVs (one per video) plus
 * model.json. Browser mode offers the files as downloads; the desktop app saves via a dialog.
 */
export function ExportPanel({ model }: { model: ModelRow }) {
  const api = useApi();
  const notify = useNotify();
  const videos = useQuery('videos/list', {}, ['videos']);
  const [scope, setScope] = useState<number | 'all'>('all');
  const [result, setResult] = useState<ExportResult | null>(null);
  if (model.stage !== 'finetune') return null;
  const run = async () => {
    try {
      const r = await api.call('export/run', { modelId: model.id, ...(scope === 'all' ? {} : { videoId: scope }) });
      setResult(r);
      if (api.shell === 'electron') {
        const saved = await api.call('export/saveAs', { relDir: r.relDir });
        if (saved) notify('info', `Saved to ${saved}.`);
      }
    } catch (e) {
      notify('error', (e as Error).message);
    }
  };
  return (
    <section className="export" aria-labelledby="export-title">
      <h3 id="export-title">Export intensities</h3>
      <div className="row">
        <label className="inline">
          Videos
          <select value={String(scope)} onChange={(e) => setScope(e.target.value === 'all' ? 'all' : Number(e.target.value))}>
            <option value="all">Whole project</option>
            {videos.data?.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={run}>
          Export CSV (OpenFace columns)
        </button>
      </div>
      {result && (
        <ul className="export-files" aria-label="Exported files">
          {result.files.map((f) => (
            <li key={f.relPath}>
              {api.shell === 'browser' ? (
                <a
                  href={`/media/export/${f.relPath}`}
                  download={f.name}
                  onClick={(e) => {
                    e.preventDefault();
                    api.download(`/media/export/${f.relPath}`, f.name).catch((err: Error) => notify('error', err.message));
                  }}
                >
                  {f.name}
                </a>
              ) : (
                <code>{f.name}</code>
              )}
              <span className="muted small">
                {' '}
                {f.rows !== null ? `${f.rows} rows · ` : ''}
                {(f.bytes / 1024).toFixed(1)} KiB
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
