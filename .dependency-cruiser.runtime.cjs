/**
 * Which process may load what, on the imports that survive compilation (type-only imports are
 * erased, so a backend file may name a tfjs type). Part of `npm run lint:deps`.
 *
 * Processes, by their entries (electron.vite.config.ts builds one bundle per entry):
 * - backend: the browser-mode server, the CLI, the Electron main process and the backend it
 *   hosts in a utilityProcess; all of them build the services through compose.ts.
 * - worker: src/main/worker/entry.ts, forked by worker/launch.ts for ingest, training and
 *   prediction. Everything it reaches is worker side.
 * Folders say which: services/<domain>/backend/ and services/<domain>/worker/, with what both
 * processes load in the domain's top folder (rules below).
 * TensorFlow.js (tens of MB, native or wasm, seconds to start) belongs in the worker only: the
 * backend must answer the UI at once and stay up when a learning backend fails to load.
 */
const base = require('./.dependency-cruiser.cjs');

const BACKEND_ENTRIES = ['^src/main/server\\.ts$', '^src/main/cli\\.ts$', '^src/main/compose\\.ts$', '^src/main/electron/'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'backend-not-to-tfjs',
      severity: 'error',
      comment:
        'The backend process reaches TensorFlow.js. Run the work in a worker task (src/main/worker/protocol.ts), or import a tfjs-free part (e.g. learn/objectives/catalog.ts).',
      from: { path: BACKEND_ENTRIES },
      to: { path: '^node_modules/@tensorflow/', reachable: true },
    },
    {
      name: 'backend-not-to-worker-entry',
      severity: 'error',
      comment: 'The worker entry runs in its own process (forked by worker/launch.ts), never imported.',
      from: { path: BACKEND_ENTRIES },
      to: { path: '^src/main/worker/entry\\.ts$', reachable: true },
    },
    {
      name: 'backend-not-to-worker-folders',
      severity: 'error',
      comment:
        "A services/<domain>/worker/ file runs in the worker process; the backend may name its types but not load it. Move what both need to the domain's top folder.",
      from: { path: BACKEND_ENTRIES },
      to: { path: '^src/main/services/[^/]+/worker/', reachable: true },
    },
    {
      name: 'worker-not-to-backend-folders',
      severity: 'error',
      comment: "A services/<domain>/backend/ file runs in the backend process (it reads the database or queues jobs); the worker gets what it needs as task input.",
      from: { path: '^src/main/worker/entry\\.ts$' },
      to: { path: '^src/main/services/[^/]+/backend/', reachable: true },
    },
    {
      name: 'worker-not-to-sqlite',
      severity: 'error',
      comment: 'The worker never touches the project database: the backend gathers its input and writes what it streams back.',
      from: { path: '^src/main/worker/entry\\.ts$' },
      to: { path: '^node_modules/better-sqlite3/', reachable: true },
    },
  ],
  options: { ...base.options, tsPreCompilationDeps: false },
};
