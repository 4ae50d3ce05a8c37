import type { ProjectSummary } from '@shared/types';

/** Training panel: filled in by the learning engine's UI (pretrain, finetune, predict). */
export function TrainView({ project }: { project: ProjectSummary }) {
  return (
    <main className="panel" aria-labelledby="train-title">
      <h2 id="train-title">Train</h2>
      <p className="muted">
        The learning engine for {project.name} is being built: contrastive pretraining on all frames, finetuning on your labels, and prediction.
      </p>
    </main>
  );
}
