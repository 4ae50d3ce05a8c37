// AU motion and appearance for the second demo generator, written from FACS descriptions of
// each action (Ekman, Friesen & Hager 2002, the muscle and its "appearance changes"), not from
// the first generator's landmark table. Each AU is a dense displacement field over the whole
// face: a sum of smooth anisotropic Gaussian kernels anchored where the muscle pulls the skin
// (u, v in canonical IOD units, see face.ts), plus, for the mouth, a smooth split along the lip
// line (lips part) and a jaw field (jaw drop). Appearance changes (wrinkles, furrows, bulges)
// are height fields whose slopes are shaded by the light and whose valleys are darkened by
// occlusion; nothing is drawn as a stroke or a polygon.
import { canonOf, toCanon, type Canon } from './face';

/** The DISFA AUs this generator animates (ground truth columns), plus 45 (blink, a nuisance). */
export const GEN2_AUS = [1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26] as const;
export type Gen2Au = (typeof GEN2_AUS)[number] | 45;

/** A kernel moves skin near (u, v) by (du, dv) × intensity/5, falling off as a Gaussian (su, sv). */
interface Kernel {
  u: number;
  v: number;
  du: number;
  dv: number;
  su: number;
  sv: number;
}

/** One identity's motion model: kernels per AU and the lip line (for parting and the jaw). */
export interface FaceModel {
  kernels: Map<Gen2Au, Kernel[]>;
  /** Lip line: v at sampled u (sorted), the mouth centre and half-width. */
  lipU: number[];
  lipV: number[];
  mouthU: number;
  mouthHalfW: number;
  chinV: number;
}

const g = (x: number, s: number) => Math.exp((-x * x) / (2 * s * s));
const sig = (x: number) => 1 / (1 + Math.exp(-x));
/** Width of the lip split (canonical units): the part of the lips that stretches open. */
export const LIP_TAU = 0.03;

export function faceModel(neutral: ArrayLike<number>): FaceModel {
  const c = canonOf(neutral);
  const L = (i: number) => toCanon(c, neutral[2 * i]!, neutral[2 * i + 1]!);
  const mid = (...ids: number[]): [number, number] => {
    let u = 0, v = 0;
    for (const i of ids) {
      const p = L(i);
      u += p[0] / ids.length;
      v += p[1] / ids.length;
    }
    return [u, v];
  };
  const k = new Map<Gen2Au, Kernel[]>();
  const K = (au: Gen2Au, p: [number, number], du: number, dv: number, su: number, sv: number, off: [number, number] = [0, 0]) => {
    if (!k.has(au)) k.set(au, []);
    k.get(au)!.push({ u: p[0] + off[0], v: p[1] + off[1], du, dv, su, sv });
  };
  const browV = mid(19, 24)[1];
  // Sides: s = −1 is the image-left half (landmarks 17–21, 36–41, 31, 48), +1 the image-right.
  for (const [s, inner, midB, outer, lidA, lidB, lowA, lowB, corner, eyeOut, wing, upLat, lowLat] of [
    [-1, 21, 19, 17, 37, 38, 41, 40, 48, 36, 31, 50, 58],
    [1, 22, 24, 26, 44, 43, 46, 47, 54, 45, 35, 52, 56],
  ] as const) {
    // AU1 frontalis, medial part: inner brow up (brows oblique), medial forehead skin up.
    K(1, L(inner), 0, -0.16, 0.18, 0.22, [-s * 0.04, 0]);
    K(1, L(midB), 0, -0.06, 0.16, 0.2);
    // AU2 frontalis, lateral part: outer brow up and slightly out.
    K(2, L(outer), s * 0.02, -0.15, 0.2, 0.2);
    K(2, L(midB), 0, -0.07, 0.16, 0.2, [s * 0.05, 0]);
    K(2, [s * 0.6, browV - 0.35], 0, -0.04, 0.3, 0.25);
    // AU4 corrugator + depressor supercilii: inner brows down and together; brow body down.
    K(4, L(inner), -s * 0.08, 0.08, 0.14, 0.16);
    K(4, L(midB), -s * 0.02, 0.06, 0.18, 0.18);
    K(4, mid(lidA, lidB), 0, 0.02, 0.15, 0.1);
    // AU5 levator palpebrae: upper lid up (narrow in v so the brow barely follows).
    K(5, mid(lidA, lidB), 0, -0.055, 0.13, 0.06);
    K(5, L(midB), 0, -0.02, 0.2, 0.2);
    // AU6 orbicularis oculi, orbital part: cheek up, lower lid up, skin drawn toward the eye.
    K(6, mid(lowA, lowB), 0, -0.09, 0.28, 0.22, [0, 0.38]);
    K(6, mid(lowA, lowB), 0, -0.035, 0.14, 0.06);
    K(6, L(eyeOut), -s * 0.02, -0.01, 0.12, 0.12, [s * 0.12, 0]);
    K(6, L(outer), 0, 0.03, 0.18, 0.18);
    // AU9 levator labii superioris alaeque nasi: nose wings and upper lip up, skin of the nose
    // pulled up, inner brows pulled down a little.
    K(9, L(wing), 0, -0.07, 0.11, 0.1);
    K(9, L(inner), 0, 0.04, 0.15, 0.15);
    // AU12 zygomaticus major: lip corners up and out toward the cheekbone; cheek pushed up.
    K(12, L(corner), s * 0.1, -0.11, 0.2, 0.18);
    K(12, mid(lowA, lowB), s * 0.02, -0.05, 0.3, 0.25, [0, 0.55]);
    // AU15 depressor anguli oris: corners down (and a touch inward), lower lip's sides down.
    K(15, L(corner), -s * 0.015, 0.09, 0.18, 0.16);
    K(15, L(lowLat), 0, 0.03, 0.12, 0.1);
    // AU20 risorius: corners straight out, lips flattened and stretched.
    K(20, L(corner), s * 0.12, 0.015, 0.18, 0.14);
    K(20, L(upLat), s * 0.03, 0.01, 0.12, 0.08);
    K(20, L(lowLat), s * 0.03, -0.01, 0.12, 0.08);
    // Blink (not scored): upper lid down most of the way, lower lid up a little.
    K(45, mid(lidA, lidB), 0, 0.09, 0.15, 0.08);
    K(45, mid(lowA, lowB), 0, -0.01, 0.14, 0.05);
  }
  K(1, [0, browV - 0.4], 0, -0.05, 0.45, 0.25);
  K(4, [0, browV + 0.08], 0, 0.03, 0.1, 0.12);
  K(9, L(51), 0, -0.05, 0.3, 0.1);
  K(9, L(29), 0, -0.04, 0.1, 0.15);
  // AU17 mentalis: chin boss up, lower lip pushed up (and the upper lip a little with it).
  K(17, mid(57, 8), 0, -0.09, 0.35, 0.2);
  K(17, L(57), 0, -0.05, 0.28, 0.09);
  K(17, L(51), 0, -0.02, 0.3, 0.1);
  // The lip line: corners and the middle of the inner lips, sorted by u.
  const lip = [L(60), mid(61, 67), mid(62, 66), mid(63, 65), L(64)].sort((a, b) => a[0] - b[0]);
  const lc = L(48), rc = L(54);
  return {
    kernels: k,
    lipU: lip.map((p) => p[0]),
    lipV: lip.map((p) => p[1]),
    mouthU: (lc[0] + rc[0]) / 2,
    mouthHalfW: Math.abs(rc[0] - lc[0]) / 2,
    chinV: L(8)[1],
  };
}

export function lipLineV(m: FaceModel, u: number): number {
  const U = m.lipU, V = m.lipV;
  if (u <= U[0]!) return V[0]!;
  for (let i = 1; i < U.length; i++) if (u <= U[i]!) return V[i - 1]! + ((V[i]! - V[i - 1]!) * (u - U[i - 1]!)) / (U[i]! - U[i - 1]! || 1);
  return V[V.length - 1]!;
}

/** Continuous intensities 0–5 per AU (45 = blink 0–5). */
export type Intensities = Partial<Record<Gen2Au, number>>;

/**
 * Canonical displacement at (u, v) for the given intensities. `lipSide` places a point that lies
 * on the lip seam on its lip (0 upper, 1 lower): the inner-lip landmarks belong to one lip, while
 * the image's seam pixels stretch across the opening.
 */
export function displacement(m: FaceModel, c: Intensities, u: number, v: number, lipSide?: 0 | 1): [number, number] {
  let du = 0, dv = 0;
  for (const [au, ks] of m.kernels) {
    const a = c[au] ?? 0;
    if (a <= 0) continue;
    const w = a / 5;
    for (const q of ks) {
      const x = (u - q.u) / q.su, y = (v - q.v) / q.sv;
      const r2 = x * x + y * y;
      if (r2 > 16) continue;
      const f = w * Math.exp(-0.5 * r2);
      du += f * q.du;
      dv += f * q.dv;
    }
  }
  const c25 = c[25] ?? 0, c26 = c[26] ?? 0;
  if (c25 > 0 || c26 > 0) {
    const line = lipLineV(m, u);
    const x = (u - m.mouthU) / m.mouthHalfW;
    // Lips part (AU25): upper lip up a third, lower lip down two thirds of 0.2 IOD at 5; zero at
    // the corners and fading away from the mouth, so nose and chin hardly move.
    if (c25 > 0 && Math.abs(x) < 1) {
      const s = lipSide ?? sig((v - line) / LIP_TAU);
      const open = (0.2 * c25) / 5;
      dv += open * Math.pow(1 - x * x, 1.5) * g(v - line, 0.35) * (s - 0.35);
    }
    // Jaw drop (AU26): everything below the split goes down with the mandible (0.32 IOD at 5),
    // less toward the jaw's sides, fading below the chin. With the lips together (no AU25) the
    // split sits under the lower lip, which then stretches instead of parting.
    if (c26 > 0) {
      const off = 0.22 * (1 - Math.min(1, c25 / 1.5));
      const s = lipSide !== undefined && off < 0.05 ? lipSide : sig((v - line - off) / LIP_TAU);
      const fade = v > m.chinV + 0.05 ? g(v - m.chinV - 0.05, 0.4) : 1;
      dv += ((0.32 * c26) / 5) * s * g(u - m.mouthU, 0.85) * fade;
    }
  }
  return [du, dv];
}

/** The lip separation at the mouth's centre (canonical units) for these intensities. */
export function lipGap(c: Intensities): number {
  const c25 = c[25] ?? 0, c26 = c[26] ?? 0;
  return (0.2 * c25) / 5 + ((0.32 * c26) / 5) * Math.min(1, c25 / 1.5);
}

/** Per-AU appearance at a canonical point: h (height, canonical units) and b (relative brightness change), at intensity 5. */
type Feature = (u: number, v: number) => [number, number];

/** A narrow valley profile: 1 at the crease, falling to 0 between creases. */
const valley = (phase: number) => Math.pow((1 + Math.cos(phase)) / 2, 4);

function segDist(u: number, v: number, a: [number, number], b: [number, number]): number {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const t = Math.max(0, Math.min(1, ((u - a[0]) * dx + (v - a[1]) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(u - a[0] - t * dx, v - a[1] - t * dy);
}

/** A furrow along a segment: a Gaussian groove (depth d, width w) that also darkens by `dark`. */
const furrow = (a: [number, number], b: [number, number], d: number, w: number, dark: number): Feature => (u, v) => {
  const f = g(segDist(u, v, a, b), w);
  return [-d * f, -dark * f];
};
/** A bulge (height d, size s) that catches more light (`bright`). */
const bulge = (p: [number, number], d: number, su: number, sv: number, bright: number): Feature => (u, v) => {
  const f = g(u - p[0], su) * g(v - p[1], sv);
  return [d * f, bright * f];
};
/** Parallel creases (wavelength lam across direction (cu, cv)) in a Gaussian window. */
const creases = (p: [number, number], su: number, sv: number, cu: number, cv: number, lam: number, d: number, dark: number): Feature => (u, v) => {
  const w = g(u - p[0], su) * g(v - p[1], sv);
  if (w < 1e-4) return [0, 0];
  const f = valley((2 * Math.PI * ((u - p[0]) * cu + (v - p[1]) * cv)) / lam) * w;
  return [-d * f, -dark * f];
};

export function appearanceFeatures(neutral: ArrayLike<number>): Map<Gen2Au, Feature[]> {
  const c: Canon = canonOf(neutral);
  const L = (i: number) => toCanon(c, neutral[2 * i]!, neutral[2 * i + 1]!);
  const add = (p: [number, number], du: number, dv: number): [number, number] => [p[0] + du, p[1] + dv];
  const browV = (L(19)[1] + L(24)[1]) / 2;
  const f = new Map<Gen2Au, Feature[]>();
  const F = (au: Gen2Au, ...fs: Feature[]) => f.set(au, [...(f.get(au) ?? []), ...fs]);
  // Forehead: horizontal lines, medial for AU1, lateral for AU2.
  F(1, creases([0, browV - 0.38], 0.38, 0.16, 0, 1, 0.09, 0.006, 0.12));
  for (const s of [-1, 1]) F(2, creases([s * 0.62, browV - 0.33], 0.25, 0.15, 0, 1, 0.09, 0.006, 0.12));
  // Glabella: vertical lines between the brows (AU4), a transverse one at the nose root (AU9).
  F(4, creases([0, browV + 0.06], 0.1, 0.13, 1, 0, 0.1, 0.008, 0.15), bulge([0, browV + 0.02], 0.015, 0.22, 0.08, 0.03));
  const root = L(27);
  F(9, creases(add(root, 0, 0.12), 0.11, 0.1, 0, 1, 0.065, 0.006, 0.14));
  for (const [s, eyeOut, lowA, lowB, wing, corner] of [
    [-1, 36, 41, 40, 31, 48],
    [1, 45, 46, 47, 35, 54],
  ] as const) {
    const lid: [number, number] = [(L(lowA)[0] + L(lowB)[0]) / 2, (L(lowA)[1] + L(lowB)[1]) / 2];
    const eo = L(eyeOut);
    // AU6: crow's feet fanning out from the outer eye corner, a furrow under the lower lid,
    // the raised cheek (brighter, as it faces the light more).
    F(6, (u, v) => {
      const x = s * (u - eo[0]) - 0.05, y = v - eo[1];
      if (x <= 0) return [0, 0];
      const r = Math.hypot(x, y);
      const w = g(r - 0.14, 0.07) * g(y, 0.16);
      const fv = valley(9 * Math.atan2(y, x)) * w;
      return [-0.005 * fv, -0.12 * fv];
    });
    F(6, furrow(add(lid, -0.15, 0.16), add(lid, 0.15, 0.17), 0.008, 0.025, 0.08), bulge(add(lid, s * 0.05, 0.38), 0.03, 0.22, 0.16, 0.07));
    // Nasolabial furrow from the nose wing to beyond the lip corner: deepened by AU9 and AU12.
    const nlA = add(L(wing), s * 0.06, -0.02), nlB = add(L(corner), s * 0.1, 0.06);
    F(9, furrow(nlA, nlB, 0.006, 0.03, 0.08));
    F(12, furrow(nlA, nlB, 0.01, 0.035, 0.14), bulge(add(lid, s * 0.08, 0.45), 0.035, 0.24, 0.18, 0.08));
    // AU15: a short fold running down and out from the corner.
    F(15, furrow(add(L(corner), s * 0.04, 0.05), add(L(corner), s * 0.1, 0.3), 0.006, 0.025, 0.1));
    // AU20: the stretched skin folds vertically beside the corner.
    F(20, furrow(add(L(corner), s * 0.13, -0.1), add(L(corner), s * 0.13, 0.12), 0.005, 0.025, 0.08));
  }
  // AU17: the chin boss bulges and dimples ("orange peel"); the furrow under the lower lip deepens.
  const chin: [number, number] = [(L(57)[0] + L(8)[0]) / 2, (L(57)[1] + L(8)[1]) / 2 + 0.03];
  F(
    17,
    bulge(chin, 0.02, 0.25, 0.14, 0.04),
    (u, v) => {
      // Irregular dimples: three plane waves at odd angles and wavelengths, multiplied.
      const w = g(u - chin[0], 0.2) * g(v - chin[1], 0.11);
      if (w < 1e-4) return [0, 0];
      const x = u - chin[0], y = v - chin[1];
      const d = ((1 + Math.cos((x * 0.94 + y * 0.34) * 83)) * (1 + Math.cos((x * -0.5 + y * 0.87) * 97)) * (1 + Math.cos((x * 0.17 - y * 0.98) * 71))) / 8;
      return [-0.004 * d * w, -0.08 * d * w];
    },
    furrow(add(L(57), -0.2, 0.12), add(L(57), 0.2, 0.12), 0.008, 0.03, 0.09),
  );
  return f;
}
