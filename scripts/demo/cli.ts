// The demo generators' command line, read with node:util's parseArgs: one place for the flags
// both take, their checks and the usage line on a mistake.
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Extra = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses --out and the positive numbers both generators take (--seconds, --videos, --subjects,
 * --seed) plus `extra` options; `--help` prints the usage and exits. Throws with the flag's name
 * on a bad value.
 */
export function readDemoArgs(argv: string[], usage: string, extra: Extra) {
  const { values: parsed } = parseArgs({
    args: argv,
    strict: true,
    options: {
      out: { type: 'string' },
      seconds: { type: 'string' },
      videos: { type: 'string' },
      subjects: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...extra,
    },
  });
  const values = parsed as Record<string, string | boolean | undefined>;
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const positive = (flag: string): number | undefined => {
    const v = values[flag];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (typeof v !== 'string' || !Number.isFinite(n) || n <= 0) throw new Error(`--${flag} needs a positive number`);
    return n;
  };
  const whole = (flag: string) => {
    const n = positive(flag);
    return n === undefined ? undefined : Math.floor(n);
  };
  if (values.out === '') throw new Error('--out needs a directory');
  return {
    values,
    positive,
    whole,
    common: {
      ...(typeof values.out === 'string' && values.out ? { out: resolve(values.out) } : {}),
      ...(positive('seconds') !== undefined ? { seconds: positive('seconds')! } : {}),
      ...(whole('videos') !== undefined ? { videos: whole('videos')! } : {}),
      ...(whole('subjects') !== undefined ? { subjects: whole('subjects')! } : {}),
      ...(whole('seed') !== undefined ? { seed: whole('seed')! } : {}),
    },
  };
}
