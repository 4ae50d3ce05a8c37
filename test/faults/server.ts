/**
 * The real browser-mode server (out/main/server.js, as `npm start` runs it) in a child process,
 * for fault tests that must see whether the process survives what a client sends it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { call } from '../helpers/http';

export interface LiveServer {
  url: string;
  port: number;
  token: string;
  child: ChildProcess;
  /** Everything the server printed so far. */
  log(): string;
  alive(): boolean;
  bearer(): Record<string, string>;
  stop(): Promise<void>;
}

// AUW_FAULTS_SERVER_JS runs these tests against another build (e.g. the code before a fix, to see them fail).
export const SERVER_JS = path.resolve(process.env.AUW_FAULTS_SERVER_JS ?? 'out/main/server.js');

export function requireBuild(): void {
  if (!fs.existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run \`npm run build\` first (npm test and npm run test:faults do).`);
}

export async function startLiveServer(opts: { roots: string[]; settingsDir: string; args?: string[]; env?: Record<string, string> }): Promise<LiveServer> {
  requireBuild();
  const child = spawn(process.execPath, [SERVER_JS, '--no-open', ...opts.roots.flatMap((r) => ['--root', r]), ...(opts.args ?? [])], {
    env: { ...process.env, AUW_SETTINGS_DIR: opts.settingsDir, AUW_DEMO_DIR: path.join(opts.settingsDir, 'no-demo'), CI: 'true', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server printed no URL in 20 s:\n${log}`)), 20_000);
    const onData = () => {
      const m = /Open: (http:\/\/\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before printing its URL:\n${log}`)));
  });
  const u = new URL(url);
  const token = u.searchParams.get('token')!;
  return {
    url,
    port: Number(u.port),
    token,
    child,
    log: () => log,
    alive: () => child.exitCode === null && child.signalCode === null,
    bearer: () => ({ authorization: `Bearer ${token}` }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** An API call through the live server; fails the test on a transport error. */
export function api(server: LiveServer, method: string, args: unknown) {
  return call(server.port, method, args, server.bearer());
}
