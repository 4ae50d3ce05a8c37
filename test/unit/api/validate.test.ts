import { describe, expect, it } from 'vitest';
import { contract, isMethodName, type MethodName } from '../../../src/shared/contract';
import { ApiError } from '../../../src/shared/errors';
import { parseCall } from '../../../src/shared/validate';
import { caught } from '../../helpers/tmp';

function refused(method: unknown, raw: unknown): ApiError {
  const err = caught(() => parseCall(method, raw));
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

const goodLabel = { videoId: 1, frame: 0, au: 12, intensity: 3, annotator: 'ann' };

describe('method names', () => {
  it.each(['nope', 'labels/Set', '', 'labels/set ', 'constructor', '__proto__', 'toString', 'hasOwnProperty'])('refuses %j as unknown', (name) => {
    const err = refused(name, {});
    expect(err.code).toBe('unknown_method');
    expect(err.message).toContain('There is no API method called');
  });

  it.each([42, null, undefined, { m: 1 }])('refuses a non-string method name (%j)', (name) => {
    expect(refused(name, {}).code).toBe('unknown_method');
  });

  it('cuts an absurdly long name in the message', () => {
    const err = refused('x'.repeat(10_000), {});
    expect(err.message.length).toBeLessThan(200);
  });

  it('knows every contract method and only those', () => {
    for (const name of Object.keys(contract)) expect(isMethodName(name)).toBe(true);
    expect(isMethodName('valueOf')).toBe(false);
  });
});

describe('arguments', () => {
  it.each([
    ['a string', 'hello'],
    ['a number', 7],
    ['an array', [1, 2]],
    ['true', true],
  ])('refuses %s where an object is expected', (_what, raw) => {
    const err = refused('app/info', raw);
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toMatch(/^Bad argument to app\/info: argument: /);
  });

  it('treats a missing argument as {}', () => {
    expect(parseCall('app/info', undefined).args).toEqual({});
    expect(parseCall('app/info', null).args).toEqual({});
    expect(refused('labels/set', undefined).message).toMatch(/videoId/);
  });

  it('names the field of a wrong type', () => {
    const err = refused('labels/set', { ...goodLabel, videoId: '1' });
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toMatch(/^Bad argument to labels\/set: videoId: .*number/i);
  });

  it('refuses unknown fields (strict objects), naming them', () => {
    const err = refused('labels/set', { ...goodLabel, colour: 'red', extra: 1 });
    expect(err.message).toBe('Bad argument to labels/set: argument: unknown field(s) colour, extra.');
    expect(refused('app/info', { verbose: true }).message).toContain('unknown field(s) verbose');
    expect(refused('projects/create', { dir: '/x', name: 'n', auSet: { preset: 'disfa', extra: 1 } }).code).toBe('invalid_argument');
  });

  it.each([6, 7, -1, 2.5])('refuses intensity %j with the FACS range in the message', (intensity) => {
    const err = refused('labels/set', { ...goodLabel, intensity });
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toMatch(/intensity: /);
    if (Number.isInteger(intensity)) expect(err.message).toContain('intensity is 0 (absent) to 5 (E)');
  });

  it('accepts intensities 0..5 and null (remove)', () => {
    for (const intensity of [0, 1, 2, 3, 4, 5, null]) expect(parseCall('labels/set', { ...goodLabel, intensity }).args).toMatchObject({ intensity });
  });

  it('refuses other out-of-range values with readable messages', () => {
    expect(refused('labels/set', { ...goodLabel, frame: -1 }).message).toContain('frame: frame numbers start at 0');
    expect(refused('labels/set', { ...goodLabel, au: 0 }).message).toContain('au: AU numbers start at 1');
    expect(refused('labels/set', { ...goodLabel, videoId: 0 }).message).toMatch(/videoId:/);
    expect(refused('labels/set', { ...goodLabel, annotator: '   ' }).message).toContain('annotator: an annotator name is required');
    expect(refused('projects/create', { dir: '', name: 'x' }).message).toContain('dir: a path is required');
    expect(refused('projects/create', { dir: '/a\0b', name: 'x' }).message).toContain('NUL');
    expect(refused('projects/create', { dir: '/a', name: 'x'.repeat(121) }).message).toContain('keep the name under 120 characters');
    expect(refused('projects/create', { dir: '/a', name: 'x', auSet: { custom: [1, 1], name: 'dup' } }).message).toContain('lists an AU twice');
    expect(refused('jobs/list', { limit: 501 }).message).toMatch(/limit:/);
  });

  it('refuses control characters in every name: annotator, project, subject (issue 24 §12)', () => {
    for (const [cp, ch] of [['U+0000', '\0'], ['U+0007', '\x07'], ['U+001B', '\x1b'], ['U+000D', '\r'], ['U+000A', '\n'], ['U+202E', '\u202e'], ['U+009B', '\u009b']]) {
      expect(refused('labels/set', { ...goodLabel, annotator: `a${ch}b` }).message).toContain(`annotator: the annotator name contains a control character (${cp})`);
      expect(refused('coder/set', { name: `a${ch}b` }).message).toContain(cp);
      expect(refused('projects/create', { dir: '/a', name: `P${ch}x` }).message).toContain(`name: the project name contains a control character (${cp})`);
      expect(refused('videos/import', { paths: ['/a.mp4'], subject: `S${ch}1` }).message).toContain(`subject: the subject contains a control character (${cp})`);
    }
    expect(parseCall('labels/set', { ...goodLabel, annotator: 'José Núñez, 李' }).args).toMatchObject({ annotator: 'José Núñez, 李' });
  });

  it('lists several problems at once, at most five', () => {
    const err = refused('labels/set', { videoId: 'a', frame: 'b', au: 'c', intensity: 'd', annotator: 5, x: 1 });
    const parts = err.message.replace(/^Bad argument to labels\/set: /, '').split('; ');
    expect(parts).toHaveLength(5);
    expect(parts[0]).toMatch(/^videoId: /);
  });
});

describe('defaults and normalisation', () => {
  it('gives projects/create the DISFA AU set by default', () => {
    const { method, args } = parseCall('projects/create', { dir: '/tmp/p', name: '  Pilot  ' });
    expect(method).toBe('projects/create');
    expect(args).toEqual({ dir: '/tmp/p', name: 'Pilot', auSet: { preset: 'disfa' } });
  });

  it('keeps an explicit AU set', () => {
    expect(parseCall('projects/create', { dir: '/p', name: 'n', auSet: { preset: 'bp4d' } }).args).toMatchObject({ auSet: { preset: 'bp4d' } });
    expect(parseCall('projects/create', { dir: '/p', name: 'n', auSet: { custom: [12, 6], name: 'Smile' }, cropSize: 96 }).args).toMatchObject({
      auSet: { custom: [12, 6], name: 'Smile' },
      cropSize: 96,
    });
  });

  it('applies list limits', () => {
    expect(parseCall('jobs/list', {}).args).toEqual({ limit: 50 });
    expect(parseCall('labels/history', { videoId: 2 }).args).toEqual({ videoId: 2, limit: 200 });
  });

  it('does not hand the caller’s object through', () => {
    const raw = { videoId: 1, frame: 0 };
    const { args } = parseCall('labels/forFrame' as MethodName, raw);
    expect(args).toEqual(raw);
    expect(args).not.toBe(raw);
  });
});
