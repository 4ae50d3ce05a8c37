// Which temporal module and which encoder options to use: one full training step (forward,
// backward, Adam) of the model at the 'quick' and 'default' sizes on this machine's backend,
// for each temporal module (temporal conv / GRU / self-attention / none) and with or without
// group normalisation. Variants run interleaved, several rounds, median reported, so a busy
// machine slows all of them alike.   npx tsx scripts/bench-temporal.ts [--rounds N]
import { parseArgs } from 'node:util';
import type * as tfjs from '@tensorflow/tfjs';
import { Adam } from '../src/main/services/learn/worker/adam';
import { initBackend, tf } from '../src/main/services/learn/worker/tfjs';
import { modelConfig, type ModelConfig, type PresetName } from '../src/main/services/learn/config';
import { infoNce } from '../src/main/services/learn/worker/losses';
import { AuModel } from '../src/main/services/learn/worker/model';
import { DISFA_AUS } from '../src/shared/aus';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);
const info = await initBackend();

interface Variant {
  label: string;
  preset: PresetName;
  over: Partial<ModelConfig>;
  B: number;
}
const variants: Variant[] = [];
for (const preset of ['quick', 'default'] as const) {
  for (const kind of ['tcn', 'gru', 'attn', 'none'] as const) variants.push({ label: `${preset} temporal=${kind}`, preset, over: { temporal: { kind, layers: 2, kernel: 3 } }, B: 8 });
  const norm = modelConfig(preset, 64, [...DISFA_AUS]).norm === 'group' ? 'none' : 'group';
  variants.push({ label: `${preset} tcn norm=${norm}`, preset, over: { norm }, B: 8 });
}

function setup(v: Variant) {
  const cfg = modelConfig(v.preset, 64, [...DISFA_AUS], v.over);
  const model = new AuModel(cfg, 1);
  const opt = new Adam({ lr: 1e-3 });
  const T = cfg.clipLength;
  const x = tf.randomUniform([2 * v.B, T, 64, 64, 1]) as tfjs.Tensor5D;
  const vars = new Map(model.variables(['enc', 'tmp', 'proj']).map((w) => [model.logicalName(w), w]));
  const names = new Map([...vars].map(([n, w]) => [w.name, n]));
  const step = () => {
    const t0 = performance.now();
    const { value, grads } = tf.variableGrads(() => {
      const [z1, z2] = tf.split(model.project(model.forward(x)), 2, 0) as [tfjs.Tensor3D, tfjs.Tensor3D];
      return infoNce(z1, z2, 0.1);
    }, [...vars.values()]);
    opt.apply(vars, new Map(Object.entries(grads).map(([k, g]) => [names.get(k)!, g])));
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
    return (performance.now() - t0) / 1000;
  };
  const infer = () => {
    const t0 = performance.now();
    tf.tidy(() => model.regress(model.forward(x)).dataSync());
    return (performance.now() - t0) / 1000;
  };
  return { cfg, model, opt, x, step, infer, frames: 2 * v.B * T };
}

const runs = variants.map((v) => ({ v, s: setup(v), train: [] as number[], infer: [] as number[] }));
for (const r of runs) r.s.step(); // warm-up (kernel compilation, allocation)
for (let k = 0; k < rounds; k++)
  for (const r of runs) {
    r.train.push(r.s.step());
    r.infer.push(r.s.infer());
  }
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
console.log(`backend ${info.kind}${info.threads ? ` ×${info.threads}` : ''}; ${rounds} rounds, median; batch 2×8 clips (two views)`);
console.log('| variant | params | train step (s) | train frames/s | inference frames/s |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of runs) {
  const t = median(r.train);
  const i = median(r.infer);
  console.log(`| ${r.v.label} (T=${r.s.cfg.clipLength}) | ${r.s.model.parameterCount()} | ${t.toFixed(2)} | ${(r.s.frames / t).toFixed(0)} | ${(r.s.frames / i).toFixed(0)} |`);
}
