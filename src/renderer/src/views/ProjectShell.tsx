import { useEffect } from 'react';
import type { AppInfo, ProjectSummary } from '@shared/types';
import { CoderButton, CoderProvider } from '../components/coder';
import { InterruptedJobs } from '../components/InterruptedJobs';
import { JobPanel } from '../components/JobPanel';
import { useRoute, type Route } from '../route';
import { AgreementView } from './Agreement/AgreementView';
import { Home } from './Home';
import { LabelView } from './Label/LabelView';
import { ReviewView } from './Review/ReviewView';
import { TrainView } from './Train/TrainView';

interface Props {
  project: ProjectSummary;
  info: AppInfo;
  onClose: () => void;
}

const TABS: { view: Route['view']; label: string }[] = [
  { view: 'home', label: 'Videos' },
  { view: 'label', label: 'Label' },
  { view: 'train', label: 'Train' },
  { view: 'review', label: 'Review' },
  { view: 'agreement', label: 'Agreement' },
];

/** The project's frame: top bar with the views, the current view, and the job panel. */
export function ProjectShell({ project, info, onClose }: Props) {
  const [route, go] = useRoute();
  const lastVideo = route.view === 'label' || route.view === 'review' ? route.videoId : Number(sessionStorage.getItem('auw.lastVideo')) || null;
  useEffect(() => {
    if (lastVideo) sessionStorage.setItem('auw.lastVideo', String(lastVideo));
  }, [lastVideo]);

  const open = (view: Route['view']) => {
    if (view === 'home' || view === 'train' || view === 'agreement') go({ view });
    else if (lastVideo) go({ view, videoId: lastVideo });
  };

  return (
    // Labelling needs to know who codes: the Label and Review views ask once per machine.
    <CoderProvider required={route.view === 'label' || route.view === 'review'}>
      <div className="project">
        <header className="topbar">
          <div className="topbar-title">
            <h1>{project.name}</h1>
            <p className="muted small" title={project.dir}>
              {project.dir}
            </p>
          </div>
          <nav aria-label="Views" className="tabs">
            {TABS.map((t) => (
              <button
                key={t.view}
                type="button"
                className={route.view === t.view ? 'tab active' : 'tab'}
                aria-current={route.view === t.view ? 'page' : undefined}
                disabled={(t.view === 'label' || t.view === 'review') && !lastVideo}
                title={(t.view === 'label' || t.view === 'review') && !lastVideo ? 'Choose a video first' : undefined}
                onClick={() => open(t.view)}
              >
                {t.label}
              </button>
            ))}
          </nav>
          <div className="topbar-actions">
            <CoderButton />
            <span className="chip">{project.auSet.name}</span>
            <span className="chip">{info.shell === 'electron' ? 'Desktop' : 'Browser mode'}</span>
            <button type="button" onClick={onClose}>
              Close project
            </button>
          </div>
        </header>
        <InterruptedJobs />
        <div className={route.view === 'home' ? 'project-body' : 'project-body wide'}>
          {route.view === 'home' && <Home project={project} info={info} go={go} />}
          {route.view === 'label' && <LabelView project={project} videoId={route.videoId} frame={route.frame} {...(route.au !== undefined ? { au: route.au } : {})} go={go} />}
          {route.view === 'review' && <ReviewView project={project} videoId={route.videoId} frame={route.frame} go={go} />}
          {route.view === 'train' && <TrainView project={project} />}
          {route.view === 'agreement' && <AgreementView project={project} go={go} />}
          {route.view === 'home' && (
            <aside>
              <JobPanel />
            </aside>
          )}
        </div>
      </div>
    </CoderProvider>
  );
}
