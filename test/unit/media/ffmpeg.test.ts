import { describe, expect, it } from 'vitest';
import { defaultCandidates, findFfmpeg, FfmpegNotFoundError, resolveFfmpeg, type FfmpegCandidate } from '../../../src/main/services/media/ffmpeg';

const real = resolveFfmpeg().path;

describe('ffmpeg resolution', () => {
  it('tries FFMPEG_PATH, ffmpeg-static, @ffmpeg-installer/ffmpeg, PATH in that order', () => {
    expect(defaultCandidates({}).map((c) => c.source)).toEqual(['FFMPEG_PATH', 'ffmpeg-static', '@ffmpeg-installer/ffmpeg', 'PATH']);
  });

  it('falls through a bogus FFMPEG_PATH and reports why it was skipped', () => {
    const r = findFfmpeg(defaultCandidates({ FFMPEG_PATH: '/nonexistent/bin/ffmpeg' }));
    expect(r.source).not.toBe('FFMPEG_PATH');
    expect(r.version).toMatch(/^ffmpeg version/);
    expect(r.attempts[0]).toMatchObject({ source: 'FFMPEG_PATH', path: '/nonexistent/bin/ffmpeg', ok: false, reason: 'not found' });
    expect(r.attempts.at(-1)).toMatchObject({ source: r.source, ok: true });
  });

  it('uses FFMPEG_PATH first when it works', () => {
    const r = findFfmpeg(defaultCandidates({ FFMPEG_PATH: real }));
    expect(r).toMatchObject({ source: 'FFMPEG_PATH', path: real });
    expect(r.attempts).toHaveLength(1);
  });

  it('rejects a program that runs but is not ffmpeg', () => {
    const cands: FfmpegCandidate[] = [
      { source: 'FFMPEG_PATH', locate: () => process.execPath }, // node -version exits non-zero/other text
      { source: 'PATH', locate: () => real },
    ];
    const r = findFfmpeg(cands);
    expect(r.source).toBe('PATH');
    expect(r.attempts[0]!.ok).toBe(false);
    expect(r.attempts[0]!.reason).toMatch(/did not run as ffmpeg/);
  });

  it('names all four sources and the fix when nothing works', () => {
    const cands: FfmpegCandidate[] = [
      { source: 'FFMPEG_PATH', locate: () => '/nope/ffmpeg' },
      {
        source: 'ffmpeg-static',
        locate: () => {
          throw new Error("Cannot find module 'ffmpeg-static'");
        },
      },
      { source: '@ffmpeg-installer/ffmpeg', locate: () => null },
      { source: 'PATH', locate: () => 'definitely-not-an-ffmpeg-binary-xyz' },
    ];
    let err: unknown;
    try {
      findFfmpeg(cands);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FfmpegNotFoundError);
    const msg = (err as Error).message;
    for (const s of ['FFMPEG_PATH', 'ffmpeg-static', '@ffmpeg-installer/ffmpeg', 'PATH']) expect(msg).toContain(s);
    expect(msg).toMatch(/install ffmpeg/i);
    expect(msg).toMatch(/set the FFMPEG_PATH/);
    expect((err as FfmpegNotFoundError).attempts.map((a) => a.ok)).toEqual([false, false, false, false]);
  });

  it('caches the app-wide resolution', () => {
    expect(resolveFfmpeg()).toBe(resolveFfmpeg());
    expect(resolveFfmpeg({ refresh: true }).path).toBe(real);
  });
});
