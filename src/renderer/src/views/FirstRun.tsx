import { useState, type FormEvent } from 'react';
import type { AppInfo } from '@shared/types';
import { useApi, useQuery } from '../api/hooks';
import { usePickFolder } from '../components/FolderPicker';
import { useNotify } from '../components/Notices';

interface Props {
  info: AppInfo;
  onOpened: () => void;
}

const slug = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'project';

function joinPath(dir: string, name: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}

export function FirstRun({ info, onOpened }: Props) {
  const api = useApi();
  const notify = useNotify();
  const recent = useQuery('projects/recent', {}, ['project']);
  const { pick, element: picker } = usePickFolder(info.nativeDialogs);
  const [name, setName] = useState('');
  const [location, setLocation] = useState(info.browseRoots[0] ?? '');
  const [preset, setPreset] = useState<'disfa' | 'bp4d'>('disfa');
  const [busy, setBusy] = useState(false);

  const target = name.trim() && location ? joinPath(location, slug(name)) : '';

  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await work();
      onOpened();
    } catch (e) {
      notify('error', (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const create = (e: FormEvent) => {
    e.preventDefault();
    if (!target) return notify('error', 'Give the project a name and a location first.');
    void run(() => api.call('projects/create', { dir: target, name: name.trim(), auSet: { preset } }));
  };

  const openFolder = async () => {
    const dir = await pick('Open a project folder');
    if (dir) void run(() => api.call('projects/open', { dir }));
  };

  return (
    <main className="first-run">
      <header className="brand">
        <h1>AU Workbench</h1>
        <p>Per-frame facial action unit intensities from a few labelled frames: label 2 %, pretrain, finetune, review, export.</p>
      </header>
      <div className="cards">
        <section className="card" aria-labelledby="create-title">
          <h2 id="create-title">Create a project</h2>
          <form onSubmit={create}>
            <label>
              Project name
              <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Pain study, wave 2" required maxLength={120} />
            </label>
            <label htmlFor="location">Location</label>
            <div className="row">
              <input id="location" value={location} onChange={(e) => setLocation(e.target.value)} spellCheck={false} />
              <button type="button" onClick={async () => setLocation((await pick('Choose where to create the project', location)) ?? location)}>
                Browse…
              </button>
            </div>
            <label>
              Action units
              <select value={preset} onChange={(e) => setPreset(e.target.value as 'disfa' | 'bp4d')}>
                <option value="disfa">DISFA: 12 AUs (1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26)</option>
                <option value="bp4d">BP4D intensity: 5 AUs (6, 10, 12, 14, 17)</option>
              </select>
            </label>
            {target && (
              <p className="muted small">
                Creates <code>{target}</code>
              </p>
            )}
            <button type="submit" className="primary" disabled={busy || !target}>
              Create project
            </button>
          </form>
        </section>

        <section className="card" aria-labelledby="open-title">
          <h2 id="open-title">Open a project</h2>
          {recent.data && recent.data.length > 0 ? (
            <ul className="recent" aria-label="Recent projects">
              {recent.data.map((r) => (
                <li key={r.dir}>
                  <button type="button" className="recent-item" disabled={busy} onClick={() => void run(() => api.call('projects/open', { dir: r.dir }))}>
                    <strong>{r.name}</strong>
                    <span className="muted small">{r.dir}</span>
                  </button>
                  <button type="button" className="ghost" aria-label={`Remove ${r.name} from recent projects`} onClick={() => api.call('projects/forget', { dir: r.dir }).then(recent.reload)}>
                    ×
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No recent projects yet.</p>
          )}
          <button type="button" onClick={openFolder} disabled={busy}>
            Open folder…
          </button>
        </section>

        <section className="card" aria-labelledby="demo-title">
          <h2 id="demo-title">Try the demo</h2>
          <p className="muted">Synthetic face videos with known AU intensities: label, train and review in minutes.</p>
          <button type="button" disabled={!info.demo.available || busy} aria-describedby="demo-reason" onClick={() => void run(() => api.call('projects/openDemo', {}))}>
            Open the demo project
          </button>
          {!info.demo.available && (
            <p id="demo-reason" className="muted small">
              {info.demo.reason}
            </p>
          )}
        </section>
      </div>
      <footer className="muted small">
        AU Workbench {info.version} · {info.shell === 'electron' ? 'desktop' : 'browser mode'}
      </footer>
      {picker}
    </main>
  );
}
