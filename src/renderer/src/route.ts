import { useEffect, useState } from 'react';

/** Where the user is inside a project; kept in the URL hash so a reload lands in the same place. */
export type Route =
  | { view: 'home' }
  | { view: 'label'; videoId: number; frame?: number; /** The AU to choose on arrival (from the Agreement view). */ au?: number }
  | { view: 'train' }
  | { view: 'agreement' }
  | { view: 'review'; videoId: number; frame?: number };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const [view, id] = path.split('/');
  // No ?frame= means "no frame chosen" (Number(null) would be 0).
  const frame = Number(new URLSearchParams(query).get('frame') ?? Number.NaN);
  const withFrame = Number.isInteger(frame) && frame >= 0 ? { frame } : {};
  const au = Number(new URLSearchParams(query).get('au') ?? Number.NaN);
  const withAu = Number.isInteger(au) && au >= 1 && au <= 99 ? { au } : {};
  const videoId = Number(id);
  if (view === 'label' && Number.isInteger(videoId) && videoId > 0) return { view, videoId, ...withFrame, ...withAu };
  if (view === 'review' && Number.isInteger(videoId) && videoId > 0) return { view, videoId, ...withFrame };
  if (view === 'train') return { view: 'train' };
  if (view === 'agreement') return { view: 'agreement' };
  return { view: 'home' };
}

export function routeHash(r: Route): string {
  if (r.view === 'home') return '#/';
  if (r.view === 'train') return '#/train';
  if (r.view === 'agreement') return '#/agreement';
  const query = new URLSearchParams();
  if (r.frame !== undefined) query.set('frame', String(r.frame));
  if (r.view === 'label' && r.au !== undefined) query.set('au', String(r.au));
  const q = query.toString();
  return `#/${r.view}/${r.videoId}${q ? `?${q}` : ''}`;
}

export function useRoute(): [Route, (r: Route, opts?: { replace?: boolean }) => void] {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const go = (r: Route, opts: { replace?: boolean } = {}) => {
    const hash = routeHash(r);
    // replaceState for frame steps, so Back leaves the view instead of undoing 500 keypresses.
    if (opts.replace) history.replaceState(null, '', hash);
    else history.pushState(null, '', hash);
    setRoute(r);
  };
  return [route, go];
}
