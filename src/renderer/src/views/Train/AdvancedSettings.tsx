import type { LearnOptions, LearnPreset } from '@shared/types';
import type { Params } from '@shared/contract';
import type { Stage } from '@shared/settings/training';
import { settingFields, type SettingField } from './settingFields';

type Pretrain = Omit<Params<'models/pretrain'>, 'name' | 'preset'>;
type Finetune = Omit<Params<'models/finetune'>, 'name' | 'preset' | 'parentId'>;
export interface Advanced {
  pretrain?: Pretrain;
  finetune?: Finetune;
}

interface Props {
  options: LearnOptions | null;
  preset: LearnPreset;
  value: Advanced;
  onChange: (v: Advanced) => void;
}

function NumberField({ label, ariaLabel, value, placeholder, step, title, onChange }: { label: string; ariaLabel?: string; value: number | undefined; placeholder: string; step?: number; title?: string; onChange: (v: number | undefined) => void }) {
  return (
    <label className="num" title={title}>
      {label}
      <input
        aria-label={ariaLabel}
        type="number"
        step={step ?? 'any'}
        value={value ?? ''}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
      />
    </label>
  );
}

/** One declared setting as a field: a number, or a choice with "the preset's" as its empty option. */
function SettingInput({ stage, field, value, onChange }: { stage: Stage; field: SettingField; value: number | string | undefined; onChange: (v: number | string | undefined) => void }) {
  if (!field.choices) {
    return <NumberField label={field.label} value={value as number | undefined} placeholder={field.placeholder} step={field.integer ? 1 : undefined} title={field.title} onChange={onChange} />;
  }
  return (
    <label className="num" title={field.title}>
      {field.label}
      {field.note ? ` (${field.note})` : ''}
      <select aria-label={`${STAGE_NAMES[stage]} ${field.label.toLowerCase()}`} value={value ?? ''} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}>
        <option value="">{field.placeholder}</option>
        {Object.entries(field.choices).map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

const STAGE_NAMES: Record<Stage, string> = { pretrain: 'Pretraining', finetune: 'Finetuning' };

/** Every training parameter, empty meaning "the preset's value", which is shown as placeholder. */
export function AdvancedSettings({ options, preset, value, onChange }: Props) {
  const pre = value.pretrain ?? {};
  const fine = value.finetune ?? {};
  const setPre = (patch: Partial<Pretrain>) => onChange({ ...value, pretrain: clean({ ...pre, ...patch }) });
  const setFine = (patch: Partial<Finetune>) => onChange({ ...value, finetune: clean({ ...fine, ...patch }) });
  type Spec = NonNullable<Pretrain['objectives']>[number];
  const objectives: Spec[] = pre.objectives ?? options?.defaultObjectives.map((o) => ({ ...o, params: {} })) ?? [];
  const weightOf = (kind: string) => objectives.find((o) => o.kind === kind)?.weight ?? 0;
  const setWeight = (kind: string, weight: number | undefined) => {
    const rest = objectives.filter((o) => o.kind !== kind);
    const next = weight ? [...rest, { kind, weight, params: objectives.find((o) => o.kind === kind)?.params ?? {} }] : rest;
    setPre({ objectives: next.length ? next : undefined });
  };
  const setParam = (kind: string, param: string, v: number | undefined) => {
    const params: Spec['params'] = { ...(objectives.find((o) => o.kind === kind)?.params ?? {}) };
    if (v === undefined) delete params[param];
    else params[param] = v;
    setPre({ objectives: objectives.map((o) => (o.kind === kind ? { ...o, params } : o)) });
  };
  const chosen = options?.objectives.filter((o) => weightOf(o.kind) > 0 && Object.keys(o.params).length) ?? [];
  return (
    <details className="advanced">
      <summary>Advanced</summary>
      <fieldset>
        <legend>Pretraining</legend>
        <div className="num-grid">
          {settingFields('pretrain', preset).map((f) => (
            <SettingInput key={f.key} stage="pretrain" field={f} value={pre[f.key as keyof Pretrain] as number | string | undefined} onChange={(v) => setPre({ [f.key]: v })} />
          ))}
        </div>
        <p className="small muted">Objectives and their weights (0 = off):</p>
        <div className="num-grid">
          {options?.objectives.map((o) => (
            <NumberField key={o.kind} label={o.label} value={weightOf(o.kind) || undefined} placeholder="0" title={o.description} onChange={(w) => setWeight(o.kind, w)} />
          ))}
        </div>
        {chosen.map((o) => (
          <div key={o.kind} role="group" aria-label={`${o.label} settings`}>
            <p className="small muted">{o.label} settings (empty = default):</p>
            <div className="num-grid">
              {Object.entries(o.params).map(([name, spec]) => (
                <NumberField
                  key={name}
                  label={name}
                  ariaLabel={`${o.label}: ${name}`}
                  value={objectives.find((x) => x.kind === o.kind)?.params?.[name] as number | undefined}
                  placeholder={String(spec.default)}
                  title={`${spec.help} (${spec.min}–${spec.max})`}
                  onChange={(v) => setParam(o.kind, name, v)}
                />
              ))}
            </div>
          </div>
        ))}
      </fieldset>
      <fieldset>
        <legend>Finetuning</legend>
        <div className="num-grid">
          {settingFields('finetune', preset).map((f) => (
            <SettingInput key={f.key} stage="finetune" field={f} value={fine[f.key as keyof Finetune] as number | string | undefined} onChange={(v) => setFine({ [f.key]: v })} />
          ))}
        </div>
      </fieldset>
    </details>
  );
}

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
