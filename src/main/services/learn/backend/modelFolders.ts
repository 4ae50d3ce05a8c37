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
