/**
 * Entry of Electron's utilityProcess: the services (SQLite, media, jobs) live here, off the
 * main process, so the window never waits on the database or a long job.
 */
import { compose, namedRoots } from '../compose';
import { keepRunningOnUnexpectedErrors } from '../unexpected';
import { dispatch } from '../api/dispatch';
import type { FromBackend, ToBackend } from './protocol';
import { playbackFile } from '../services/media/backend/playback';

const port = process.parentPort;
const post = (m: FromBackend) => port.postMessage(m);
const dialogs = new Map<number, (paths: string[]) => void>();
let nextDialog = 1;

function askDialog(kind: 'directory' | 'videos', title?: string): Promise<string[]> {
  return new Promise((resolve) => {
    const id = nextDialog++;
    dialogs.set(id, resolve);
    post({ type: 'dialog', id, kind, ...(title ? { title } : {}) });
  });
}

keepRunningOnUnexpectedErrors('backend');
const settingsDir = process.env.AUW_SETTINGS_DIR;
const { workbench, handlers, events } = compose({
  shell: 'electron',
  // The desktop UI reaches what the user picked in a native dialog (granted as picked), the
  // projects it opened before, and AUW_ROOTS if set; never the process's cwd or home.
  roots: namedRoots(),
  ...(settingsDir ? { settingsDir } : {}),
  pickDirectory: async (title) => (await askDialog('directory', title))[0] ?? null,
  pickVideos: (title) => askDialog('videos', title),
});
for (const r of workbench.settings.recent()) workbench.platform.paths.grant(r.dir);
events.subscribe((message) => post({ type: 'event', message }));

port.on('message', async (e: { data: ToBackend }) => {
  const m = e.data;
  if (m.type === 'call') post({ type: 'reply', id: m.id, envelope: await dispatch(handlers, m.method, m.args) });
  else if (m.type === 'dialogResult') {
    dialogs.get(m.id)?.(m.paths);
    dialogs.delete(m.id);
  } else if (m.type === 'mediaPath') {
    let file: string | null;
    try {
      file = workbench.project ? playbackFile(workbench.project, m.videoId) : null;
    } catch {
      file = null;
    }
    post({ type: 'mediaPath', id: m.id, path: file });
  } else if (m.type === 'grant') {
    for (const p of m.paths) workbench.platform.paths.grant(p);
  } else if (m.type === 'shutdown') {
    await workbench.close();
    process.exit(0);
  }
});
workbench.openStartupProject().catch((err: Error) => console.warn(`Could not open the demo project: ${err.message}`));
