import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

type BackendModule = typeof import('../../../src/main/services/learn/worker/tfjs');

const resolvable = (pkg: string) => {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
};
const nativeInstalled = resolvable('@tensorflow/tfjs-node') || resolvable('@tensorflow/tfjs-node-gpu');
const envBefore = { backend: process.env.AUW_TF_BACKEND, threads: process.env.AUW_WASM_THREADS };

/** A fresh copy of backend.ts: its choice is memoised per module instance. */
async function freshBackend(env: { AUW_TF_BACKEND?: string }): Promise<BackendModule> {
  vi.resetModules();
  if (env.AUW_TF_BACKEND === undefined) delete process.env.AUW_TF_BACKEND;
  else process.env.AUW_TF_BACKEND = env.AUW_TF_BACKEND;
  return import('../../../src/main/services/learn/worker/tfjs');
}

afterEach(() => {
  for (const [key, value] of [['AUW_TF_BACKEND', envBefore.backend], ['AUW_WASM_THREADS', envBefore.threads]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('initBackend', () => {
  it('rejects an unknown AUW_TF_BACKEND value and names the valid ones', async () => {
    const b = await freshBackend({ AUW_TF_BACKEND: 'tpu' });
    await expect(b.initBackend()).rejects.toThrow(/AUW_TF_BACKEND=tpu.*node-gpu, node, wasm, cpu/);
  });

  it.skipIf(resolvable('@tensorflow/tfjs-node'))('fails clearly when a forced native backend is not installed', async () => {
    const b = await freshBackend({ AUW_TF_BACKEND: 'node' });
    await expect(b.initBackend()).rejects.toThrow(/AUW_TF_BACKEND=node was requested.*could not be loaded/);
    expect(b.getBackendInfo()).toBeNull();
  });

  it('fails clearly when wasm is forced but its binaries are missing', async () => {
    const b = await freshBackend({ AUW_TF_BACKEND: 'wasm' });
    const empty = mkdtempSync(path.join(tmpdir(), 'auw-nowasm-'));
    try {
      await expect(b.initBackend({ wasmDir: empty })).rejects.toThrow(/AUW_TF_BACKEND=wasm.*wasm binaries missing/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it.skipIf(nativeInstalled)('falls back to cpu only loudly, and then refuses to train', async () => {
    const b = await freshBackend({});
    const empty = mkdtempSync(path.join(tmpdir(), 'auw-nowasm-'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const info = await b.initBackend({ wasmDir: empty });
      expect(info.kind).toBe('cpu');
      expect(info.note).toMatch(/WARNING.*cpu backend.*wasm: wasm binaries missing/);
      expect(warn).toHaveBeenCalled();
      expect(() => b.assertTrainingBackend()).toThrow(/Training refused.*AUW_TF_BACKEND=cpu/);
      process.env.AUW_TF_BACKEND = 'cpu';
      expect(b.assertTrainingBackend().kind).toBe('cpu'); // an explicit choice is respected
    } finally {
      warn.mockRestore();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('trains on cpu without complaint when AUW_TF_BACKEND=cpu was chosen', async () => {
    const b = await freshBackend({ AUW_TF_BACKEND: 'cpu' });
    const info = await b.initBackend();
    expect(info).toMatchObject({ name: 'cpu', kind: 'cpu' });
    expect(info.note).not.toMatch(/WARNING/);
    expect(b.assertTrainingBackend().kind).toBe('cpu');
    expect(b.tf.getBackend()).toBe('cpu');
  });

  it('refuses training before initialisation', async () => {
    const b = await freshBackend({});
    expect(() => b.assertTrainingBackend()).toThrow(/initBackend\(\) must finish/);
  });
});

/** Runs backend selection in a child process, as the CLI and the job worker do. */
function probe(extraEnv: Record<string, string>) {
  // Inside the package (gitignored .tmp/) so "type": "module" applies to the probe.
  const scratch = path.join(process.cwd(), '.tmp');
  mkdirSync(scratch, { recursive: true });
  const dir = mkdtempSync(path.join(scratch, 'backend-probe-'));
  const script = path.join(dir, 'probe.ts');
  const backendPath = path.resolve('src/main/services/learn/worker/tfjs.ts');
  writeFileSync(script, [
    `import { initBackend, tf } from ${JSON.stringify(backendPath)};`,
    'const info = await initBackend();',
    'const s = tf.sum(tf.conv2d(tf.ones([1, 8, 8, 2]), tf.ones([3, 3, 2, 4]), 1, "valid")).dataSync()[0];',
    'console.log(JSON.stringify({ info, s }));',
  ].join('\n'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
    delete env.AUW_TF_BACKEND;
    if (!('AUW_WASM_THREADS' in extraEnv)) delete env.AUW_WASM_THREADS;
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { env, encoding: 'utf8', timeout: 60_000 });
    expect(run.signal, `exited by itself (stderr: ${run.stderr})`).toBeNull();
    expect(run.status, run.stderr).toBe(0);
    const line = run.stdout.trim().split('\n').pop() ?? '';
    return JSON.parse(line) as { info: { kind: string; simd?: boolean; threads?: number; note?: string }; s: number };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the default choice in a fresh process', () => {
  // Also proof that wasm's pthread workers do not keep a finished CLI run alive.
  it('picks wasm with SIMD and all cores as threads here, computes, and lets the process exit', () => {
    const { info, s } = probe({});
    expect(s).toBe(6 * 6 * 4 * 18);
    if (nativeInstalled) return;
    expect(info.kind).toBe('wasm');
    expect(info.simd).toBe(true);
    expect(info.threads).toBe(Math.min(cpus().length, 8));
    if (cpus().length > 1) expect(info.note).toBeUndefined(); // no "threads unavailable" fallback
  });

  it.skipIf(nativeInstalled)('honours AUW_WASM_THREADS=1', () => {
    const { info, s } = probe({ AUW_WASM_THREADS: '1' });
    expect(s).toBe(6 * 6 * 4 * 18);
    expect(info).toMatchObject({ kind: 'wasm', simd: true, threads: 1 });
  });
});
