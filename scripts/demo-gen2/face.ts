// The canonical face frame and a generic 3-D face shape for the second demo generator.
// Everything the generator does to a face (AU displacement, depth, normals, wrinkles) is defined
// in canonical units so it fits every identity: origin between the eye centres, u along the
// eye line (image right), v perpendicular (image down), 1 unit = the inter-ocular distance (IOD).

export interface Canon {
  ox: number;
  oy: number;
  /** Unit vector along the eye line (image pixels). */
  ex: [number, number];
  /** Pixels per canonical unit (the IOD). */
  iod: number;
}

/** The frame of a 68-point landmark set (eye centres from the six points of each eye). */
export function canonOf(lm: ArrayLike<number>): Canon {
  let lx = 0, ly = 0, rx = 0, ry = 0;
  for (let i = 36; i < 42; i++) {
    lx += lm[2 * i]! / 6;
    ly += lm[2 * i + 1]! / 6;
    rx += lm[2 * i + 12]! / 6;
    ry += lm[2 * i + 13]! / 6;
  }
  const iod = Math.hypot(rx - lx, ry - ly);
  return { ox: (lx + rx) / 2, oy: (ly + ry) / 2, ex: [(rx - lx) / iod, (ry - ly) / iod], iod };
}

export function toCanon(c: Canon, x: number, y: number): [number, number] {
  const dx = x - c.ox, dy = y - c.oy;
  return [(dx * c.ex[0] + dy * c.ex[1]) / c.iod, (-dx * c.ex[1] + dy * c.ex[0]) / c.iod];
}

export function fromCanon(c: Canon, u: number, v: number): [number, number] {
  return [c.ox + c.iod * (u * c.ex[0] - v * c.ex[1]), c.oy + c.iod * (u * c.ex[1] + v * c.ex[0])];
}

const g = (x: number, s: number) => Math.exp((-x * x) / (2 * s * s));

/**
 * A generic face depth (toward the camera, canonical units) at canonical (u, v): a rounded head
 * surface that falls away at the cheeks and temples, a nose ridge growing to the tip, eye
 * sockets, brow ridge, lips and chin. Outside the head it is a flat back plane (0), so the
 * photo's background turns with the head as a plane. Proportions from average adult faces
 * (nose tip ≈ 0.3–0.45 IOD in front of the eye corners, cheeks ≈ 0.6 IOD behind the nose at the
 * sides); only the rough shape matters: it drives occlusion and foreshortening under yaw/pitch
 * and the Lambertian shading.
 */
export function depth(u: number, v: number): number {
  // Head: an ellipse 1.45 IOD half-wide, centred 0.7 below the eyes, 2.1 half-high.
  const a = u / 1.45, b = (v - 0.7) / 2.1;
  const r2 = a * a + b * b;
  // A paraboloid rather than a sphere: its slope stays finite at the rim, so nothing folds there.
  const head = r2 < 1 ? 0.9 * (1 - r2) : 0;
  // Nose ridge: from the bridge (v≈0.05) to the tip (v≈0.95), widening toward the wings.
  const t = Math.min(1, Math.max(0, (v - 0.05) / 0.9));
  const below = v > 0.98 ? g(v - 0.98, 0.07) : 1;
  const nose = 0.32 * Math.pow(t, 1.2) * g(u, 0.11 + 0.1 * t) * below;
  const sockets = -0.14 * (g(u - 0.5, 0.2) * g(v + 0.02, 0.13) + g(u + 0.5, 0.2) * g(v + 0.02, 0.13));
  const brow = 0.06 * g(v + 0.3, 0.1) * g(u, 0.7);
  const lips = 0.1 * g(u, 0.35) * g(v - 1.5, 0.18);
  const chin = 0.08 * g(u, 0.3) * g(v - 2.05, 0.2);
  return head + (head > 0 ? nose + sockets + brow + lips + chin : 0);
}

/**
 * How much of the Lambertian shading a canonical point takes: 1 on the face, fading to 0 at the
 * head's outline (hair and background keep the photo's own light, so no outline is drawn).
 */
export function shadingWeight(u: number, v: number): number {
  const a = u / 1.45, b = (v - 0.7) / 2.1;
  const r = Math.sqrt(a * a + b * b);
  const t = Math.min(1, Math.max(0, (0.95 - r) / 0.3));
  return t * t * (3 - 2 * t);
}

/** The surface normal of `depth` (unit, z toward the camera) by central differences. */
export function normalAt(u: number, v: number): [number, number, number] {
  const e = 0.01;
  const dzu = (depth(u + e, v) - depth(u - e, v)) / (2 * e);
  const dzv = (depth(u, v + e) - depth(u, v - e)) / (2 * e);
  const n = Math.hypot(dzu, dzv, 1);
  return [-dzu / n, -dzv / n, 1 / n];
}

/** Rotation matrix (row-major 3×3) for yaw about v, pitch about u, roll about the view axis (radians). */
export function rotation(yaw: number, pitch: number, roll: number): Float64Array {
  const cy = Math.cos(yaw), sy = Math.sin(yaw), cp = Math.cos(pitch), sp = Math.sin(pitch), cr = Math.cos(roll), sr = Math.sin(roll);
  // Ry (yaw) then Rx (pitch) then Rz (roll): R = Rz · Rx · Ry.
  const ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const rx = [1, 0, 0, 0, cp, -sp, 0, sp, cp];
  const rz = [cr, -sr, 0, sr, cr, 0, 0, 0, 1];
  const mul = (A: number[], B: number[]) => Array.from({ length: 9 }, (_, k) => A[3 * Math.floor(k / 3)]! * B[k % 3]! + A[3 * Math.floor(k / 3) + 1]! * B[3 + (k % 3)]! + A[3 * Math.floor(k / 3) + 2]! * B[6 + (k % 3)]!);
  return Float64Array.from(mul(rz, mul(rx, ry)));
}
