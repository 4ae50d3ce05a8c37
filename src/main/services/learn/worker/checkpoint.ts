/**
 * Checkpoints and model files, written by hand: tfjs' file IO handlers need tfjs-node, which
 * may not be installed. A folder <project>/models/<name>/ holds
 *   checkpoint.json            training state: step, config, RNG, optimizer manifest, …
 *   weights-<step>.bin         float32 LE, variables back to back (manifest in the JSON)
 *   optimizer-<step>.bin       Adam moments, same layout
 *   model.json + model.bin     the finished model (best weights), what inference loads
 *   curve.jsonl                one line per logged step (loss curves survive a restart)
 * The binaries are written and fsynced first and the JSON is renamed over the old one last,
 * so a kill -9 at any moment leaves either the previous checkpoint or the new one, whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { tf } from './tfjs';
import type { Adam } from './adam';
import { readModelJson, type ModelFile, type TensorEntry } from '../modelFile';
import { fsyncDir, fsyncWrite } from './durable';

export type { ModelFile, TensorEntry } from '../modelFile';
import type { AuModel } from './model';

export interface CheckpointMeta<S = Record<string, unknown>> {
  format: 'auw-checkpoint';
  version: 1;
  kind: 'pretrain' | 'finetune';
  step: number;
  /** Hash of the settings that must match for a resume to be valid. */
  configKey: string;
  config: unknown;
  weightsFile: string;
  weights: TensorEntry[];
  optimizerFile: string;
  optimizer: { step: number; lr: number; entries: (TensorEntry & { slot: 'm' | 'v'; variable: string })[] };
  rng: number;
  state: S;
  savedAt: string;
}

/** Reads tensors' values and packs them in one float32 buffer. */
export async function packTensors(named: [string, tfjs.Tensor][]): Promise<{ data: Float32Array; entries: TensorEntry[] }> {
  const total = named.reduce((n, [, t]) => n + t.size, 0);
  const data = new Float32Array(total);
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const [name, t] of named) {
    data.set((await t.data()) as Float32Array, offset);
    entries.push({ name, shape: [...t.shape], offset });
    offset += t.size;
  }
  return { data, entries };
}

export function readTensorFile(file: string, entries: readonly TensorEntry[]): Map<string, tfjs.Tensor> {
  const buf = fs.readFileSync(file);
  const floats = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const out = new Map<string, tfjs.Tensor>();
  for (const e of entries) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset + size > floats.length) throw new Error(`${path.basename(file)} is shorter than its manifest says (the checkpoint is damaged).`);
    out.set(e.name, tf.tensor(floats.slice(e.offset, e.offset + size), e.shape));
  }
  return out;
}

const bytes = (f: Float32Array) => new Uint8Array(f.buffer, f.byteOffset, f.byteLength);

export function checkpointPath(dir: string): string {
  return path.join(dir, 'checkpoint.json');
}

export async function saveCheckpoint<S>(
  dir: string,
  o: { kind: 'pretrain' | 'finetune'; step: number; configKey: string; config: unknown; model: AuModel; optimizer: Adam; rng: number; state: S; extra?: [string, tfjs.Tensor][] },
): Promise<CheckpointMeta<S>> {
  fs.mkdirSync(dir, { recursive: true });
  const named: [string, tfjs.Tensor][] = [...o.model.vars.entries(), ...(o.extra ?? [])];
  const weights = await packTensors(named);
  const opt = o.optimizer.state();
  const optNamed: [string, tfjs.Tensor][] = [];
  const optEntries: CheckpointMeta['optimizer']['entries'] = [];
  for (const [variable, s] of opt.moments) {
    optNamed.push([`${variable}/m`, s.m], [`${variable}/v`, s.v]);
  }
  const packed = await packTensors(optNamed);
  packed.entries.forEach((e) => {
    const slot = e.name.endsWith('/m') ? 'm' : 'v';
    optEntries.push({ ...e, slot, variable: e.name.slice(0, -2) });
  });
  const weightsFile = `weights-${o.step}.bin`;
  const optimizerFile = `optimizer-${o.step}.bin`;
  fsyncWrite(path.join(dir, weightsFile), bytes(weights.data));
  fsyncWrite(path.join(dir, optimizerFile), bytes(packed.data));
  const meta: CheckpointMeta<S> = {
    format: 'auw-checkpoint',
    version: 1,
    kind: o.kind,
    step: o.step,
    configKey: o.configKey,
    config: o.config,
    weightsFile,
    weights: weights.entries,
    optimizerFile,
    optimizer: { step: opt.step, lr: o.optimizer.lr, entries: optEntries },
    rng: o.rng,
    state: o.state,
    savedAt: new Date().toISOString(),
  };
  const tmp = path.join(dir, `checkpoint.json.${process.pid}.tmp`);
  fsyncWrite(tmp, JSON.stringify(meta));
  fs.renameSync(tmp, checkpointPath(dir));
  fsyncDir(dir);
  // Older binaries are garbage only once the new JSON is in place.
  for (const f of fs.readdirSync(dir)) {
    if (/^(weights|optimizer)-\d+\.bin$/.test(f) && f !== weightsFile && f !== optimizerFile) fs.rmSync(path.join(dir, f), { force: true });
  }
  return meta;
}

export function readCheckpointMeta<S>(dir: string): CheckpointMeta<S> | null {
  const file = checkpointPath(dir);
  if (!fs.existsSync(file)) return null;
  const meta = JSON.parse(fs.readFileSync(file, 'utf8')) as CheckpointMeta<S>;
  if (meta.format !== 'auw-checkpoint' || meta.version !== 1) throw new Error(`${file} is not a checkpoint this version can read.`);
  return meta;
}

/**
 * Restores weights and optimizer moments into a model built from the same config. Returns
 * the extra (non-model) tensors, e.g. an objective's own head, for the caller to take over.
 */
export function restoreCheckpoint(dir: string, meta: CheckpointMeta<unknown>, model: AuModel, optimizer: Adam): Map<string, tfjs.Tensor> {
  const weights = readTensorFile(path.join(dir, meta.weightsFile), meta.weights);
  const extra = new Map<string, tfjs.Tensor>();
  for (const [name, t] of weights) {
    const v = model.vars.get(name);
    if (v) {
      if (v.shape.join('x') !== t.shape.join('x')) throw new Error(`Checkpoint variable ${name} has shape ${t.shape.join('x')}, the model ${v.shape.join('x')}.`);
      v.assign(t);
      t.dispose();
    } else extra.set(name, t);
  }
  const missing = [...model.vars.keys()].filter((n) => !weights.has(n));
  if (missing.length) throw new Error(`The checkpoint lacks ${missing.length} model variable(s) (${missing.slice(0, 3).join(', ')}…).`);
  const opt = readTensorFile(path.join(dir, meta.optimizerFile), meta.optimizer.entries);
  const moments = new Map<string, { m: tfjs.Tensor; v: tfjs.Tensor }>();
  for (const e of meta.optimizer.entries) {
    const slot = moments.get(e.variable) ?? ({} as { m: tfjs.Tensor; v: tfjs.Tensor });
    slot[e.slot] = opt.get(e.name)!;
    moments.set(e.variable, slot);
  }
  optimizer.restore({ step: meta.optimizer.step, moments });
  for (const t of opt.values()) t.dispose();
  optimizer.lr = meta.optimizer.lr;
  return extra;
}

export async function saveModelFile(dir: string, stage: 'pretrain' | 'finetune', model: AuModel, info: Record<string, unknown>): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const packed = await packTensors([...model.vars.entries()]);
  fsyncWrite(path.join(dir, 'model.bin'), bytes(packed.data));
  const meta: ModelFile = { format: 'auw-model', version: 1, stage, config: model.config, weightsFile: 'model.bin', weights: packed.entries, info, savedAt: new Date().toISOString() };
  const file = path.join(dir, 'model.json');
  const tmp = `${file}.${process.pid}.tmp`;
  fsyncWrite(tmp, JSON.stringify(meta));
  fs.renameSync(tmp, file);
  fsyncDir(dir);
  return file;
}

export function readModelFile(dir: string): { meta: ModelFile; weights: Map<string, tfjs.Tensor> } {
  const meta = readModelJson(dir);
  return { meta, weights: readTensorFile(path.join(dir, meta.weightsFile), meta.weights) };
}

/** A stable key of the settings a resume must share with the checkpoint. */
export function configKey(config: unknown): string {
  const s = JSON.stringify(config, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16).padStart(8, '0') + s.length.toString(16);
}

