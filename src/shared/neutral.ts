import type { NeutralReference } from './types';

const frames = (n: number) => `${n} frame${n === 1 ? '' : 's'}`;

/** How the reference in use is named wherever a person sees it (Label, Review, CLI). */
export function referenceText(r: NeutralReference): string {
  return r.kind === 'neutral' ? `neutral (${frames(r.frames)})` : 'video median';
}

/**
 * The normalisation a model recorded (params.normalisation.people), in one line: who was
 * normalised against marked neutral frames and who against each video's median.
 */
export function normalisationText(people: Record<string, NeutralReference> | undefined): string {
  if (!people || !Object.keys(people).length) return '';
  const entries = Object.entries(people).sort(([a], [b]) => a.localeCompare(b));
  const neutral = entries.flatMap(([p, r]) => (r.kind === 'neutral' ? [`${p} (${frames(r.frames)})`] : []));
  const median = entries.filter(([, r]) => r.kind === 'median').map(([p]) => p);
  return [...(neutral.length ? [`neutral face for ${neutral.join(', ')}`] : []), ...(median.length ? [`video median for ${median.join(', ')}`] : [])].join('; ');
}
