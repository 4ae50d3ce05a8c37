/**
 * Inter-rater reliability between two coders, as FACS studies report it: per AU and on
 * average, ICC(3,1) (the same implementation the model metrics use), Pearson r, mean absolute
 * difference and linearly weighted Cohen's kappa on the 0–5 scale, with 95 % bootstrap
 * intervals (over frames) for ICC and kappa, and occurrence agreement (percent and kappa on
 * presence at an intensity threshold), over the frames and AUs both coders labelled; and the
 * frames where they differ most, for a look in the Label view.
 */
import { ApiError } from '../../../shared/errors';
import type { AgreementAu, AgreementReport, CoderDisagreement } from '../../../shared/types';
import { icc31, mae, pearson } from '../learn/metrics';
import type { Db } from '../store/db';
import { labelPairs, listCoders, mostOverlapping } from '../store/coders';
import { getVideo, listVideos } from '../store/videos';
import { weightedKappa } from './kappa';
import { bootstrapCi, percentAgreement, presence, presenceKappa, resampler } from './occurrence';

export interface AgreementRequest {
  coderA?: string;
  coderB?: string;
  videoId?: number;
  /** How many of the largest disagreements to list. */
  limit: number;
  /** Occurrence threshold (1 = FACS A, by default). */
  presenceAt?: number;
}

/** Below this many frames in common per AU, ICC and kappa carry a warning (FACS reliability reports use far more). */
export const AGREEMENT_MIN_FRAMES = 20;

const round = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 10000) / 10000);
const roundCi = (ci: [number, number] | null): [number, number] | null => (ci ? [round(ci[0])!, round(ci[1])!] : null);

export function computeAgreement(db: Db, aus: readonly number[], req: AgreementRequest): AgreementReport {
  const where = req.videoId === undefined ? 'this project' : getVideo(db, req.videoId).name;
  const coders = listCoders(db, req.videoId);
  const names = coders.map((c) => c.name);
  if (coders.length < 2) {
    const who = coders.length ? `only ${coders[0]!.name} has labelled ${where}` : `nobody has labelled ${where} yet`;
    throw new ApiError(
      'invalid_argument',
      `Agreement needs labels from two coders, but ${who}. Set aside a double-coding share (Agreement tab, or \`auw double-code\`) and let a second coder label it under their own name.`,
    );
  }
  for (const c of [req.coderA, req.coderB]) {
    if (c !== undefined && !names.includes(c)) throw new ApiError('not_found', `"${c}" has no labels in ${where}. Coders there: ${names.join(', ')}.`);
  }
  if (req.coderA !== undefined && req.coderA === req.coderB) throw new ApiError('invalid_argument', 'Choose two different coders to compare.');

  let a = req.coderA ?? req.coderB;
  let b = req.coderA !== undefined ? req.coderB : undefined;
  if (a === undefined) {
    const best = mostOverlapping(db, req.videoId);
    a = best?.a ?? names[0]!;
    b = best?.b ?? names[1]!;
  } else if (b === undefined) {
    b = mostOverlapping(db, req.videoId, a)?.b ?? names.find((n) => n !== a)!;
  }

  const pairs = labelPairs(db, a, b!, req.videoId);
  if (!pairs.length) {
    throw new ApiError(
      'invalid_argument',
      `${a} and ${b} have not labelled any frame and AU in common in ${where}, so there is nothing to compare. Let one of them code the other's double-coding share.`,
    );
  }
  const byAu = new Map(aus.map((au) => [au, { a: [] as number[], b: [] as number[] }]));
  const frames = new Set<string>();
  for (const p of pairs) {
    const lane = byAu.get(p.au);
    if (!lane) continue;
    lane.a.push(p.a);
    lane.b.push(p.b);
    frames.add(`${p.videoId}:${p.frame}`);
  }
  const presenceAt = req.presenceAt ?? 1;
  const perAu: AgreementAu[] = aus.map((au) => {
    const { a: x, b: y } = byAu.get(au)!;
    const pick = resampler(x, y);
    const px = presence(x, presenceAt);
    const py = presence(y, presenceAt);
    return {
      au,
      n: x.length,
      icc: round(icc31(x, y)),
      r: round(pearson(x, y)),
      mae: round(mae(x, y)),
      kappa: round(weightedKappa(x, y)),
      // Bootstrap over the frames both coded (one pair per frame for this AU).
      iccCi: roundCi(bootstrapCi(x.length, (idx) => icc31(...pick(idx)))),
      kappaCi: roundCi(bootstrapCi(x.length, (idx) => weightedKappa(...pick(idx)))),
      occurrence: round(percentAgreement(px, py)),
      occurrenceKappa: round(presenceKappa(px, py)),
    };
  });
  const avg = (k: 'icc' | 'r' | 'mae' | 'kappa' | 'occurrence' | 'occurrenceKappa') => {
    const v = perAu.map((m) => m[k]).filter((x): x is number => x !== null);
    return v.length ? round(v.reduce((s, x) => s + x, 0) / v.length) : null;
  };

  const videoNames = new Map(listVideos(db).map((v) => [v.id, v.name]));
  const disagreements: CoderDisagreement[] = pairs
    .filter((p) => p.a !== p.b && byAu.has(p.au))
    .map((p) => ({ videoId: p.videoId, videoName: videoNames.get(p.videoId) ?? `video ${p.videoId}`, frame: p.frame, au: p.au, a: p.a, b: p.b, diff: Math.abs(p.a - p.b) }))
    .sort((x, y) => y.diff - x.diff || x.videoId - y.videoId || x.frame - y.frame || x.au - y.au)
    .slice(0, req.limit);

  return {
    coderA: a,
    coderB: b!,
    videoId: req.videoId ?? null,
    frames: frames.size,
    perAu,
    mean: { icc: avg('icc'), r: avg('r'), mae: avg('mae'), kappa: avg('kappa'), occurrence: avg('occurrence'), occurrenceKappa: avg('occurrenceKappa'), aus: perAu.filter((m) => m.icc !== null).length },
    disagreements,
    coders,
    minN: AGREEMENT_MIN_FRAMES,
    presenceAt,
  };
}
