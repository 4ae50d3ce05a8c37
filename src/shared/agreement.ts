/** What the Agreement tab and `auw agreement` say about figures from too few frames (one wording for both). */
export function fewFramesText(few: number, aus: number, minN: number): string {
  return (
    `Fewer than ${minN} frames in common for ${few} of ${aus} AU${aus === 1 ? '' : 's'}: their ICC and κ are unstable ` +
    `(from a handful of frames even ±1.00 says little). Let the second coder code more of the double-coding share before reporting them.`
  );
}
