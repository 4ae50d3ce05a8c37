/**
 * Browser-mode entry: the same services as the desktop app, behind a token-guarded HTTP and
 * WebSocket server on loopback, serving the built renderer.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compose, resolveRoots } from './compose';
import { parseInteger } from '../shared/numbers';
import { keepRunningOnUnexpectedErrors } from './unexpected';
import { newToken, startHttpServer } from './transport/http';
import { mediaRoutes } from './transport/media-routes';
import { mediaSigner } from './transport/guards';
import { browserMediaUrl } from './platform';

const here = path.dirname(fileURLToPath(import.meta.url));

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    root: { type: 'string', multiple: true },
    'no-open': { type: 'boolean', default: false },
    project: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});

if (values.help) {
  console.log(`AU Workbench, browser mode

  --no-open          do not open a browser (also when CI=true)
  --port N           port to listen on (default: a free one)
  --root DIR         a folder the UI may browse and use (repeatable). With --root, exactly
                     those folders (AUW_ROOTS is then ignored); without, the folders in
                     AUW_ROOTS, or else your home folder and the current folder
                     (never / unless named)
  --project DIR      open this project at start
  --host ADDR        listen on ADDR instead of 127.0.0.1. WARNING: anyone who can reach ADDR
                     and learns the token can read and change your projects.`);
  process.exit(0);
}

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', () => console.log('(No system browser found; open the URL above yourself.)'));
  child.unref();
}

async function main(): Promise<void> {
  const host = values.host ?? '127.0.0.1';
  if (values.host && !['127.0.0.1', 'localhost', '::1'].includes(values.host)) {
    console.warn(`WARNING: listening on ${values.host}, not loopback. Anyone who can reach it and has the token can use your projects.`);
  }
  const port = values.port === undefined ? 0 : parseInteger(values.port, { min: 0, max: 65535 });
  if (port === null) throw new Error(`--port must be a whole number from 0 to 65535 (decimal digits), not "${values.port}".`);
  keepRunningOnUnexpectedErrors('server');
  const token = newToken();
  const signer = mediaSigner(token);
  const { workbench, handlers, events } = compose({
    shell: 'browser',
    roots: resolveRoots(values.root ?? []),
    // <video> cannot send the token: it gets a signed, expiring URL for that one video.
    mediaUrl: (videoId) => signer.sign(browserMediaUrl(videoId)),
  });
  if (values.project) await workbench.open(workbench.platform.paths.check(path.resolve(values.project)));
  else await workbench.openStartupProject().catch((err: Error) => console.warn(`Could not open the demo project: ${err.message}`));
  const server = await startHttpServer({
    handlers,
    events,
    token,
    signer,
    host,
    port,
    staticDir: path.join(here, '../renderer'),
    routes: mediaRoutes(workbench),
  });
  console.log(`AU Workbench (browser mode) is running.\n  Open: ${server.url}`);
  const headless = values['no-open'] || process.env.CI === 'true' || process.env.CI === '1';
  if (!headless) openBrowser(server.url);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await workbench.close();
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`AU Workbench could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
