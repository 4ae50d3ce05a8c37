/**
 * Where a model's files live (models/<slug>/ in the project: model.json, weights, checkpoints,
 * the loss curve), and removing a model as one operation: its row, then its folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JobManager } from '../../jobs/manager';
import { jobParams } from '../../jobs/kinds';
import type { Project } from '../../store/project';
import { deleteModel, getModel } from '../../store/models';

export function modelDirFor(projectDir: string, name: string): string {
  return path.join(projectDir, 'models', slug(name));
}

/** A folder-safe form of a model name (the name itself is kept in the database). */
export function slug(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
  return s || 'model';
}


/**
 * Deletes the model's row (its predictions go with it by foreign key), then its folder. The
 * folder goes only when it is inside the project's models folder, whatever the row says. The
 * jobs that read it (a prediction, suggestions, a finetune from it) are cancelled first, each
 * saying why, so none is left reading a folder that is gone.
 */
export async function removeModel(project: Project, id: number, jobs: JobManager): Promise<void> {
  const model = getModel(project.db, id);
  await jobs.cancelWhere(
    (job) => jobParams(job, ['predict', 'suggest'])?.modelId === id || jobParams(job, ['finetune'])?.parentId === id,
    `Cancelled: the model ${model.name} was removed from the project.`,
  );
  const dir = path.resolve(project.dir, model.checkpoint);
  deleteModel(project.db, id);
  if (dir.startsWith(project.path('models') + path.sep)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Where a stopped training's last checkpoint is and at which step: the model's folder, or, for
 * a finetune stopped during its cross-validation, the fold's folder (cv-<i>, the highest one;
 * a finished fold's folder is removed). Read from checkpoint.json without loading TensorFlow.js.
 */
export function stoppedCheckpoint(dir: string): { step: number; fold: number | null } | null {
  const stepIn = (d: string): number | null => {
    try {
      const meta = JSON.parse(fs.readFileSync(path.join(d, 'checkpoint.json'), 'utf8')) as { format?: unknown; step?: unknown };
      return meta.format === 'auw-checkpoint' && typeof meta.step === 'number' ? meta.step : null;
    } catch {
      return null;
    }
  };
  const own = stepIn(dir);
  if (own !== null) return { step: own, fold: null };
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return null;
  }
  const folds = entries.map((e) => /^cv-(\d+)$/.exec(e)).filter((m) => m !== null).map((m) => Number(m[1])).sort((a, b) => b - a);
  for (const fold of folds) {
    const step = stepIn(path.join(dir, `cv-${fold}`));
    if (step !== null) return { step, fold };
  }
  return null;
}
