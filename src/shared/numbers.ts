/**
 * Whole numbers as a person types them: decimal digits only. Number() would also take "0x1f",
 * "1e3", " 12 " and "" (0), so a frame written in hex or exponent form would land on some
 * other frame without a word.
 */
export function parseInteger(text: string, range: { min?: number; max?: number } = {}): number | null {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) return null;
  const n = Number(t);
  if (!Number.isSafeInteger(n)) return null;
  if (range.min !== undefined && n < range.min) return null;
  if (range.max !== undefined && n > range.max) return null;
  return n;
}

/** A decimal number ("2", "0.5", "-1.25"); no hex, exponents, Infinity or empty text. */
export function parseDecimal(text: string): number | null {
  const t = text.trim();
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/**
 * A number for a table: `digits` decimals, '–' where there is none (null, NaN, ±Infinity), and
 * never "-0.00": a value that rounds to zero prints as 0.
 */
export function fixed(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const s = v.toFixed(digits);
  return /^-0(?:\.0*)?$/.test(s) ? s.slice(1) : s;
}
