// How an import finds the face: declared once for the API, the CLI and the Videos panel.

/**
 * Detect on every k-th frame and track landmarks between: bench:ingest measured k = 3 as accurate
 * as every frame against the true landmarks (demo, small face, fast movement) at 2.5–3× the speed.
 */
export const DEFAULT_DETECT_EVERY = 3;

const ordinal = (k: number) => `${k}${k === 2 ? 'nd' : k === 3 ? 'rd' : 'th'}`;

/** The Videos panel's choices: the default, or every frame for material where a user wants no tracking. */
export const DETECTION_CHOICES = [
  { detectEvery: DEFAULT_DETECT_EVERY, label: `every ${ordinal(DEFAULT_DETECT_EVERY)} frame, tracked between` },
  { detectEvery: 1, label: 'every frame (2.5–3× slower)' },
] as const;
