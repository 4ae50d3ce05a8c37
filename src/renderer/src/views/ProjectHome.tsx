import type { AppInfo, ProjectSummary } from '@shared/types';
import { auColumn, auInfo } from '@shared/aus';
import { useQuery } from '../api/hooks';
import { JobPanel } from '../components/JobPanel';

interface Props {
  project: ProjectSummary;
  info: AppInfo;
  onClose: () => void;
}

function duration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return `${m}:${String(s).padStart(2, '0')}`;
}

export function ProjectHome({ project, info, onClose }: Props) {
  const videos = useQuery('videos/list', {}, ['videos', 'labels', 'samples']);
  return (
    <div className="project">
      <header className="topbar">
        <div>
          <h1>{project.name}</h1>
          <p className="muted small" title={project.dir}>
            {project.dir}
          </p>
        </div>
        <div className="topbar-actions">
          <span className="chip" title={project.auSet.aus.map((a) => `${auColumn(a)} ${auInfo(a).name}`).join('\n')}>
            {project.auSet.name}
          </span>
          <span className="chip">{info.shell === 'electron' ? 'Desktop' : 'Browser mode'}</span>
          <button type="button" onClick={onClose}>
            Close project
          </button>
        </div>
      </header>
      <div className="project-body">
        <main className="panel videos" aria-labelledby="videos-title">
          <div className="panel-head">
            <h2 id="videos-title">Videos</h2>
          </div>
          {videos.error && (
            <p className="error-text" role="alert">
              {videos.error.message}
            </p>
          )}
          {videos.data && videos.data.length === 0 ? (
            <div className="empty">
              <p>This project has no videos yet.</p>
              <p className="muted small">Video import (mp4, mov, avi, mkv, webm) with face detection and alignment is the next piece being built.</p>
            </div>
          ) : (
            <table aria-label="Videos in this project">
              <thead>
                <tr>
                  <th scope="col">Video</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Frames</th>
                  <th scope="col">Faces found</th>
                  <th scope="col">Sampled</th>
                  <th scope="col">Labelled</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {videos.data?.map((v) => (
                  <tr key={v.id}>
                    <td title={v.path}>{v.name}</td>
                    <td>{v.subject ?? '—'}</td>
                    <td>{duration(v.duration)}</td>
                    <td>{v.frameCount}</td>
                    <td>{v.frameCount ? `${Math.round((100 * v.facesFound) / v.frameCount)} %` : '—'}</td>
                    <td>{v.sampled}</td>
                    <td>{v.labelled}</td>
                    <td>
                      <span className={`state state-${v.status}`}>{v.status}</span>
                      {v.error && <span className="error-text small"> {v.error}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <section className="au-set" aria-labelledby="aus-title">
            <h3 id="aus-title">Action units in this project</h3>
            <ul>
              {project.auSet.aus.map((au) => (
                <li key={au}>
                  <strong>{auColumn(au)}</strong> {auInfo(au).name}
                  <span className="muted small"> — {auInfo(au).description}</span>
                </li>
              ))}
            </ul>
          </section>
        </main>
        <aside>
          <JobPanel />
        </aside>
      </div>
    </div>
  );
}
