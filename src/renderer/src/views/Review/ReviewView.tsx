import type { ProjectSummary } from '@shared/types';
import type { Route } from '../../route';

// Placeholder until the review view lands (being written now).
export function ReviewView(_: { project: ProjectSummary; videoId: number; frame?: number; go: (r: Route, o?: { replace?: boolean }) => void }) {
  return <main className="panel">Review view loading…</main>;
}
