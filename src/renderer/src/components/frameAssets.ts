/**
 * Per-frame pictures and face geometry for the labelling and review views: a small LRU cache in
 * front of 'frames/still', 'frames/crop' and 'frames/info', and a hook that only ever has one
 * request of a kind in flight and then asks for the newest frame wanted. Holding an arrow key
 * on a one-hour video therefore never queues hundreds of ffmpeg seeks.
 */
import { useEffect, useRef, useState } from 'react';
import type { FrameInfo } from '@shared/types';
import { useApi, type Client } from '../api/hooks';

export interface Still {
  src: string;
  width: number;
  height: number;
}

export interface Crop {
  width: number;
  height: number;
  pixels: Uint8ClampedArray;
}

type Kind = 'still' | 'crop' | 'info';
type Value<K extends Kind> = K extends 'still' ? Still : K extends 'crop' ? Crop : FrameInfo;

const LIMIT = 96;
const cache = new Map<string, Promise<unknown>>();

function remember<T>(key: string, load: () => Promise<T>): Promise<T> {
  const hit = cache.get(key) as Promise<T> | undefined;
  if (hit) {
    // Refresh recency.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const p = load();
  cache.set(key, p);
  p.catch(() => cache.delete(key));
  while (cache.size > LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest === undefined) break;
    cache.delete(oldest);
  }
  return p;
}

function decodeGray(base64: string, width: number, height: number): Crop {
  const bytes = atob(base64);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, n = Math.min(bytes.length, width * height); i < n; i++) {
    const v = bytes.charCodeAt(i);
    rgba[4 * i] = v;
    rgba[4 * i + 1] = v;
    rgba[4 * i + 2] = v;
    rgba[4 * i + 3] = 255;
  }
  return { width, height, pixels: rgba };
}

export function loadFrameAsset<K extends Kind>(api: Client, kind: K, videoId: number, frame: number, maxWidth = 960): Promise<Value<K>> {
  const key = `${kind}:${videoId}:${frame}:${kind === 'still' ? maxWidth : ''}`;
  return remember(key, async () => {
    if (kind === 'still') {
      const img = await api.call('frames/still', { videoId, frame, maxWidth });
      return { src: `data:${img.mime};base64,${img.base64}`, width: img.width, height: img.height } satisfies Still;
    }
    if (kind === 'crop') {
      const img = await api.call('frames/crop', { videoId, frame });
      return decodeGray(img.base64, img.width, img.height);
    }
    return api.call('frames/info', { videoId, frame });
  }) as Promise<Value<K>>;
}

/** Warms the cache for frames the user is likely to visit next (the neighbouring sampled frames). */
export function prefetchFrame(api: Client, videoId: number, frame: number, maxWidth = 960): void {
  for (const kind of ['info', 'crop', 'still'] as const) void loadFrameAsset(api, kind, videoId, frame, maxWidth).catch(() => undefined);
}

export interface AssetState<T> {
  value: T | null;
  /** The frame `value` belongs to; differs from the wanted frame while a newer one loads. */
  frame: number | null;
  error: string | null;
}

/** The newest asset for `frame`, keeping the previous picture on screen while the next loads. */
export function useFrameAsset<K extends Kind>(kind: K, videoId: number, frame: number | null, enabled = true, maxWidth = 960): AssetState<Value<K>> {
  const api = useApi();
  const [state, setState] = useState<AssetState<Value<K>>>({ value: null, frame: null, error: null });
  const ctx = useRef({ api, kind, videoId, maxWidth });
  ctx.current = { api, kind, videoId, maxWidth };
  const busy = useRef(false);
  const mounted = useRef(true);
  const wanted = useRef<number | null>(null);
  const loaded = useRef<string | null>(null);

  const pump = useRef(() => {});
  pump.current = () => {
    if (busy.current || !mounted.current) return;
    const f = wanted.current;
    const { api: a, kind: k, videoId: v, maxWidth: w } = ctx.current;
    const key = `${v}:${f}`;
    if (f === null || loaded.current === key) return;
    busy.current = true;
    loadFrameAsset(a, k, v, f, w)
      .then(
        (value) => {
          if (mounted.current && ctx.current.videoId === v) setState({ value, frame: f, error: null });
        },
        (e: Error) => {
          if (mounted.current && ctx.current.videoId === v) setState((s) => ({ value: s.value, frame: f, error: e.message }));
        },
      )
      .finally(() => {
        loaded.current = key;
        busy.current = false;
        pump.current();
      });
  };

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  useEffect(() => {
    setState({ value: null, frame: null, error: null });
    loaded.current = null;
  }, [videoId, kind]);
  useEffect(() => {
    wanted.current = enabled ? frame : null;
    pump.current();
  }, [frame, enabled, videoId, kind]);

  return state;
}
