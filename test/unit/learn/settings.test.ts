/**
 * The training settings are declared once (src/shared/settings/): the CLI's flags and --help,
 * the API's inputs, the Advanced panel's fields and the handlers' job overrides all come from
 * that declaration, and a bad value is refused, with its name and range, before any job is queued.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { LEARN_HELP, runLearnCli, settingsFromFlags } from '../../../src/main/cli-learn';
import { finetuneConfig, pretrainConfig } from '../../../src/main/services/learn/config';
import { AdvancedSettings } from '../../../src/renderer/src/views/Train/AdvancedSettings';
import { settingFields } from '../../../src/renderer/src/views/Train/settingFields';
import { contract } from '../../../src/shared/contract';
import { PRESETS, PRESET_NAMES, defaultOf, presetSchema } from '../../../src/shared/settings/presets';
import { STAGE_SETTINGS, rangeOf, type Settings, type Stage } from '../../../src/shared/settings/training';
import { makeApp, type TestApp } from '../../helpers/app';
import { tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-settings-');
let t: TestApp | null = null;
afterEach(async () => {
  await t?.app.workbench.close();
  t = null;
  tmp.cleanup();
});

const STAGES: Stage[] = ['pretrain', 'finetune'];
const METHOD = { pretrain: 'models/pretrain', finetune: 'models/finetune' } as const;
const entries = (stage: Stage) => Object.entries(STAGE_SETTINGS[stage] as Settings);

/** The lines of --help between a stage's "settings" heading and the next command. */
function helpSection(stage: Stage): string {
  const start = LEARN_HELP.indexOf(`${stage === 'pretrain' ? 'pretraining' : 'finetuning'} settings`);
  const end = LEARN_HELP.indexOf('\n  auw ', start);
  return LEARN_HELP.slice(start, end);
}

/** A value just outside a setting's declared range (or not among its choices). */
function outOfRange(key: string, stage: Stage): number | string {
  const r = rangeOf((STAGE_SETTINGS[stage] as Settings)[key]!);
  return r.options ? 'raw' : r.max! + 1;
}

describe('the training settings declaration', () => {
  it('gives every setting a flag and a line of --help, and an input of the API method', () => {
    for (const stage of STAGES) {
      const help = helpSection(stage);
      const shape = contract[METHOD[stage]].input.shape as Record<string, unknown>;
      for (const [key, s] of entries(stage)) {
        expect(help, `--${s.flag} in the ${stage} help`).toContain(`--${s.flag} `);
        expect(help).toContain(s.help);
        expect(shape, `${key} in ${METHOD[stage]}`).toHaveProperty(key);
      }
      // Nothing in the section that the declaration does not hold.
      expect(help.match(/^ {4}--/gm)).toHaveLength(entries(stage).length);
    }
  });

  it('shows each preset its own value in --help', () => {
    expect(helpSection('pretrain')).toContain(`tiny ${PRESETS.tiny.pretrain.steps}, quick ${PRESETS.quick.pretrain.steps}, default ${PRESETS.default.pretrain.steps}, gpu ${PRESETS.gpu.pretrain.steps}`);
    expect(helpSection('finetune')).toMatch(/--cv-folds N.*\n.*0–10; default 3/);
  });

  it('lays out the Advanced panel from the declared settings with a label, in their order', () => {
    expect(settingFields('pretrain', 'quick').map((f) => f.label)).toEqual(['Steps', 'Clips per batch', 'Clip length (frames)', 'Frame stride', 'Learning rate', 'Checkpoint every (steps)', 'Network input']);
    expect(settingFields('finetune', 'quick').map((f) => f.label)).toEqual([
      'Head-only steps',
      'Full-network steps',
      'Learning rate',
      'Full-network LR scale',
      'Cross-validation folds',
      'Validation share (without folds)',
      'Landmark-motion weight',
      'Evaluate every (steps)',
      'Early-stop patience',
      'Network input',
      'Landmark stream units',
    ]);
    for (const stage of STAGES) {
      const labelled = entries(stage).filter(([, s]) => s.label);
      expect(settingFields(stage, 'gpu').map((f) => f.key)).toEqual(labelled.map(([k]) => k));
    }
    // Empty means the preset's value, and the placeholder says which.
    const quickSteps = settingFields('finetune', 'quick').find((f) => f.key === 'fullSteps')!;
    expect(quickSteps.placeholder).toBe(String(PRESETS.quick.finetune.fullSteps));
    expect(settingFields('finetune', 'tiny').find((f) => f.key === 'fullSteps')!.placeholder).toBe(String(PRESETS.tiny.finetune.fullSteps));
    expect(settingFields('finetune', 'quick').find((f) => f.key === 'cvFolds')!.placeholder).toBe('3');
  });

  it('renders each declared field in the panel with its description as tooltip', () => {
    const html = renderToStaticMarkup(createElement(AdvancedSettings, { options: null, preset: 'quick', value: {}, onChange: () => {} }));
    for (const stage of STAGES) {
      for (const f of settingFields(stage, 'quick')) {
        expect(html).toContain(`>${f.label}`);
        expect(html).toContain(`title="${f.title.replaceAll('"', '&quot;').replaceAll("'", '&#x27;')}"`);
      }
    }
    expect(html).toContain('aria-label="Pretraining network input"');
    expect(html).toContain('aria-label="Finetuning network input"');
    expect(html).toContain('Network input (from scratch only)');
  });

  it('holds presets inside the declared ranges, and resolves configs from them', () => {
    for (const name of PRESET_NAMES) expect(presetSchema.safeParse(PRESETS[name]).error).toBeUndefined();
    const pre = pretrainConfig('quick', 64, [1, 2]);
    for (const [key, s] of entries('pretrain')) {
      const got = s.kind === 'model' ? (pre.model as unknown as Record<string, unknown>)[key] : (pre as unknown as Record<string, unknown>)[key];
      expect(got, key).toBe(defaultOf('pretrain', key, 'quick'));
    }
    const fine = finetuneConfig('default', 64, [1], { lr: 0.01, model: { clipLength: 5 } });
    expect([fine.lr, fine.model.clipLength, fine.fullSteps, fine.seed]).toEqual([0.01, 5, PRESETS.default.finetune.fullSteps, 1]);
    // Unset extras stay out of the stored config (a resumed job finds its checkpoint by it).
    expect(fine).not.toHaveProperty('geometryWeight');
  });

  it('refuses a value outside its range at the API, naming the setting', () => {
    for (const stage of STAGES) {
      for (const [key] of entries(stage)) {
        const bad = contract[METHOD[stage]].input.safeParse({ name: 'm', [key]: outOfRange(key, stage) });
        expect(bad.success, `${stage} ${key}`).toBe(false);
        expect(bad.error!.issues[0]!.path).toEqual([key]);
      }
    }
    expect(contract['models/finetune'].input.parse({ name: 'm' })).toMatchObject({ preset: 'quick', cvFolds: 3, valFraction: 0.2 });
  });

  it('reads each flag against its declaration on the command line', () => {
    expect(settingsFromFlags('finetune', { steps: '12', 'head-steps': '0', lr: '0.5', 'input-norm': 'none', 'cv-folds': '2' })).toEqual({ fullSteps: 12, headSteps: 0, lr: 0.5, inputNorm: 'none', cvFolds: 2 });
    expect(settingsFromFlags('pretrain', { steps: '7', batch: '3' })).toEqual({ steps: 7, batchClips: 3 });
    expect(() => settingsFromFlags('pretrain', { steps: '0' })).toThrow('--steps is a whole number from 1 to 1000000, not "0".');
    expect(() => settingsFromFlags('finetune', { 'full-lr-scale': '0' })).toThrow('--full-lr-scale is a number above 0 and at most 10, not "0".');
    expect(() => settingsFromFlags('pretrain', { stride: '1.5' })).toThrow('--stride is a whole number from 1 to 30, not "1.5".');
    expect(() => settingsFromFlags('pretrain', { 'input-norm': 'raw' })).toThrow('--input-norm is video-median (minus median face) or none (plain crop), not "raw".');
    expect(() => settingsFromFlags('pretrain', { 'cv-folds': '2' })).toThrow('`auw pretrain` has no --cv-folds (a finetuning setting).');
  });

  it('queues nothing when a flag is bad, and maps good ones into the job as declared', async () => {
    t = await makeApp(tmp.make());
    const out: string[] = [];
    const io = { call: t.call, events: t.app.events, waitFor: async () => {}, out: (l: string) => out.push(l), err: () => {} };
    const base = ['pretrain', t.dir, '--name', 'p'];
    await expect(runLearnCli([...base, '--lr', '2'], io)).rejects.toThrow('--lr is a number above 0 and at most 1, not "2".');
    await expect(runLearnCli([...base, '--preset', 'huge'], io)).rejects.toThrow('--preset is tiny, quick, default, gpu, not "huge".');
    await expect(runLearnCli(['finetune', t.dir, '--name', 'f', '--patience=-1'], io)).rejects.toThrow('--patience is a whole number from 0 to 1000, not "-1".');
    expect(await t.call('jobs/list', {})).toEqual([]);

    await runLearnCli(['pretrain', '--help'], io);
    expect(out.pop()).toBe(LEARN_HELP);

    // A good call: schedule settings as overrides, model ones under model, job ones beside them.
    // (The project has no labels, so the job itself fails at once; its parameters are what count.)
    const job = await t.call('models/finetune', { name: 'f', preset: 'tiny', fullSteps: 3, clipLength: 5, inputNorm: 'none', cvFolds: 0, seed: 9 });
    await t.app.workbench.requireJobs().idle();
    expect(job.params).toMatchObject({ preset: 'tiny', cvFolds: 0, valFraction: 0.2, splitSeed: 9, overrides: { fullSteps: 3, seed: 9, model: { clipLength: 5, inputNorm: 'none' } } });
    expect(job.params.overrides).not.toHaveProperty('cvFolds');
  });
});
