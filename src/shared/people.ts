/**
 * The person a video shows: its subject, or, for a video without one, the video on its own.
 * Subject-independent folds, neutral references and the models' records group by it.
 */
export function personOf(v: { id: number; subject: string | null }): string {
  return v.subject ?? `video ${v.id}`;
}
