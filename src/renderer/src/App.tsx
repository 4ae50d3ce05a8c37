import { useCallback } from 'react';
import type { ProjectSummary } from '@shared/types';
import { useApi, useQuery } from './api/hooks';
import { NoticeProvider } from './components/Notices';
import { FirstRun } from './views/FirstRun';
import { ProjectShell } from './views/ProjectShell';

export function App() {
  const api = useApi();
  const info = useQuery('app/info', {});
  const current = useQuery('projects/current', {}, ['project']);

  const close = useCallback(async () => {
    await api.call('projects/close', {});
    current.reload();
  }, [api, current]);

  if (info.error || current.error) {
    const error = info.error ?? current.error;
    return (
      <main className="fatal" role="alert">
        <h1>AU Workbench cannot reach its services</h1>
        <p>{error?.message}</p>
        <button type="button" onClick={() => location.reload()}>
          Try again
        </button>
      </main>
    );
  }
  if (!info.data || current.loading) return <div className="loading" aria-busy="true">Loading…</div>;
  return (
    <NoticeProvider>
      {current.data ? (
        <ProjectShell project={current.data as ProjectSummary} info={info.data} onClose={close} />
      ) : (
        <FirstRun info={info.data} onOpened={current.reload} />
      )}
    </NoticeProvider>
  );
}
