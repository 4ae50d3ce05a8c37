import { fixed } from './numbers';

/** FACS action units the product knows by name. Intensity 0 = absent, 1–5 = FACS levels A–E. */
export interface AuInfo {
  au: number;
  name: string;
  description: string;
}

export const AU_CATALOG: readonly AuInfo[] = [
  { au: 1, name: 'Inner brow raiser', description: 'Inner ends of the brows pulled up; horizontal wrinkles in the centre of the forehead.' },
  { au: 2, name: 'Outer brow raiser', description: 'Outer ends of the brows pulled up; the brow arches.' },
  { au: 4, name: 'Brow lowerer', description: 'Brows pulled down and together; vertical furrows between them.' },
  { au: 5, name: 'Upper lid raiser', description: 'Upper eyelid raised, more of the eyeball shows above the iris.' },
  { au: 6, name: 'Cheek raiser', description: 'Cheeks lifted, crow’s-feet at the eye corners, lower lid bagged.' },
  { au: 7, name: 'Lid tightener', description: 'Eyelids tightened and narrowed, lower lid raised and straightened.' },
  { au: 9, name: 'Nose wrinkler', description: 'Skin along the nose wrinkled upward, nostrils flared.' },
  { au: 10, name: 'Upper lip raiser', description: 'Upper lip drawn straight up, nasolabial furrow deepened.' },
  { au: 12, name: 'Lip corner puller', description: 'Lip corners pulled up and back obliquely (the smile).' },
  { au: 14, name: 'Dimpler', description: 'Lip corners tightened inward, dimples form beside them.' },
  { au: 15, name: 'Lip corner depressor', description: 'Lip corners pulled down.' },
  { au: 17, name: 'Chin raiser', description: 'Chin boss pushed up, lower lip pushed up, chin wrinkles.' },
  { au: 20, name: 'Lip stretcher', description: 'Lips stretched horizontally, mouth elongated.' },
  { au: 23, name: 'Lip tightener', description: 'Lips tightened and narrowed, red parts thinned.' },
  { au: 25, name: 'Lips part', description: 'Lips parted, teeth or mouth interior may show.' },
  { au: 26, name: 'Jaw drop', description: 'Jaw lowered so the mouth opens, relaxed.' },
];

export const DISFA_AUS: readonly number[] = [1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26];
export const BP4D_INTENSITY_AUS: readonly number[] = [6, 10, 12, 14, 17];

export const AU_PRESETS = {
  disfa: { name: 'DISFA (12 AUs)', aus: DISFA_AUS },
  bp4d: { name: 'BP4D intensity (5 AUs)', aus: BP4D_INTENSITY_AUS },
} as const;
export type AuPreset = keyof typeof AU_PRESETS;

export const FACS_LEVELS = ['0', 'A', 'B', 'C', 'D', 'E'] as const;

export function auInfo(au: number): AuInfo {
  return AU_CATALOG.find((a) => a.au === au) ?? { au, name: `AU${au}`, description: 'Custom action unit.' };
}

/** OpenFace column stem: AU01, AU12, … */
export function auColumn(au: number): string {
  return `AU${String(au).padStart(2, '0')}`;
}

/** An intensity level as a coder reads it: 3 → "C (3)", 0 → "0 (absent)". */
export function levelText(v: number): string {
  if (v === 0) return '0 (absent)';
  const letter = FACS_LEVELS[v];
  return letter ? `${letter} (${v})` : String(v);
}

/** The FACS level nearest a continuous intensity (a model's or OpenFace's): 2.61 → "C", 0.2 → "0". */
export function nearestLevel(x: number): string {
  return FACS_LEVELS[Math.max(0, Math.min(5, Math.round(x)))]!;
}

/** A continuous intensity with its nearest FACS level: 2.61 → "2.61 ≈ C". */
export function predictedText(x: number): string {
  return `${fixed(x, 2)} ≈ ${nearestLevel(x)}`;
}
