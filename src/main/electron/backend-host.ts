/**
 * Entry of Electron's utilityProcess: the services (SQLite, media, jobs) live here, off the
 * main process, so the window never waits on the database or a long job.
 */
import { compose } from '../compose';
import { dispatch } from '../api/dispatch';
import type { FromBackend, ToBackend } from './protocol';

const port = process.parentPort;
const post = (m: FromBackend) => port.postMessage(m);
const dialogs = new Map<number, (p: string | null) => void>();
let nextDialog = 1;

const settingsDir = process.env.AUW_SETTINGS_DIR;
const { backend, handlers, events } = compose({
  shell: 'electron',
  ...(settingsDir ? { settingsDir } : {}),
  pickDirectory: (title) =>
    new Promise((resolve) => {
      const id = nextDialog++;
      dialogs.set(id, resolve);
      post({ type: 'pickDirectory', id, ...(title ? { title } : {}) });
    }),
});
events.subscribe((message) => post({ type: 'event', message }));

port.on('message', async (e: { data: ToBackend }) => {
  const m = e.data;
  if (m.type === 'call') post({ type: 'reply', id: m.id, envelope: await dispatch(handlers, m.method, m.args) });
  else if (m.type === 'dialogResult') {
    dialogs.get(m.id)?.(m.path);
    dialogs.delete(m.id);
  } else if (m.type === 'shutdown') {
    await backend.close();
    process.exit(0);
  }
});
post({ type: 'ready' });
