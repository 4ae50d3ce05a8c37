/** Issue 24 §13: --root means exactly the folders named, and an empty one is refused. */
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { namedRoots, resolveRoots } from '../../../src/main/compose';
import { ApiError } from '../../../src/shared/errors';

describe('--root is exact', () => {
  it('ignores AUW_ROOTS when --root is given', () => {
    expect(resolveRoots(['/data/a'], ['/env/x', '/env/y'].join(path.delimiter))).toEqual(['/data/a']);
    expect(resolveRoots(['/data/a', '/data/b', '/data/a'], '/env/x')).toEqual(['/data/a', '/data/b']);
  });

  it('uses AUW_ROOTS without --root, skipping empty entries', () => {
    expect(resolveRoots([], ['/env/x', '', '/env/y', ''].join(path.delimiter))).toEqual(['/env/x', '/env/y']);
    expect(namedRoots([], undefined)).toEqual([]);
  });

  it('refuses an empty --root with a clear message instead of using the working directory', () => {
    for (const empty of ['', '  ']) {
      let err: unknown;
      try {
        resolveRoots([empty]);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).message).toMatch(/--root was given an empty folder name/);
      expect(() => resolveRoots(['/data/a', empty])).toThrow(/empty folder name/);
    }
  });

  it('falls back to home and the working directory only when nothing is named', () => {
    const roots = resolveRoots([], '');
    for (const r of roots) expect([os.homedir(), process.cwd()].map((x) => path.resolve(x))).toContain(r);
  });
});
