/**
 * The training rule: which one value learning takes for a frame and AU that several coders
 * labelled. Kept in the project's meta table (key `label_rule`, JSON), so every job, the CLI
 * and the UI read the same rule; a finetune job copies it into its parameters when queued and
 * the model records it.
 */
import { z } from 'zod';
import { ApiError } from '../../../shared/errors';
import type { LabelRule } from '../../../shared/types';
import type { Db } from './db';

const KEY = 'label_rule';
export const DEFAULT_LABEL_RULE: LabelRule = { kind: 'mean' };

const stored = z.union([z.object({ kind: z.literal('mean') }), z.object({ kind: z.literal('coder'), coder: z.string().min(1).max(64) })]);

export function getLabelRule(db: Db): LabelRule {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(KEY) as { value: string } | undefined;
  if (!row) return DEFAULT_LABEL_RULE;
  try {
    return stored.parse(JSON.parse(row.value));
  } catch {
    // Written by this code only; a damaged value falls back to the documented default.
    return DEFAULT_LABEL_RULE;
  }
}

export function setLabelRule(db: Db, rule: LabelRule): LabelRule {
  if (rule.kind === 'coder') {
    const has = db.prepare('SELECT 1 FROM labels WHERE annotator = ? LIMIT 1').get(rule.coder);
    if (!has) {
      const coders = (db.prepare('SELECT DISTINCT annotator FROM labels ORDER BY annotator').all() as { annotator: string }[]).map((r) => r.annotator);
      throw new ApiError(
        'invalid_argument',
        `"${rule.coder}" has no labels in this project, so training could not put them first. ${coders.length ? `Coders with labels: ${coders.join(', ')}.` : 'No coder has labelled anything yet.'}`,
      );
    }
  }
  const value = JSON.stringify(rule.kind === 'mean' ? { kind: 'mean' } : { kind: 'coder', coder: rule.coder });
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(KEY, value);
  return getLabelRule(db);
}

/** "mean of every coder" / "alice first (the others' mean where alice gave none)". */
export function describeLabelRule(rule: LabelRule): string {
  return rule.kind === 'mean' ? 'the mean of every coder’s value' : `${rule.coder}’s value first (the other coders’ mean where ${rule.coder} gave none)`;
}
