import { useEffect, useState } from 'react';
import { useApi } from '../api/hooks';

/** A small still of a frame, fetched when first shown. */
export function Thumbnail({ videoId, frame, width = 112, alt }: { videoId: number; frame: number; width?: number; alt: string }) {
  const api = useApi();
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.call('frames/still', { videoId, frame, maxWidth: width * 2 }).then(
      (img) => live && setSrc(`data:${img.mime};base64,${img.base64}`),
      () => live && setSrc(null),
    );
    return () => {
      live = false;
    };
  }, [api, videoId, frame, width]);
  return src ? <img className="thumb" src={src} width={width} alt={alt} /> : <div className="thumb placeholder" style={{ width, height: Math.round(width * 0.66) }} aria-label={alt} />;
}
