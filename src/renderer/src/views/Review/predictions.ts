import { useEffect, useState } from 'react';
import type { ModelRow } from '@shared/types';
import { fixed } from '@shared/numbers';
import { useApi, useEvent } from '../../api/hooks';

/** One model's per-frame intensities for one video: au → Float32Array (NaN where no face). */
export interface Track {
  modelId: number;
  frameCount: number;
  lanes: Map<number, Float32Array>;
}

export interface TrackState {
  track: Track | null;
  /** True once the server answered; `track` null then means "no predictions for this video". */
  settled: boolean;
  error: string | null;
}

export function usePredictions(modelId: number | null, videoId: number): TrackState {
  const api = useApi();
  const [state, setState] = useState<TrackState>({ track: null, settled: false, error: null });
  const [tick, setTick] = useState(0);
  useEvent('data/changed', (p) => {
    if (p.domain === 'predictions' && (p.videoId === undefined || p.videoId === videoId)) setTick((t) => t + 1);
  });
  useEffect(() => {
    if (modelId === null) {
      setState({ track: null, settled: true, error: null });
      return;
    }
    let live = true;
    setState((s) => (s.track?.modelId === modelId ? s : { track: null, settled: false, error: null }));
    api.call('predictions/get', { modelId, videoId }).then(
      (p) => {
        if (!live) return;
        if (!p) return setState({ track: null, settled: true, error: null });
        const lanes = new Map<number, Float32Array>();
        for (const au of p.aus) {
          const src = p.values[au] ?? [];
          const dst = new Float32Array(p.frameCount);
          for (let i = 0; i < p.frameCount; i++) {
            const v = src[i];
            dst[i] = v === null || v === undefined ? Number.NaN : v;
          }
          lanes.set(au, dst);
        }
        setState({ track: { modelId, frameCount: p.frameCount, lanes }, settled: true, error: null });
      },
      (e: Error) => live && setState({ track: null, settled: true, error: e.message }),
    );
    return () => {
      live = false;
    };
  }, [api, modelId, videoId, tick]);
  return state;
}

export interface Disagreement {
  frame: number;
  au: number;
  label: number;
  predicted: number;
  diff: number;
}

/** Every labelled frame × AU with a prediction, biggest |label − prediction| first. */
export function disagreements(labels: ReadonlyMap<number, ReadonlyMap<number, number>>, track: Track | null): Disagreement[] {
  if (!track) return [];
  const out: Disagreement[] = [];
  for (const [frame, row] of labels) {
    for (const [au, label] of row) {
      const lane = track.lanes.get(au);
      const predicted = lane?.[frame];
      if (predicted === undefined || Number.isNaN(predicted)) continue;
      out.push({ frame, au, label, predicted, diff: Math.abs(label - predicted) });
    }
  }
  return out.sort((a, b) => b.diff - a.diff || a.frame - b.frame || a.au - b.au);
}

/** The model's headline ICC, whatever shape its metrics take. */
export function headlineIcc(m: ModelRow): number | null {
  const metrics = m.metrics as Record<string, unknown> | null;
  if (!metrics) return null;
  for (const k of ['icc', 'meanIcc', 'iccMean', 'icc31']) if (typeof metrics[k] === 'number') return metrics[k];
  for (const k of ['mean', 'average', 'overall', 'val', 'validation']) {
    const sub = metrics[k] as Record<string, unknown> | undefined;
    if (sub && typeof sub === 'object' && typeof sub.icc === 'number') return sub.icc;
  }
  return null;
}

export function modelLabel(m: ModelRow): string {
  const icc = headlineIcc(m);
  const date = new Date(m.createdAt);
  const when = Number.isNaN(date.getTime()) ? m.createdAt : date.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
  return `${m.name}${icc !== null ? ` (ICC ${fixed(icc, 2)})` : ''} · ${when}`;
}
