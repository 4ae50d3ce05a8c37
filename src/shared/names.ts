/**
 * Names people type (a coder, an annotator in a labels file): one validator for every way a
 * name enters (the contract's schema, the labels CSV import, the CLI through the contract),
 * and one escape for every place stored text is printed to a terminal.
 */

/**
 * Characters no name may hold: C0 controls (NUL, BEL, ESC, CR, LF, tab …), DEL, C1 controls
 * (a terminal obeys some of them like ESC sequences), line and paragraph separators, and the
 * bidirectional marks, embeddings, overrides and isolates (U+202E shows "evil" as "live").
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
// eslint-disable-next-line no-control-regex
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

export const MAX_NAME_LENGTH = 64;

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why a name (`what`: "the project name", …) cannot be used because of a control character in it, or null. */
export function controlCharProblem(name: string, what: string): string | null {
  const bad = CONTROL.exec(name);
  return bad ? `${what} contains a control character (${codePoint(bad[0])}); use letters, digits, spaces and punctuation only` : null;
}

/** Why `name` (already trimmed) is not a usable coder/annotator name, or null when it is. */
export function annotatorNameProblem(name: string): string | null {
  if (!name) return 'an annotator name is required';
  if (name.length > MAX_NAME_LENGTH) return `keep the annotator name under ${MAX_NAME_LENGTH} characters`;
  return controlCharProblem(name, 'the annotator name');
}

/**
 * Text safe to print to a terminal: every control character except line breaks and tabs (the
 * layout our own output uses) is shown as an escape (\x1b, \u202e), so stored text can never
 * move the cursor, change colours, set the window title or reorder what is shown.
 */
export function terminalText(text: string): string {
  return text.replace(CONTROL_ALL, (c) => {
    if (c === '\n' || c === '\t') return c;
    const n = c.codePointAt(0)!;
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}
