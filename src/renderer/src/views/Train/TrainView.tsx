import { useEffect, useMemo, useRef, useState } from 'react';
import type { CurvePoint, Job, LearnPreset, MetricsTable as Table, ModelRow, ProjectSummary } from '@shared/types';
import { PRESET_NAMES } from '@shared/settings/presets';
import { useApi, useEvent, useQuery } from '../../api/hooks';
import { formatEta } from '../../components/JobPanel';
import { useNotify } from '../../components/Notices';
import { useConfirmCancel } from '../../components/ConfirmCancel';
import { AdvancedSettings, type Advanced } from './AdvancedSettings';
import { comparisonOf } from '@shared/comparison';
import { finetunePlan, type FinetunePlan } from '@shared/finetunePlan';
import { FINETUNE_SETTINGS } from '@shared/settings/training';
import { BaselineComparison } from './BaselineComparison';
import { ExportPanel } from './ExportPanel';
import { LossPlot } from './LossPlot';
import { MetricsTable } from './MetricsTable';
import { ModelList } from './ModelList';

const LEARN_KINDS = new Set(['pretrain', 'finetune', 'predict']);
// Seconds in the name: two runs started within a minute (say, a comparison from scratch) must not collide.
const stamp = () => new Date().toISOString().slice(5, 19).replace('T', '-').replaceAll(':', '');

/** Tables besides the network-vs-baseline comparison: ground truth where the videos have it (demo). */
export function metricTables(model: ModelRow | null): { caption: string; table: Table }[] {
  const m = (model?.metrics ?? {}) as Record<string, Table | undefined>;
  const out: { caption: string; table: Table }[] = [];
  if (m.groundTruthHeldOut) out.push({ caption: 'Ground truth, held-out videos (demo)', table: m.groundTruthHeldOut });
  else if (m.groundTruthAll) out.push({ caption: 'Ground truth, every frame (demo)', table: m.groundTruthAll });
  return out;
}

/** The contract's default number of folds, when the Advanced panel leaves it unset. */
const DEFAULT_CV_FOLDS = FINETUNE_SETTINGS.cvFolds.schema.parse(undefined);

/**
 * "What one click does", from the same plan the finetune job follows (shared/finetunePlan.ts).
 * The minutes scale the demo's measured finetune (3 folds + the final model of the preset's
 * full steps, from scratch, then predict) by the steps this plan trains.
 */
export function planText(plan: FinetunePlan, o: { start: string; fullSteps: number; demoMinutes?: { pretrain: number; finetune: number }; pretrainSteps: number }): { finetune: string; why: string | null; pretrain: string } {
  const minutes = o.demoMinutes ? Math.max(1, Math.round((o.demoMinutes.finetune * plan.trainings * plan.stepsEach) / (4 * o.fullSteps))) : null;
  const runs = plan.folds ? `${plan.folds} cross-validation runs and a final one of ${plan.stepsEach} steps each` : `one run of ${plan.stepsEach} steps`;
  const finetune =
    `Finetune trains on your labels from ${o.start}: ${runs}${minutes ? ` (≈ ${minutes} min at the demo's size on 2 CPU cores)` : ''}, then it predicts every frame` +
    `${plan.baselineComparison ? ', each AU from the network, the HOG + geometry baseline or a mix, as the cross-validation chose' : ' with the network alone'}.`;
  const pretrain = `Pretrain (optional) learns ${o.pretrainSteps} steps on every frame${o.demoMinutes ? ` (≈ ${o.demoMinutes.pretrain} min)` : ''}.`;
  const why = plan.reason ? plan.reason[0]!.toUpperCase() + plan.reason.slice(1) : null;
  return { finetune, why, pretrain };
}

/** One-click pretrain, finetune and predict, with live progress, the loss curve and metrics. */
export function TrainView({ project }: { project: ProjectSummary }) {
  const api = useApi();
  const notify = useNotify();
  const backend = useQuery('learn/backend', {});
  const options = useQuery('learn/options', {});
  const models = useQuery('models/list', {}, ['models']);
  const jobs = useQuery('jobs/list', { limit: 50 }, ['project']);
  const videos = useQuery('videos/list', {}, ['videos', 'labels']);
  const labelledPeople = useQuery('learn/labelledPeople', {}, ['videos', 'labels']);
  // Trainings stopped before their model was saved, their last checkpoint kept: resume or discard.
  const stopped = useQuery('models/stopped', {}, ['models', 'project']);
  const confirmCancel = useConfirmCancel();
  // The preset is remembered per project on this computer, so coming back to Train keeps it.
  const presetKey = `auw.preset:${project.dir}`;
  const [preset, setPresetState] = useState<LearnPreset>(() => {
    const saved = localStorage.getItem(presetKey);
    return (PRESET_NAMES as readonly string[]).includes(saved ?? '') ? (saved as LearnPreset) : 'quick';
  });
  const setPreset = (p: LearnPreset) => {
    setPresetState(p);
    localStorage.setItem(presetKey, p);
  };
  const [advanced, setAdvanced] = useState<Advanced>({});
  const [live, setLive] = useState<Job | null>(null);
  const [curve, setCurve] = useState<CurvePoint[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  /** Finetuning's starting point: the latest pretrained model, a chosen one, or none. */
  const [chosenStart, setStartFrom] = useState<'latest' | 'scratch' | number | null>(null);
  // Until the user picks, the measured default (learn/options) decides.
  const startFrom = chosenStart ?? (options.data?.finetuneStart === 'pretrained' ? 'latest' : 'scratch');

  const running = live && (live.state === 'running' || live.state === 'queued') ? live : null;
  const latest = (stage: ModelRow['stage']) => models.data?.find((m) => m.stage === stage) ?? null;
  const model = models.data?.find((m) => m.id === selected) ?? models.data?.[0] ?? null;
  const pretrained = models.data?.filter((m) => m.stage === 'pretrain') ?? [];
  const parent = startFrom === 'scratch' ? null : startFrom === 'latest' ? latest('pretrain') : (pretrained.find((m) => m.id === startFrom) ?? latest('pretrain'));
  // Predict with the finetuned model in view, else the newest one.
  const predictor = model?.stage === 'finetune' ? model : latest('finetune');

  useEffect(() => {
    const active = jobs.data?.find((j) => LEARN_KINDS.has(j.kind) && (j.state === 'running' || j.state === 'queued'));
    if (active) setLive(active);
  }, [jobs.data]);

  // The curve shows the running job live, else the selected model's stored curve.
  useEffect(() => {
    let alive = true;
    const query = running ? { jobId: running.id } : model ? { modelId: model.id } : null;
    if (!query) return setCurve([]);
    api.call('models/curve', query).then((c) => alive && setCurve(c), () => alive && setCurve([]));
    return () => {
      alive = false;
    };
  }, [api, running?.id, model?.id]); // eslint-disable-line react-hooks/exhaustive-deps -- refetch on another job or model, not on each progress update of the same one

  useEvent('jobs/progress', (job) => {
    if (!LEARN_KINDS.has(job.kind)) return;
    setLive(job);
    if (job.state !== 'running' && job.state !== 'queued') stopped.reload();
    if (job.state === 'done') models.reload();
    if (job.state === 'failed') notify('error', `${job.kind} failed: ${job.error ?? 'see the job log'}`);
  });
  // Each fold's steps count from 0 again: a new training (fold, final model) starts a new curve.
  const training = useRef<string | undefined>(undefined);
  useEvent('learn/progress', (p) => {
    if (p.jobId !== running?.id) return;
    const fresh = p.training !== undefined && training.current !== undefined && p.training !== training.current;
    if (p.training !== undefined) training.current = p.training;
    if (p.event === 'step' && p.loss !== undefined) {
      setCurve((c) => [...(fresh ? [] : c), { step: p.step, loss: p.loss!, ...(p.phase ? { phase: p.phase } : {}), ...(p.parts ? { parts: p.parts } : {}) }]);
    } else if (p.event === 'eval' && p.valLoss !== undefined) {
      setCurve((c) => {
        const i = c.findIndex((q) => q.step === p.step);
        const point = { ...(i >= 0 ? c[i]! : { step: p.step, loss: p.valLoss! }), valLoss: p.valLoss!, valIcc: p.valIcc ?? null };
        return i >= 0 ? c.map((q, k) => (k === i ? point : q)) : [...c, point];
      });
    }
  });
  const [progress, setProgress] = useState<{ step: number; total?: number; fps?: number; training?: string } | null>(null);
  useEvent('learn/progress', (p) => {
    if (p.jobId !== running?.id || p.event !== 'step') return;
    setProgress({ step: p.step, ...(p.totalSteps ? { total: p.totalSteps } : {}), ...(p.framesPerSec ? { fps: p.framesPerSec } : {}), ...(p.training ? { training: p.training } : {}) });
  });

  const start = async (what: 'pretrain' | 'finetune' | 'predict') => {
    try {
      setCurve([]);
      setProgress(null);
      training.current = undefined;
      let job: Job;
      if (what === 'pretrain') job = await api.call('models/pretrain', { name: `pretrain-${stamp()}`, preset, ...advanced.pretrain });
      else if (what === 'finetune') job = await api.call('models/finetune', { name: `finetune-${stamp()}`, preset, parentId: parent?.id ?? null, ...advanced.finetune });
      else {
        if (!predictor) throw new Error('Finetune a model first: predictions come from a finetuned model.');
        job = await api.call('predictions/run', { modelId: predictor.id });
      }
      setLive(job);
    } catch (e) {
      notify('error', (e as Error).message);
    }
  };

  // Interrupted jobs without a kept checkpoint (a prediction) still offer their resume.
  const interrupted = useMemo(() => jobs.data?.filter((j) => LEARN_KINDS.has(j.kind) && j.state === 'interrupted' && !stopped.data?.some((r) => r.jobId === j.id)) ?? [], [jobs.data, stopped.data]);
  const resume = (jobId: number) =>
    api.call('models/resume', { jobId }).then((job) => {
      setCurve([]);
      setProgress(null);
      training.current = undefined;
      setLive(job);
      stopped.reload();
    }, (e: Error) => notify('error', e.message));
  const discard = (jobId: number) => api.call('models/discard', { jobId }).then(() => stopped.reload(), (e: Error) => notify('error', e.message));
  const b = backend.data;
  const comparison = comparisonOf(model);
  const presetInfo = options.data?.presets.find((p) => p.name === preset);
  const labelled = videos.data?.reduce((n, v) => n + v.labelled, 0) ?? project.counts.labels;
  const plan =
    presetInfo && labelledPeople.data
      ? planText(
          finetunePlan({
            labelledPeople: labelledPeople.data.people,
            cvFolds: advanced.finetune?.cvFolds ?? DEFAULT_CV_FOLDS,
            headSteps: advanced.finetune?.headSteps ?? presetInfo.finetuneHeadSteps,
            fullSteps: advanced.finetune?.fullSteps ?? presetInfo.finetuneFullSteps,
            fromPretrained: !!parent,
          }),
          { start: parent ? parent.name : 'scratch', fullSteps: presetInfo.finetuneFullSteps, pretrainSteps: presetInfo.pretrainSteps, ...(presetInfo.demoMinutes ? { demoMinutes: presetInfo.demoMinutes } : {}) },
        )
      : null;
  return (
    <main className="train" aria-labelledby="train-title">
      <section className="panel train-controls" aria-labelledby="train-title">
        <h2 id="train-title">Train</h2>
        <p className="backend-line small">
          Backend: <strong>{b ? `${b.name}${b.threads ? ` · ${b.threads} threads` : ''}` : '…'}</strong>
          {b?.note && <span className={b.trainingAllowed ? 'muted' : 'error-text'}> — {b.note}</span>}
        </p>
        <label>
          Preset
          <select value={preset} onChange={(e) => setPreset(e.target.value as LearnPreset)}>
            {(options.data?.presets ?? []).map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}: {p.description}
              </option>
            ))}
          </select>
        </label>
        {plan && (
          <p className="plan small" aria-label="What one click does">
            {plan.finetune}
            {plan.why ? <strong className="plan-why">{plan.why}</strong> : ' '}
            {plan.pretrain}
          </p>
        )}
        <div className="train-buttons">
          <button type="button" className="primary" disabled={!!running || b?.trainingAllowed === false} onClick={() => start('pretrain')}>
            Pretrain
          </button>
          <button type="button" className="primary" disabled={!!running || b?.trainingAllowed === false || labelled === 0} onClick={() => start('finetune')}>
            Finetune
          </button>
          <button type="button" disabled={!!running || !predictor} onClick={() => start('predict')} title={predictor ? `Predict every frame with ${predictor.name}` : undefined}>
            Predict all
          </button>
        </div>
        {pretrained.length > 0 && (
          <label>
            Finetune starts from
            <select value={String(startFrom)} onChange={(e) => setStartFrom(e.target.value === 'latest' || e.target.value === 'scratch' ? e.target.value : Number(e.target.value))}>
              <option value="latest">the latest pretrained model ({latest('pretrain')!.name})</option>
              {pretrained.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
              <option value="scratch">nothing: train from scratch{options.data?.finetuneStart === 'scratch' ? ' (default)' : ''}</option>
            </select>
          </label>
        )}
        {pretrained.length > 0 && options.data?.finetuneStart === 'scratch' && (
          <p className="small muted">From scratch by default: on unseen people pretraining added 0.02 ICC in bench:quality, less than two seeds differ.</p>
        )}
        <ol className="steps small muted">
          <li>Pretrain learns from every frame, no labels needed{latest('pretrain') ? ` (latest: ${latest('pretrain')!.name})` : ''}.</li>
          <li>Finetune uses your {labelled} labelled frames{parent ? `, starting from ${parent.name}` : ', from scratch'}.</li>
          <li>Predict writes intensity tracks for every frame{predictor ? ` with ${predictor.name}` : ''}; review them in Review.</li>
        </ol>
        {!running &&
          stopped.data?.map((r) => (
            <div key={r.jobId} className="notice-inline stopped-run" role="group" aria-label={`Stopped ${r.kind} ${r.name}`}>
              <strong>{r.name}</strong>: {r.state === 'cancelled' ? 'Cancelled' : 'Interrupted'} at step {r.step}
              {r.fold !== null ? ` of cross-validation fold ${r.fold}` : ''} — its checkpoint is kept.{' '}
              <span className="stopped-actions">
                <button type="button" onClick={() => resume(r.jobId)}>
                  Resume
                </button>
                <button type="button" className="ghost" onClick={() => discard(r.jobId)}>
                  Discard
                </button>
              </span>
            </div>
          ))}
        {interrupted.map((j) => (
          <div key={j.id} className="notice-inline">
            {j.kind} #{j.id} was interrupted.{' '}
            <button type="button" onClick={() => resume(j.id)}>
              Resume {j.kind} #{j.id}
            </button>
          </div>
        ))}
        <AdvancedSettings options={options.data ?? null} preset={preset} value={advanced} onChange={setAdvanced} />
      </section>

      <section className="panel train-live" aria-labelledby="live-title">
        <div className="panel-head">
          <h2 id="live-title">{running ? `${running.kind} · job #${running.id}` : model ? `Model: ${model.name}` : 'Training'}</h2>
          {running && (
            <button type="button" onClick={() => confirmCancel.cancel(running)}>
              Cancel
            </button>
          )}
        </div>
        {running && (
          <div className="live-progress">
            <progress max={1} value={running.progress} aria-label={`${running.kind} progress`} />
            <div className="job-meta small">
              <span>
                {Math.round(running.progress * 100)} %{progress?.training ? ` · ${progress.training}` : ''}
                {progress ? ` · step ${progress.step}${progress.total ? ` of ${progress.total}` : ''}` : ''}
                {progress?.fps ? ` · ${progress.fps.toFixed(0)} frames/s` : ''}
              </span>
              <span>{formatEta(running.etaSeconds)}</span>
            </div>
            {running.message && <p className="small muted">{running.message}</p>}
          </div>
        )}
        <LossPlot points={curve} title={running ? `${running.kind} loss${progress?.training ? `, ${progress.training}` : ''}` : `${model?.name ?? ''} loss`} />
        {!running && comparison && <BaselineComparison comparison={comparison} />}
        <div className="metrics-grid">
          {metricTables(running ? null : model).map(({ caption, table }) => (
            <MetricsTable key={caption} caption={caption} table={table} />
          ))}
        </div>
        {!running && model && <ExportPanel model={model} />}
      </section>

      <section className="panel train-models" aria-labelledby="models-title">
        <h2 id="models-title">Models</h2>
        <ModelList models={models.data ?? []} selected={model?.id ?? null} onSelect={setSelected} onRemoved={models.reload} />
      </section>
      {confirmCancel.dialog}
    </main>
  );
}
