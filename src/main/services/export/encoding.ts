/**
 * Text of a CSV file the user gives us, decoded explicitly: UTF-8 (with or without a BOM), or
 * UTF-16 when a byte-order mark says so (Excel's "Unicode text") or, without one, when its
 * NUL bytes fall in every other byte the way UTF-16 text puts them. Anything else is refused
 * with the encoding named, instead of being read with replacement characters that would then
 * match no video or annotator, or silently rename one.
 */
import { ApiError } from '../../../shared/errors';

function lineOf(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Offset of the first byte that is not valid UTF-8, or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const need = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * UTF-16 without a byte-order mark, told by its NUL bytes: text that is mostly ASCII has a zero
 * in every other byte (the high byte of each code unit), on odd offsets for little-endian and
 * even ones for big-endian. NUL is valid UTF-8, so without this such a file would decode "fine"
 * with a NUL between every letter and then match no column.
 */
export function utf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const n = Math.min(bytes.length, 8192) & ~1;
  if (n < 4) return null;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i++) {
    if (bytes[i] !== 0) continue;
    if (i % 2) odd++;
    else even++;
  }
  const units = n / 2;
  if (odd >= units * 0.3 && even * 10 <= odd) return 'utf-16le';
  if (even >= units * 0.3 && odd * 10 <= even) return 'utf-16be';
  return null;
}

export function decodeCsvBytes(bytes: Uint8Array, what = 'The labels file'): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const wide = utf16WithoutBom(bytes);
  if (wide) {
    try {
      return new TextDecoder(wide, { fatal: true }).decode(bytes);
    } catch {
      throw new ApiError('invalid_argument', `${what} looks like UTF-16 text without a byte-order mark, but it does not decode as UTF-16. Save it as "CSV UTF-8" and import again. Nothing was imported.`);
    }
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    const nul = text.indexOf('\0');
    if (nul >= 0) {
      throw new ApiError('invalid_argument', `${what} contains NUL bytes (row ${text.slice(0, nul).split('\n').length}), so it is not a text CSV. Save it as "CSV UTF-8" and import again. Nothing was imported.`);
    }
    return text;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const zeros = bytes.subarray(0, 4096).filter((x) => x === 0).length;
    if (zeros > 16) {
      throw new ApiError('invalid_argument', `${what} looks like UTF-16 without a byte-order mark; AU Workbench reads UTF-8 (or UTF-16 with a BOM). Save it as "CSV UTF-8" and import again. Nothing was imported.`);
    }
    const at = firstInvalidUtf8(bytes);
    const byte = at >= 0 ? `0x${bytes[at]!.toString(16).toUpperCase().padStart(2, '0')}` : 'a byte';
    throw new ApiError(
      'invalid_argument',
      `${what} is not UTF-8: ${byte} on row ${at >= 0 ? lineOf(bytes, at) : '?'} is not valid UTF-8; it looks like Windows-1252 (Latin-1), which Excel's plain "CSV" writes. ` +
        'Save it as "CSV UTF-8 (comma delimited)" and import again. Nothing was imported.',
    );
  }
}
