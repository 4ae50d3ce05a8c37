import type { ProjectSummary } from '@shared/types';
import type { Route } from '../../route';

// Placeholder until the labelling view lands (being written now).
export function LabelView(_: { project: ProjectSummary; videoId: number; frame?: number; go: (r: Route, o?: { replace?: boolean }) => void }) {
  return <main className="panel">Labelling view loading…</main>;
}
