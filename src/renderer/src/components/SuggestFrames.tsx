import { useState } from 'react';
import { useApi, useQuery } from '../api/hooks';
import { useNotify } from './Notices';

/**
 * *Suggest frames*: once a finetuned model exists, it ranks the unlabelled face frames by what a
 * label there would teach (where it and the HOG + geometry baseline disagree, where its tracks
 * jump), spread over the videos and in time. The picks join the labelling queue with a violet
 * ring on the timeline; N / P reach them like any sampled frame.
 */
export function SuggestFrames() {
  const api = useApi();
  const notify = useNotify();
  const models = useQuery('models/list', {}, ['models']);
  const sets = useQuery('samples/list', {}, ['samples']);
  const finetuned = (models.data ?? []).filter((m) => m.stage === 'finetune');
  const [modelId, setModelId] = useState<number | null>(null);
  const [percent, setPercent] = useState(1);
  const chosen = finetuned.find((m) => m.id === modelId) ?? finetuned[0];
  const suggested = (sets.data ?? []).filter((s) => s.strategy === 'suggested');
  const suggestedFrames = suggested.reduce((n, s) => n + s.frames, 0);

  const run = async () => {
    try {
      await api.call('samples/suggest', { percent, ...(chosen ? { modelId: chosen.id } : {}) });
      notify('info', `Suggesting ${percent} % of the frames with ${chosen?.name ?? 'the newest model'}: follow the progress in Jobs. The suggestions appear on the Label timeline.`);
    } catch (e) {
      notify('error', (e as Error).message);
    }
  };

  return (
    <div className="suggest-form" role="group" aria-labelledby="suggest-title">
      <h4 id="suggest-title">Suggest frames</h4>
      <p className="muted small">
        {finetuned.length
          ? 'Frames where a label should teach the model the most: where it and the HOG + geometry baseline disagree, and where its tracks jump; spread over the videos and in time.'
          : 'After a finetune, a model can suggest the frames where a label should teach it the most.'}
        {suggestedFrames > 0 && ` ${suggestedFrames} frames suggested so far.`}
      </p>
      <div className="row">
        <label className="inline">
          Model
          <select aria-label="Model that suggests" value={chosen?.id ?? ''} disabled={!finetuned.length} onChange={(e) => setModelId(Number(e.target.value))}>
            {!finetuned.length && <option value="">no finetuned model yet</option>}
            {finetuned.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          Share (%)
          <input type="number" aria-label="Share of frames to suggest (%)" min={0.1} max={20} step={0.1} value={percent} onChange={(e) => setPercent(Number(e.target.value))} style={{ width: 90 }} />
        </label>
        <button type="button" disabled={!finetuned.length} onClick={run}>
          Suggest {percent} % of frames
        </button>
      </div>
    </div>
  );
}
