// Frame rendering for the second demo generator. The identity photo is covered by a dense grid
// mesh (≈ 28 vertices per IOD); each frame moves every vertex by the AU displacement field, gives
// it a depth from the generic face shape, rotates it in 3-D (yaw/pitch/roll about a pivot inside
// the head), projects it with a mild perspective and rasterises with a z-buffer (so the nose
// hides the far cheek under yaw). Shading is Lambertian from the generic normals under a light
// whose direction is set per video and drifts; wrinkles and bulges shade per pixel from their
// height slopes; the opening mouth darkens by cavity occlusion of the stretched lip seam.
import type { Identity } from '../demo/identities';
import type { RgbImage } from '../demo/render';
import { canonOf, depth, normalAt, shadingWeight, toCanon, type Canon } from './face';
import { appearanceFeatures, displacement, faceModel, lipGap, LIP_TAU, lipLineV, type FaceModel, type Gen2Au, type Intensities } from './fields';

interface AppearanceMap {
  /** Relative brightness change at intensity 5, and the height slopes (per canonical unit). */
  b: Float32Array;
  gx: Float32Array;
  gy: Float32Array;
}

export interface PreparedFace {
  identity: Identity;
  canon: Canon;
  model: FaceModel;
  maps: Map<Gen2Au, AppearanceMap>;
  /** Cavity occlusion weight along the lip seam (0–1), per source pixel. */
  lipAO: Float32Array;
  half: RgbImage;
  /**
   * Face width (jaw contour 0–16) in canonical units, held to 1.9–2.4: a photo's turned or
   * lowered face measures narrow, and would otherwise be blown up past the frame.
   */
  faceWidth: number;
  /** Canonical v of the brows' top and of the chin (for fitting the face in the frame). */
  browV: number;
  chinV: number;
  grid: { nx: number; ny: number; sx: Float32Array; sy: Float32Array; cu: Float32Array; cv: Float32Array; z: Float32Array; n: Float32Array; alpha: Float32Array; lit: Float32Array };
}

/** Precomputes everything per identity that does not change between frames. */
export function prepareFace(identity: Identity): PreparedFace {
  const { width: W, height: H } = identity.image;
  const lm = identity.landmarks;
  const canon = canonOf(lm);
  const model = faceModel(lm);
  // Appearance maps: evaluate each AU's height/brightness features on the source pixels.
  const maps = new Map<Gen2Au, AppearanceMap>();
  const cu = new Float32Array(W * H), cvv = new Float32Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const [u, v] = toCanon(canon, x, y);
      cu[y * W + x] = u;
      cvv[y * W + x] = v;
    }
  for (const [au, fs] of appearanceFeatures(lm)) {
    const h = new Float32Array(W * H), b = new Float32Array(W * H), gx = new Float32Array(W * H), gy = new Float32Array(W * H);
    for (let i = 0; i < W * H; i++) {
      if (Math.abs(cu[i]!) > 1.6 || cvv[i]! < -1.3 || cvv[i]! > 2.6) continue;
      for (const f of fs) {
        const [dh, db] = f(cu[i]!, cvv[i]!);
        h[i] = h[i]! + dh;
        b[i] = b[i]! + db;
      }
    }
    // Slopes in canonical units: pixel differences × IOD (the eye line is level in the photo).
    for (let y = 1; y < H - 1; y++)
      for (let x = 1; x < W - 1; x++) {
        const i = y * W + x;
        const dx = ((h[i + 1]! - h[i - 1]!) / 2) * canon.iod, dy = ((h[i + W]! - h[i - W]!) / 2) * canon.iod;
        gx[i] = dx * canon.ex[0] + dy * canon.ex[1];
        gy[i] = -dx * canon.ex[1] + dy * canon.ex[0];
      }
    maps.set(au, { b, gx, gy });
  }
  const lipAO = new Float32Array(W * H);
  for (let i = 0; i < W * H; i++) {
    const x = (cu[i]! - model.mouthU) / model.mouthHalfW;
    if (Math.abs(x) >= 1) continue;
    const d = cvv[i]! - lipLineV(model, cu[i]!);
    lipAO[i] = Math.sqrt(1 - x * x) * Math.exp((-d * d) / (2 * (1.6 * LIP_TAU) ** 2));
  }
  const half: RgbImage = { data: new Uint8Array((W >> 1) * (H >> 1) * 3), width: W >> 1, height: H >> 1 };
  for (let y = 0; y < half.height; y++)
    for (let x = 0; x < half.width; x++)
      for (let c = 0; c < 3; c++) {
        const s = (yy: number, xx: number) => identity.image.data[(yy * W + xx) * 3 + c]!;
        half.data[(y * half.width + x) * 3 + c] = (s(2 * y, 2 * x) + s(2 * y, 2 * x + 1) + s(2 * y + 1, 2 * x) + s(2 * y + 1, 2 * x + 1) + 2) >> 2;
      }
  const step = canon.iod / 28;
  const nx = Math.ceil((W - 1) / step) + 1, ny = Math.ceil((H - 1) / step) + 1;
  const n = nx * ny;
  const grid = { nx, ny, sx: new Float32Array(n), sy: new Float32Array(n), cu: new Float32Array(n), cv: new Float32Array(n), z: new Float32Array(n), n: new Float32Array(3 * n), alpha: new Float32Array(n), lit: new Float32Array(n) };
  const feather = 0.1 * W;
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const k = j * nx + i;
      const x = Math.min(W - 1, i * step), y = Math.min(H - 1, j * step);
      const [u, v] = toCanon(canon, x, y);
      grid.sx[k] = x;
      grid.sy[k] = y;
      grid.cu[k] = u;
      grid.cv[k] = v;
      grid.z[k] = depth(u, v);
      grid.n.set(normalAt(u, v), 3 * k);
      grid.lit[k] = shadingWeight(u, v);
      const e = Math.min(x, y, W - 1 - x, H - 1 - y) / feather;
      grid.alpha[k] = e >= 1 ? 1 : e * e * (3 - 2 * e);
    }
  const faceWidth = Math.min(2.4, Math.max(1.9, Math.hypot(lm[32]! - lm[0]!, lm[33]! - lm[1]!) / canon.iod));
  let browV = Infinity;
  for (let i = 17; i < 27; i++) browV = Math.min(browV, toCanon(canon, lm[2 * i]!, lm[2 * i + 1]!)[1]);
  return { identity, canon, model, maps, lipAO, half, faceWidth, browV, chinV: model.chinV, grid };
}

export interface View {
  /** Rotation (row-major 3×3, face → camera) and where the pivot lands (output px). */
  R: Float64Array;
  cx: number;
  cy: number;
  /** Output pixels per canonical unit. */
  scale: number;
  /** Unit light direction in camera space (z toward the camera), ambient share. */
  light: [number, number, number];
  ambient: number;
}

/** Head pivot in canonical units: behind the face at the level of the nose. */
const PIVOT: [number, number, number] = [0, 0.8, -0.9];
/** Camera distance in canonical units (≈ 70 cm for a 6.3 cm IOD): a mild perspective. */
const CAMERA = 11;

function project(view: View, u: number, v: number, z: number, out: Float32Array, o: number): void {
  const R = view.R;
  const x = u - PIVOT[0], y = v - PIVOT[1], w = z - PIVOT[2];
  const X = R[0]! * x + R[1]! * y + R[2]! * w, Y = R[3]! * x + R[4]! * y + R[5]! * w, Z = R[6]! * x + R[7]! * y + R[8]! * w;
  const p = CAMERA / (CAMERA - Z);
  out[o] = view.cx + view.scale * X * p;
  out[o + 1] = view.cy + view.scale * Y * p;
  out[o + 2] = Z;
}

/** The 68 landmarks after the AU field, in output pixels (136 floats). */
export function landmarksFor(face: PreparedFace, c: Intensities, view: View): Float32Array {
  const out = new Float32Array(136);
  const tmp = new Float32Array(3);
  for (let i = 0; i < 68; i++) {
    const [u, v] = toCanon(face.canon, face.identity.landmarks[2 * i]!, face.identity.landmarks[2 * i + 1]!);
    const side = i >= 61 && i <= 63 ? 0 : i >= 65 && i <= 67 ? 1 : undefined;
    const [du, dv] = displacement(face.model, c, u, v, side);
    project(view, u + du, v + dv, depth(u, v), tmp, 0);
    out[2 * i] = tmp[0]!;
    out[2 * i + 1] = tmp[1]!;
  }
  return out;
}

export interface FrameBuffers {
  width: number;
  height: number;
  zbuf: Float32Array;
  su: Float32Array;
  sv: Float32Array;
  shade: Float32Array;
  alpha: Float32Array;
  verts: Float32Array;
  vshade: Float32Array;
}

export function frameBuffers(face: PreparedFace, width: number, height: number): FrameBuffers {
  const n = width * height, nv = face.grid.nx * face.grid.ny;
  return { width, height, zbuf: new Float32Array(n), su: new Float32Array(n), sv: new Float32Array(n), shade: new Float32Array(n), alpha: new Float32Array(n), verts: new Float32Array(3 * nv), vshade: new Float32Array(nv) };
}

function bilinear(img: RgbImage, x: number, y: number, c: number): number {
  const W = img.width, H = img.height;
  x = Math.min(W - 1.001, Math.max(0, x));
  y = Math.min(H - 1.001, Math.max(0, y));
  const x0 = x | 0, y0 = y | 0, fx = x - x0, fy = y - y0;
  const d = img.data, i = (y0 * W + x0) * 3 + c;
  return (d[i]! * (1 - fx) + d[i + 3]! * fx) * (1 - fy) + (d[i + 3 * W]! * (1 - fx) + d[i + 3 * W + 3]! * fx) * fy;
}

/**
 * Renders one frame into `out` (rgb24) over `backdrop`: AU intensities `c`, pose/light `view`.
 */
export function renderFrame(face: PreparedFace, c: Intensities, view: View, fb: FrameBuffers, backdrop: Uint8Array, out: Uint8Array): void {
  const { grid, model } = face;
  const { width: W, height: H } = fb;
  const nv = grid.nx * grid.ny;
  const L = view.light, R = view.R;
  const kd = 1 - view.ambient;
  // Normalise so a surface facing the camera keeps the photo's brightness whatever the light.
  const norm = view.ambient + kd * Math.max(0.2, L[2]);
  for (let k = 0; k < nv; k++) {
    const [du, dv] = displacement(model, c, grid.cu[k]!, grid.cv[k]!);
    project(view, grid.cu[k]! + du, grid.cv[k]! + dv, grid.z[k]!, fb.verts, 3 * k);
    const n0 = grid.n[3 * k]!, n1 = grid.n[3 * k + 1]!, n2 = grid.n[3 * k + 2]!;
    const nx = R[0]! * n0 + R[1]! * n1 + R[2]! * n2, ny = R[3]! * n0 + R[4]! * n1 + R[5]! * n2, nz = R[6]! * n0 + R[7]! * n1 + R[8]! * n2;
    const lambert = (view.ambient + kd * Math.max(0, nx * L[0] + ny * L[1] + nz * L[2])) / norm;
    fb.vshade[k] = 1 + grid.lit[k]! * (lambert - 1);
  }
  fb.zbuf.fill(-Infinity);
  fb.alpha.fill(0);
  const tri = (a: number, b: number, d: number) => {
    const V = fb.verts;
    const x0 = V[3 * a]!, y0 = V[3 * a + 1]!, x1 = V[3 * b]!, y1 = V[3 * b + 1]!, x2 = V[3 * d]!, y2 = V[3 * d + 1]!;
    const det = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    if (Math.abs(det) < 1e-9) return;
    const minX = Math.max(0, Math.ceil(Math.min(x0, x1, x2))), maxX = Math.min(W - 1, Math.floor(Math.max(x0, x1, x2)));
    const minY = Math.max(0, Math.ceil(Math.min(y0, y1, y2))), maxY = Math.min(H - 1, Math.floor(Math.max(y0, y1, y2)));
    if (minX > maxX || minY > maxY) return;
    const inv = 1 / det;
    const z0 = V[3 * a + 2]!, z1 = V[3 * b + 2]!, z2 = V[3 * d + 2]!;
    for (let py = minY; py <= maxY; py++)
      for (let px = minX; px <= maxX; px++) {
        const l1 = ((px - x0) * (y2 - y0) - (x2 - x0) * (py - y0)) * inv;
        const l2 = ((x1 - x0) * (py - y0) - (px - x0) * (y1 - y0)) * inv;
        const l0 = 1 - l1 - l2;
        if (l1 < -1e-6 || l2 < -1e-6 || l0 < -1e-6) continue;
        const z = l0 * z0 + l1 * z1 + l2 * z2;
        const o = py * W + px;
        if (z <= fb.zbuf[o]!) continue;
        fb.zbuf[o] = z;
        fb.su[o] = l0 * grid.sx[a]! + l1 * grid.sx[b]! + l2 * grid.sx[d]!;
        fb.sv[o] = l0 * grid.sy[a]! + l1 * grid.sy[b]! + l2 * grid.sy[d]!;
        fb.shade[o] = l0 * fb.vshade[a]! + l1 * fb.vshade[b]! + l2 * fb.vshade[d]!;
        fb.alpha[o] = l0 * grid.alpha[a]! + l1 * grid.alpha[b]! + l2 * grid.alpha[d]!;
      }
  };
  for (let j = 0; j + 1 < grid.ny; j++)
    for (let i = 0; i + 1 < grid.nx; i++) {
      const k = j * grid.nx + i;
      tri(k, k + 1, k + grid.nx);
      tri(k + 1, k + grid.nx + 1, k + grid.nx);
    }
  // Per pixel: sample the photo (half resolution when shrinking by more than ~2×), then the
  // appearance maps of the active AUs, lit from the light's direction in the face's frame.
  const src = face.identity.image;
  const useHalf = view.scale / face.canon.iod < 0.55;
  const img = useHalf ? face.half : src;
  const k2 = useHalf ? 0.5 : 1;
  const Lf = [R[0]! * L[0] + R[3]! * L[1] + R[6]! * L[2], R[1]! * L[0] + R[4]! * L[1] + R[7]! * L[2]];
  const active: [AppearanceMap, number][] = [];
  for (const [au, m] of face.maps) if ((c[au] ?? 0) > 0.05) active.push([m, (c[au] ?? 0) / 5]);
  const open = Math.min(1, lipGap(c) / 0.05);
  const SW = src.width;
  for (let o = 0; o < W * H; o++) {
    const a = fb.alpha[o]!;
    const bo = 3 * o;
    if (a <= 0) {
      out[bo] = backdrop[bo]!;
      out[bo + 1] = backdrop[bo + 1]!;
      out[bo + 2] = backdrop[bo + 2]!;
      continue;
    }
    const x = fb.su[o]!, y = fb.sv[o]!;
    let sh = fb.shade[o]!, br = 1;
    const si = Math.round(y) * SW + Math.round(x);
    for (const [m, w] of active) {
      sh -= w * kd * (m.gx[si]! * Lf[0]! + m.gy[si]! * Lf[1]!);
      br += w * m.b[si]!;
    }
    if (open > 0) br *= 1 - 0.93 * open * face.lipAO[si]!;
    const f = Math.max(0, sh) * br;
    for (let ch = 0; ch < 3; ch++) {
      const v = bilinear(img, x * k2, y * k2, ch) * f;
      out[bo + ch] = Math.min(255, a * v + (1 - a) * backdrop[bo + ch]!);
    }
  }
}

/** A soft backdrop for the frame outside the photo: the photo itself, blurred and enlarged. */
export function makeBackdrop(face: PreparedFace, width: number, height: number, zoom: number): Uint8Array {
  const src = face.identity.image;
  const n = 12;
  const cell = new Float32Array(n * n * 3);
  const S = src.width;
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      const k = (Math.min(n - 1, Math.floor((y * n) / S)) * n + Math.min(n - 1, Math.floor((x * n) / S))) * 3;
      for (let c = 0; c < 3; c++) cell[k + c] = cell[k + c]! + src.data[(y * S + x) * 3 + c]! / (S / n) ** 2;
    }
  const out = new Uint8Array(width * height * 3);
  const side = Math.max(width, height) * zoom;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const gx = Math.min(n - 1.001, Math.max(0, ((x - width / 2) / side + 0.5) * n - 0.5));
      const gy = Math.min(n - 1.001, Math.max(0, ((y - height / 2) / side + 0.5) * n - 0.5));
      const x0 = gx | 0, y0 = gy | 0, fx = gx - x0, fy = gy - y0;
      for (let c = 0; c < 3; c++) {
        const p = (yy: number, xx: number) => cell[(yy * n + xx) * 3 + c]!;
        out[(y * width + x) * 3 + c] = (p(y0, x0) * (1 - fx) + p(y0, x0 + 1) * fx) * (1 - fy) + (p(y0 + 1, x0) * (1 - fx) + p(y0 + 1, x0 + 1) * fx) * fy;
      }
    }
  return out;
}
