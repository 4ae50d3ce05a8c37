import type { NeutralReference } from './types';

/** How the reference in use is named wherever a person sees it (Label, Review, CLI). */
export function referenceText(r: NeutralReference): string {
  return r.kind === 'neutral' ? `neutral (${r.frames} frame${r.frames === 1 ? '' : 's'})` : 'video median';
}
