import { useEffect, useId, useState } from 'react';
import type { LabelRule } from '@shared/types';
import { useApi, useQuery } from '../../api/hooks';
import { useNotify } from '../../components/Notices';

const same = (x: LabelRule, y: LabelRule) => x.kind === y.kind && (x.kind === 'mean' || (y.kind === 'coder' && x.coder === y.coder));

/**
 * Which one value training takes where several coders labelled a frame and AU. Stored in the
 * project; each finetuned model records the rule it was trained with.
 */
export function TrainingRule({ coders }: { coders: string[] }) {
  const api = useApi();
  const notify = useNotify();
  const rule = useQuery('labels/rule', {}, ['rule']);
  const name = useId();
  // The choice shows at once; it gives way to the stored rule once that has arrived (or on a refusal).
  const [pending, setPending] = useState<LabelRule | null>(null);
  useEffect(() => {
    if (pending && rule.data && same(pending, rule.data)) setPending(null);
  }, [rule.data, pending]);
  const current = pending ?? rule.data;
  const choices: { rule: LabelRule; label: string }[] = [
    { rule: { kind: 'mean' }, label: 'The mean of every coder’s value' },
    ...coders.map((c) => ({ rule: { kind: 'coder', coder: c } as LabelRule, label: `${c}’s value first (the others’ mean where ${c} gave none)` })),
  ];
  // A chosen coder without labels now (still stored) stays visible as the rule in force.
  if (rule.data?.kind === 'coder' && !coders.includes(rule.data.coder)) choices.push({ rule: rule.data, label: `${rule.data.coder}’s value first` });
  const set = async (r: LabelRule) => {
    setPending(r);
    try {
      await api.call('labels/setRule', { rule: r });
      rule.reload();
    } catch (e) {
      setPending(null);
      notify('error', (e as Error).message);
    }
  };
  return (
    <section className="panel" aria-labelledby={`${name}-title`}>
      <h2 id={`${name}-title`}>Labels for training</h2>
      <fieldset className="rule-choices">
        <legend className="muted small">Where several coders labelled a frame and AU, training (and the scores on your labels) take:</legend>
        {choices.map((c) => {
          const key = c.rule.kind === 'mean' ? 'mean' : `coder:${c.rule.coder}`;
          return (
            <label key={key} className="inline rule-choice">
              <input type="radio" name={name} checked={!!current && same(current, c.rule)} onChange={() => void set(c.rule)} />
              {c.label}
            </label>
          );
        })}
      </fieldset>
      <p className="muted small">Each model finetuned from now on records the rule it was trained with.</p>
    </section>
  );
}
