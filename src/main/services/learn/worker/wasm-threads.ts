import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tfjs from '@tensorflow/tfjs';

/**
 * Multithreaded tfjs-backend-wasm under Node.
 *
 * tfjs-backend-wasm 4.x reports WASM_HAS_MULTITHREAD_SUPPORT=false in Node
 * (tfjs issue #3830) although Emscripten's pthread glue in its Node bundle does
 * drive worker_threads. Three things break, and each is bridged here:
 *  1. pthread workers are spawned from a blob: URL, which Node's Worker rejects.
 *     While the module initialises, URL.createObjectURL answers that one blob
 *     with a file holding the same worker script.
 *  2. The module factory reaches each worker as a Blob whose source refers to
 *     variables of the rollup bundle's scope (require$$N, tslib helpers,
 *     commonjsGlobal). The worker script gets a prelude that defines them and
 *     evaluates the Blob's text.
 *  3. XNNPACK sizes its pool as logical cores / 2 (it assumes SMT), i.e. one
 *     thread on a 2-core machine. os.cpus() is widened during initialisation only.
 * All of it reads the installed bundle, so it is only attempted on versions it
 * was verified with; anything unexpected leaves wasm single-threaded.
 */

const VERIFIED_VERSIONS = new Set(['4.22.0']);
const FACTORY_SENTINEL = 'auw:wasm-threaded-factory';

export interface ThreadPlan {
  /** Undo the temporary patches; call once the backend has initialised (or failed). */
  restore(): void;
  requested: number;
}

const req = createRequire(import.meta.url);

function bundlePath(): string {
  return req.resolve('@tensorflow/tfjs-backend-wasm');
}

function wasmVersion(): string {
  const pkg = JSON.parse(
    readFileSync(path.join(path.dirname(bundlePath()), '..', 'package.json'), 'utf8'),
  ) as { version?: string };
  return pkg.version ?? 'unknown';
}

/** Builds the pthread worker script: the bundle's own worker plus the prelude bridge. */
function buildWorkerScript(bundle: string): string {
  const literal = /var wasmWorkerContents = ("(?:[^"\\]|\\.)*");/.exec(bundle)?.[1];
  if (literal == null) throw new Error('worker script not found in the tfjs-backend-wasm bundle');
  // tfjs itself escapes newlines before making the Blob: the script has "\n" inside string literals.
  const worker = (JSON.parse(literal) as string).replace(/\n/g, '\\n');
  const helpers = [...bundle.matchAll(/^function __\w+\([\s\S]*?\n\}/gm)].map((m) => m[0]);
  const requires = [...bundle.matchAll(/^var (require\$\$\d+) = require\('([^']+)'\);$/gm)]
    .map((m) => `var ${m[1]} = require(${JSON.stringify(m[2])});`);
  if (!helpers.some((h) => h.startsWith('function __values')) || requires.length === 0) {
    throw new Error('tfjs-backend-wasm bundle layout not recognised');
  }
  const prelude = [...requires, 'var commonjsGlobal = globalThis;', ...helpers].join('\n') + '\n';
  // Appended after the original script, which has installed self.onmessage and importScripts.
  const bridge = `
;(function () {
  var handle = self.onmessage, load = self.importScripts, chain = Promise.resolve();
  var prelude = ${JSON.stringify(prelude)};
  function run(e) {
    var d = e.data;
    if (d && d.cmd === 'load' && d.urlOrBlob && typeof d.urlOrBlob !== 'string') {
      return d.urlOrBlob.text().then(function (src) {
        self.importScripts = function (f) {
          if (f === ${JSON.stringify(FACTORY_SENTINEL)}) (0, eval)(prelude + src); else load(f);
        };
        d.urlOrBlob = ${JSON.stringify(FACTORY_SENTINEL)};
        handle(e);
      });
    }
    handle(e);
  }
  // Messages stay in order behind the async Blob read; a failure is rethrown outside
  // the chain so it surfaces as a worker error instead of stalling later messages.
  self.onmessage = function (e) {
    chain = chain.then(function () { return run(e); })
      .catch(function (err) { setTimeout(function () { throw err; }); });
  };
})();
`;
  return worker + bridge;
}

function writeOnce(contents: string): string {
  const hash = createHash('sha256').update(contents).digest('hex').slice(0, 16);
  // .cjs: the worker script uses require() whatever package.json sits above tmpdir.
  const file = path.join(tmpdir(), `auw-tfjs-wasm-worker-${hash}.cjs`);
  if (!existsSync(file)) {
    const part = `${file}.${process.pid}.tmp`;
    writeFileSync(part, contents);
    renameSync(part, file);
  }
  return file;
}

/**
 * Prepares the next wasm initialisation to use `threads` threads. Throws with a
 * reason when this installation cannot be made multithreaded; the caller then
 * simply initialises single-threaded.
 */
export function planWasmThreads(threads: number, setThreadsCount: (n: number) => void): ThreadPlan {
  const version = wasmVersion();
  if (!VERIFIED_VERSIONS.has(version)) {
    throw new Error(`threads not attempted: tfjs-backend-wasm ${version} is not a verified version`);
  }
  if (typeof SharedArrayBuffer === 'undefined') throw new Error('SharedArrayBuffer is unavailable');
  const workerFile = writeOnce(buildWorkerScript(readFileSync(bundlePath(), 'utf8')));

  const os = req('node:os') as typeof import('node:os');
  const realCpus = os.cpus;
  const realCreate = URL.createObjectURL;
  os.cpus = () => {
    const cpus = realCpus();
    return Array.from({ length: Math.max(2 * threads, cpus.length) }, (_, i) => cpus[i % cpus.length]!);
  };
  URL.createObjectURL = (obj: Blob | MediaSource) =>
    obj instanceof Blob && obj.type === 'application/javascript' ? workerFile : realCreate.call(URL, obj);

  setThreadsCount(threads);
  tfjs.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  let restored = false;
  return {
    requested: threads,
    restore() {
      if (restored) return;
      restored = true;
      os.cpus = realCpus;
      URL.createObjectURL = realCreate;
    },
  };
}

interface PThreadRegistry {
  runningWorkers?: Array<{ unref?: () => void }>;
}

/**
 * Emscripten refs the workers that run XNNPACK's pool threads, and those threads
 * live as long as the module, so a CLI run would never exit on its own. The
 * threads only do work when the main thread hands it to them, so unref'ing
 * them changes nothing but process lifetime.
 */
export function unrefWasmWorkers(backend: unknown): void {
  const module = (backend as { wasm?: { PThread?: PThreadRegistry } }).wasm;
  for (const worker of module?.PThread?.runningWorkers ?? []) worker.unref?.();
}
