// Locates a working ffmpeg binary and runs it. Every media module goes through here so that the
// whole app agrees on one binary (and so one set of codecs and one stderr dialect).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

export type FfmpegSource = 'FFMPEG_PATH' | 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg' | 'PATH';

export interface FfmpegCandidate {
  source: FfmpegSource;
  /** Returns a path/command to try, or throws/returns null when this source has nothing. */
  locate: () => string | null;
}

export interface FfmpegAttempt {
  source: FfmpegSource;
  path: string | null;
  ok: boolean;
  reason?: string;
}

export interface ResolvedFfmpeg {
  path: string;
  source: FfmpegSource;
  /** First line of `ffmpeg -version`, e.g. "ffmpeg version 4.1 ...". */
  version: string;
  /** Everything tried before (and including) the winner, so the UI can say why FFMPEG_PATH was skipped. */
  attempts: FfmpegAttempt[];
}

export class FfmpegNotFoundError extends Error {
  override readonly name = 'FfmpegNotFoundError';
  constructor(readonly attempts: FfmpegAttempt[]) {
    super(
      'No working ffmpeg was found. Tried, in order:\n' +
        attempts.map((a) => `  - ${a.source}${a.path ? ` (${a.path})` : ''}: ${a.reason ?? 'failed'}`).join('\n') +
        '\nTo fix: install ffmpeg (e.g. `apt-get install ffmpeg`, `brew install ffmpeg`, or from ffmpeg.org) so it is on PATH, ' +
        'or set the FFMPEG_PATH environment variable to the full path of an ffmpeg executable, ' +
        'or reinstall the app dependencies so `ffmpeg-static` / `@ffmpeg-installer/ffmpeg` provide one.',
    );
  }
}

// createRequire keeps working when the main process is bundled to CJS or run as ESM.
const req = createRequire(import.meta.url);

/** Electron packs node_modules into app.asar, but binaries must be executed from the unpacked copy. */
function unpacked(p: string): string {
  return p.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
}

export function defaultCandidates(env: NodeJS.ProcessEnv = process.env): FfmpegCandidate[] {
  return [
    { source: 'FFMPEG_PATH', locate: () => env.FFMPEG_PATH?.trim() || null },
    {
      source: 'ffmpeg-static',
      locate: () => {
        const mod: unknown = req('ffmpeg-static');
        const p = typeof mod === 'string' ? mod : (mod as { default?: unknown } | null)?.default;
        return typeof p === 'string' ? unpacked(p) : null;
      },
    },
    {
      source: '@ffmpeg-installer/ffmpeg',
      locate: () => {
        const mod = req('@ffmpeg-installer/ffmpeg') as { path?: unknown };
        return typeof mod.path === 'string' ? unpacked(mod.path) : null;
      },
    },
    { source: 'PATH', locate: () => (process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg') },
  ];
}

/** Runs `<bin> -version`; returns the first line or throws with a short reason. */
function checkRuns(bin: string): string {
  const r = spawnSync(bin, ['-version'], { encoding: 'utf8', timeout: 15_000, windowsHide: true });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'not executable' : r.error.message);
  }
  const first = (r.stdout ?? '').split('\n')[0]?.trim() ?? '';
  if (r.status !== 0 || !first.startsWith("ffmpeg version")) {
    throw new Error(`did not run as ffmpeg (exit ${r.status ?? r.signal}): ${first || (r.stderr ?? '').slice(0, 200)}`);
  }
  return first;
}

/** Tries candidates in order and returns the first that actually runs. Uncached; see `resolveFfmpeg`. */
export function findFfmpeg(candidates: FfmpegCandidate[] = defaultCandidates()): ResolvedFfmpeg {
  const attempts: FfmpegAttempt[] = [];
  for (const c of candidates) {
    let path: string | null;
    try {
      path = c.locate();
    } catch (e) {
      attempts.push({ source: c.source, path: null, ok: false, reason: `not installed (${shortMessage(e)})` });
      continue;
    }
    if (!path) {
      attempts.push({ source: c.source, path: null, ok: false, reason: 'not set' });
      continue;
    }
    try {
      const version = checkRuns(path);
      attempts.push({ source: c.source, path, ok: true });
      return { path, source: c.source, version, attempts };
    } catch (e) {
      attempts.push({ source: c.source, path, ok: false, reason: shortMessage(e) });
    }
  }
  throw new FfmpegNotFoundError(attempts);
}

function shortMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!.slice(0, 160);
}

let cached: ResolvedFfmpeg | null = null;

/** The app-wide ffmpeg; resolved once (spawning `-version` four times per call would add up). */
export function resolveFfmpeg(opts: { refresh?: boolean; candidates?: FfmpegCandidate[] } = {}): ResolvedFfmpeg {
  if (opts.candidates) return findFfmpeg(opts.candidates);
  if (!cached || opts.refresh) cached = findFfmpeg();
  return cached;
}

export function ffmpegPath(): string {
  return resolveFfmpeg().path;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs ffmpeg to completion, collecting stdout (bounded by maxStdout) and stderr (tail kept).
 * Resolves even on non-zero exit: callers classify the failure from stderr. Rejects with the
 * signal's reason (an AbortError) once it aborted.
 */
export function runFfmpeg(
  args: string[],
  opts: {
    signal?: AbortSignal;
    maxStdout?: number;
    bin?: string;
    onStderrLine?: (line: string) => void;
    onStdout?: (chunk: Buffer) => void;
    /** false: stdout goes only to onStdout (streams of unbounded size). */
    keepStdout?: boolean;
  } = {},
): Promise<RunResult> {
  const bin = opts.bin ?? ffmpegPath();
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(opts.signal.reason);
    const proc = spawn(bin, ['-hide_banner', '-nostdin', ...args], { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [];
    let outLen = 0;
    const maxOut = opts.maxStdout ?? 512 * 1024 * 1024;
    let err = '';
    let partial = '';
    const onAbort = () => proc.kill('SIGKILL');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const keep = opts.keepStdout !== false;
    proc.stdout.on('data', (b: Buffer) => {
      if (!keep) return opts.onStdout?.(b);
      outLen += b.length;
      if (outLen > maxOut) {
        proc.kill('SIGKILL');
        return;
      }
      opts.onStdout?.(b);
      out.push(b);
    });
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (s: string) => {
      // Keep only the tail: a long decode can print megabytes of per-frame noise.
      err += s;
      if (err.length > 256 * 1024) err = err.slice(-128 * 1024);
      if (opts.onStderrLine) {
        const lines = (partial + s).split(/\r\n|\r|\n/);
        partial = lines.pop() ?? '';
        for (const l of lines) opts.onStderrLine(l);
      }
    });
    proc.on('error', (e) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(e);
    });
    proc.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (partial && opts.onStderrLine) opts.onStderrLine(partial);
      if (opts.signal?.aborted) return reject(opts.signal.reason);
      if (outLen > maxOut) return reject(new Error(`ffmpeg produced more than ${maxOut} bytes of output`));
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err });
    });
  });
}
