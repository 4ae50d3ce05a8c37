/** Small stroke icons for transport and tool buttons (no icon font: every glyph renders everywhere). */
const PATHS = {
  play: 'M5 3.5v9l8-4.5z',
  pause: 'M4.5 3.5h2.5v9H4.5zM9 3.5h2.5v9H9z',
  stepBack: 'M11.5 3.5v9L5.5 8zM4 3.5v9',
  stepForward: 'M4.5 3.5v9L10.5 8zM12 3.5v9',
  prevMark: 'M8 3.5v9L2.5 8zM14 3.5v9L8.5 8z',
  nextMark: 'M2 3.5v9L7.5 8zM8 3.5v9L13.5 8z',
  undo: 'M5 6h5.5a3 3 0 0 1 0 6H7M5 6l2.5-2.5M5 6l2.5 2.5',
  redo: 'M11 6H5.5a3 3 0 0 0 0 6H9M11 6L8.5 3.5M11 6L8.5 8.5',
  target: 'M8 2.5v2M8 11.5v2M2.5 8h2M11.5 8h2M8 5.5a2.5 2.5 0 1 0 0.01 0',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 16 }: { name: IconName; size?: number }) {
  const filled = name === 'play' || name === 'pause' || name === 'stepBack' || name === 'stepForward' || name === 'prevMark' || name === 'nextMark';
  return (
    <svg className="icon-svg" width={size} height={size} viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill={filled ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth={filled ? 1 : 1.5} strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
