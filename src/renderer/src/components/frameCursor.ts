import { useCallback, useEffect, useRef, useState } from 'react';
import type { Route } from '../route';

/**
 * The current frame of the label and review views. It lives in the view, so a keypress
 * re-renders only the view; the URL (#/label/3?frame=…) follows once the user pauses for a
 * moment, and is written at once before the page unloads, so a reload lands on the same frame.
 * A change of the URL from outside (back/forward, a typed hash) moves the cursor.
 */
export function useFrameCursor(
  view: 'label' | 'review',
  videoId: number,
  routeFrame: number | undefined,
  go: (r: Route, o?: { replace?: boolean }) => void,
  clamp: (f: number) => number,
): [number | undefined, (f: number) => void] {
  const [frame, setLocal] = useState<number | undefined>(routeFrame);
  const written = useRef<number | undefined>(routeFrame);
  const pending = useRef<{ timer: ReturnType<typeof setTimeout>; frame: number } | null>(null);
  const goRef = useRef(go);
  goRef.current = go;

  useEffect(() => {
    if (routeFrame === written.current) return;
    written.current = routeFrame;
    setLocal(routeFrame);
  }, [routeFrame]);

  const flush = useCallback(() => {
    const p = pending.current;
    if (!p) return;
    clearTimeout(p.timer);
    pending.current = null;
    written.current = p.frame;
    goRef.current({ view, videoId, frame: p.frame }, { replace: true });
  }, [view, videoId]);

  // Leaving the video or the view: drop a pending URL write (it would navigate back here).
  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current.timer);
      pending.current = null;
    },
    [view, videoId],
  );
  useEffect(() => {
    window.addEventListener('pagehide', flush);
    window.addEventListener('beforeunload', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      window.removeEventListener('beforeunload', flush);
    };
  }, [flush]);

  const set = useCallback(
    (f: number) => {
      const c = clamp(f);
      setLocal(c);
      if (pending.current) clearTimeout(pending.current.timer);
      pending.current = { frame: c, timer: setTimeout(flush, 300) };
    },
    [clamp, flush],
  );
  return [frame, set];
}
