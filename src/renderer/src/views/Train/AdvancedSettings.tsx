import type { LearnOptions, LearnPreset } from '@shared/types';
import type { Params } from '@shared/contract';

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

const NORM_HELP = "Person-specific normalisation: the network reads each crop minus its video's median face, so it sees the expression rather than the person. Needs mostly neutral stretches in each video.";

function InputNormField({ stage, value, onChange, note }: { stage: string; value: 'video-median' | 'none' | undefined; onChange: (v: 'video-median' | 'none' | undefined) => void; note?: string }) {
  return (
    <label className="num" title={NORM_HELP}>
      Network input{note ? ` (${note})` : ''}
      <select aria-label={`${stage} network input`} value={value ?? ''} onChange={(e) => onChange(e.target.value === '' ? undefined : (e.target.value as 'video-median' | 'none'))}>
        <option value="">preset (minus median face)</option>
        <option value="video-median">minus median face</option>
        <option value="none">plain crop</option>
      </select>
    </label>
  );
}

/** Every training parameter, empty meaning "the preset's value", which is shown as placeholder. */
export function AdvancedSettings({ options, preset, value, onChange }: Props) {
  const info = options?.presets.find((p) => p.name === preset);
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
          <NumberField label="Steps" value={pre.steps} placeholder={String(info?.pretrainSteps ?? '')} step={1} onChange={(steps) => setPre({ steps })} />
          <NumberField label="Clips per batch" value={pre.batchClips} placeholder="preset" step={1} onChange={(batchClips) => setPre({ batchClips })} />
          <NumberField label="Clip length (frames)" value={pre.clipLength} placeholder={String(info?.clipLength ?? '')} step={1} onChange={(clipLength) => setPre({ clipLength })} />
          <NumberField label="Frame stride" value={pre.stride} placeholder="preset" step={1} onChange={(stride) => setPre({ stride })} />
          <NumberField label="Learning rate" value={pre.lr} placeholder="preset" onChange={(lr) => setPre({ lr })} />
          <NumberField label="Checkpoint every (steps)" value={pre.checkpointEvery} placeholder="preset" step={1} onChange={(checkpointEvery) => setPre({ checkpointEvery })} />
          <InputNormField stage="Pretraining" value={pre.inputNorm} onChange={(inputNorm) => setPre({ inputNorm })} />
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
          <NumberField label="Head-only steps" value={fine.headSteps} placeholder="preset" step={1} onChange={(headSteps) => setFine({ headSteps })} />
          <NumberField label="Full-network steps" value={fine.fullSteps} placeholder={String(info?.finetuneSteps ?? '')} step={1} onChange={(fullSteps) => setFine({ fullSteps })} />
          <NumberField label="Learning rate" value={fine.lr} placeholder="preset" onChange={(lr) => setFine({ lr })} />
          <NumberField label="Full-network LR scale" value={fine.fullLrScale} placeholder="preset" onChange={(fullLrScale) => setFine({ fullLrScale })} />
          <NumberField
            label="Cross-validation folds"
            value={fine.cvFolds}
            placeholder="3"
            step={1}
            title="Folds of people for the reported scores (0 = none; then the validation share holds people out)"
            onChange={(cvFolds) => setFine({ cvFolds })}
          />
          <NumberField label="Validation share (without folds)" value={fine.valFraction} placeholder="0.2" onChange={(valFraction) => setFine({ valFraction })} />
          <NumberField label="Landmark-motion weight" value={fine.geometryWeight} placeholder="0" title="Keep the landmark-motion term on while finetuning (0 = off)" onChange={(geometryWeight) => setFine({ geometryWeight })} />
          <NumberField label="Evaluate every (steps)" value={fine.evalEvery} placeholder="preset" step={1} onChange={(evalEvery) => setFine({ evalEvery })} />
          <NumberField label="Early-stop patience" value={fine.patience} placeholder="preset" step={1} onChange={(patience) => setFine({ patience })} />
          <InputNormField stage="Finetuning" value={fine.inputNorm} note="from scratch only" onChange={(inputNorm) => setFine({ inputNorm })} />
        </div>
      </fieldset>
    </details>
  );
}

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
