import type { ModelRow, MetricsTable, NeutralReference } from '@shared/types';
import { normalisationText } from '@shared/neutral';
import { fixed } from '@shared/numbers';
import { useApi } from '../../api/hooks';
import { useNotify } from '../../components/Notices';
import { comparisonOf } from '@shared/comparison';

/** The model's score on people it never saw (what it delivers, where it mixes in the baseline), the network's and the baseline's on the same frames, with their footing. */
function scores(m: ModelRow): { headline: string; detail: string; footing: string } {
  const c = comparisonOf(m);
  const f = (t: MetricsTable | null | undefined) => fixed(t?.mean.icc, 2);
  if (!c) return { headline: '–', detail: '', footing: m.stage === 'finetune' ? 'no held-out people' : '' };
  if (c.delivered) return { headline: f(c.delivered), detail: `network ${f(c.network)}, baseline ${f(c.baseline)}`, footing: `Delivered per-AU mix. ${c.footing}` };
  return { headline: f(c.network), detail: c.baseline ? f(c.baseline) : '', footing: c.footing };
}

/** What trained a model: its objectives (with settings) or the labels it was finetuned on. */
export function trainedWith(m: ModelRow): string {
  if (m.stage === 'pretrain') {
    const objectives = (m.params.objectives ?? []) as { kind: string; weight: number; params?: Record<string, unknown> }[];
    return objectives
      .map((o) => {
        const settings = Object.entries(o.params ?? {}).map(([k, v]) => `${k} ${String(v)}`);
        return `${o.kind} ×${o.weight}${settings.length ? ` (${settings.join(', ')})` : ''}`;
      })
      .join(' + ');
  }
  const n = m.params.labelledFrames as { train: number; val: number } | undefined;
  if (!n) return '';
  const rule = m.params.labelRule as { kind: 'mean' } | { kind: 'coder'; coder: string } | undefined;
  const how = rule ? (rule.kind === 'coder' ? `; ${rule.coder}'s labels first, else the coders' mean` : "; the coders' mean") : '';
  const norm = normalisationText((m.params.normalisation as { people?: Record<string, NeutralReference> } | undefined)?.people);
  return (n.val ? `${n.train + n.val} labelled frames (${n.val} for validation)` : `${n.train} labelled frames`) + how + (norm ? `; ${norm}` : '');
}

/** Every model of the project: stage, lineage, date, data and its headline metric. */
export function ModelList({ models, selected, onSelect, onRemoved }: { models: ModelRow[]; selected: number | null; onSelect: (id: number) => void; onRemoved: () => void }) {
  const api = useApi();
  const notify = useNotify();
  if (!models.length) return <p className="muted small">No models yet. Pretrain or finetune to create one.</p>;
  const byId = new Map(models.map((m) => [m.id, m]));
  return (
    <table className="models" aria-label="Models">
      <thead>
        <tr>
          <th scope="col">Model</th>
          <th scope="col">Stage</th>
          <th scope="col">From</th>
          <th scope="col">Trained with</th>
          <th scope="col" title="Mean ICC(3,1) on people the model never saw (cross-validated): what the model delivers, and in brackets the network's and the baseline's on the same frames">
            ICC (network, baseline)
          </th>
          <th scope="col">Created</th>
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {models.map((m) => (
          <tr key={m.id} className={m.id === selected ? 'selected' : undefined}>
            <td>
              <button type="button" className="link" aria-pressed={m.id === selected} onClick={() => onSelect(m.id)} title={`${m.backend ?? ''} · ${JSON.stringify(m.params).slice(0, 200)}`}>
                {m.name}
              </button>
            </td>
            <td>
              <span className={`state state-${m.stage === 'finetune' ? 'ready' : 'pending'}`}>{m.stage}</span>
            </td>
            <td className="muted small">{m.parentId ? (byId.get(m.parentId)?.name ?? `#${m.parentId}`) : '—'}</td>
            <td className="small wrap">{trainedWith(m)}</td>
            <td title={scores(m).footing}>
              {scores(m).headline}
              {scores(m).detail && <span className="muted small"> ({scores(m).detail})</span>}
            </td>
            <td className="muted small">{new Date(m.createdAt).toLocaleString()}</td>
            <td>
              <button
                type="button"
                className="ghost"
                aria-label={`Remove model ${m.name}`}
                onClick={() => {
                  if (confirm(`Remove model ${m.name} and its predictions?`)) api.call('models/remove', { modelId: m.id }).then(onRemoved, (e: Error) => notify('error', e.message));
                }}
              >
                ×
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
