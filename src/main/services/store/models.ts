import { ApiError } from '../../../shared/errors';
import type { ModelRow, ModelStage } from '../../../shared/types';
import type { Db } from './db';

interface Row {
  id: number;
  stage: ModelStage;
  parent_id: number | null;
  name: string;
  params: string;
  metrics: string | null;
  backend: string | null;
  created_at: string;
}

const toModel = (r: Row): ModelRow => ({
  id: r.id,
  stage: r.stage,
  parentId: r.parent_id,
  name: r.name,
  params: JSON.parse(r.params) as Record<string, unknown>,
  metrics: r.metrics ? (JSON.parse(r.metrics) as Record<string, unknown>) : null,
  backend: r.backend,
  createdAt: r.created_at,
});

export function listModels(db: Db): ModelRow[] {
  return (db.prepare('SELECT * FROM models ORDER BY id DESC').all() as Row[]).map(toModel);
}

export function getModel(db: Db, id: number): ModelRow & { checkpoint: string } {
  const row = db.prepare('SELECT * FROM models WHERE id = ?').get(id) as (Row & { checkpoint: string }) | undefined;
  if (!row) throw new ApiError('not_found', `There is no model ${id} in this project. Reload the model list.`);
  return { ...toModel(row), checkpoint: row.checkpoint };
}

export function findModelByName(db: Db, name: string): ModelRow | null {
  const row = db.prepare('SELECT * FROM models WHERE name = ?').get(name) as Row | undefined;
  return row ? toModel(row) : null;
}

export function insertModel(
  db: Db,
  m: { stage: ModelStage; parentId: number | null; name: string; checkpoint: string; params: Record<string, unknown>; metrics: Record<string, unknown> | null; backend: string },
): number {
  return Number(
    db
      .prepare('INSERT INTO models (stage, parent_id, name, checkpoint, params, metrics, backend, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(m.stage, m.parentId, m.name, m.checkpoint, JSON.stringify(m.params), m.metrics ? JSON.stringify(m.metrics) : null, m.backend, new Date().toISOString())
      .lastInsertRowid,
  );
}

export function setModelMetrics(db: Db, id: number, metrics: Record<string, unknown>): void {
  db.prepare('UPDATE models SET metrics = ? WHERE id = ?').run(JSON.stringify(metrics), id);
}

/** The row only; the caller removes the model's folder (see services/learn/backend/modelFolders.ts). */
export function deleteModel(db: Db, id: number): void {
  db.prepare('DELETE FROM models WHERE id = ?').run(id);
}
