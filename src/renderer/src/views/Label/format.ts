/** 75.4 → "1:15" (ruler) or "1:15.40" (precise); hours appear when needed. */
export function formatTime(seconds: number, precise: boolean): string {
  const s = Math.max(0, seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const secText = precise ? sec.toFixed(2).padStart(5, '0') : String(Math.floor(sec)).padStart(2, '0');
  if (h) return `${h}:${String(m).padStart(2, '0')}:${secText}`;
  // A ruler on a short clip needs sub-second labels.
  if (!precise && s < 10 && !Number.isInteger(Math.round(s * 1000) / 1000)) return `${(Math.round(s * 100) / 100).toString()} s`;
  return `${m}:${secText}`;
}
