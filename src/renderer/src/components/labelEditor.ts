/**
 * The labels of one video for one annotator, held in memory for instant lookups and edited
 * optimistically: a change shows at once, is written through 'labels/set' in order (one request
 * at a time, so two quick edits of one cell can never land out of order), and rolls back with a
 * readable message if the write fails. Undo and redo replay the previous value, including
 * "no label" (a delete).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { auColumn } from '@shared/aus';
import { useApi, useEvent } from '../api/hooks';
import { useNotify } from './Notices';

export const ANNOTATOR_KEY = 'auw.annotator';
export const DEFAULT_ANNOTATOR = 'annotator';
export const LEVELS = ['0', 'A', 'B', 'C', 'D', 'E'] as const;
export const LEVEL_NAMES = ['absent', 'trace', 'slight', 'marked', 'severe', 'maximum'] as const;

export function levelText(v: number): string {
  return v === 0 ? '0 (absent)' : `${LEVELS[v] ?? v} (${v})`;
}

/** The per-user annotator name, kept in localStorage. */
export function useAnnotator(): [string, (name: string) => void] {
  const [name, setName] = useState(() => {
    try {
      return localStorage.getItem(ANNOTATOR_KEY)?.trim() || DEFAULT_ANNOTATOR;
    } catch {
      return DEFAULT_ANNOTATOR;
    }
  });
  const set = useCallback((n: string) => {
    setName(n);
    try {
      localStorage.setItem(ANNOTATOR_KEY, n);
    } catch {
      /* private mode: the name lasts for this session */
    }
  }, []);
  return [name, set];
}

export interface Change {
  frame: number;
  au: number;
  value: number | null;
}
export interface Edit {
  frame: number;
  au: number;
  before: number | null;
  after: number | null;
}

export type SaveState = { state: 'idle' | 'saving' | 'saved' } | { state: 'error'; message: string };

export interface LabelEditor {
  /** Bumps on every change; use it as a memo key. */
  version: number;
  loaded: boolean;
  loadError: string | null;
  get(frame: number, au: number): number | undefined;
  /** au → intensity for one frame (empty map if none). */
  frameLabels(frame: number): ReadonlyMap<number, number>;
  /** Every labelled frame, for drawing and disagreement search. */
  all(): ReadonlyMap<number, ReadonlyMap<number, number>>;
  apply(changes: Change[]): Edit[];
  undo(): Edit[] | null;
  redo(): Edit[] | null;
  canUndo: boolean;
  canRedo: boolean;
  save: SaveState;
}

const HISTORY = 1000;

export function useLabelEditor(videoId: number, annotator: string): LabelEditor {
  const api = useApi();
  const notify = useNotify();
  const store = useRef(new Map<number, Map<number, number>>());
  const [version, setVersion] = useState(0);
  const [loadedKey, setLoadedKey] = useState<string | null>(null);
  const loaded = loadedKey === `${videoId}\n${annotator}`;
  const [loadError, setLoadError] = useState<string | null>(null);
  const [save, setSave] = useState<SaveState>({ state: 'idle' });
  const undoStack = useRef<Edit[][]>([]);
  const redoStack = useRef<Edit[][]>([]);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const pending = useRef(0);
  /** Our own writes whose 'data/changed' echo has not arrived yet. */
  const echoes = useRef(0);
  const bump = useCallback(() => setVersion((v) => v + 1), []);
  const key = useRef({ videoId, annotator });
  key.current = { videoId, annotator };

  const put = (frame: number, au: number, value: number | null) => {
    let row = store.current.get(frame);
    if (value === null) {
      row?.delete(au);
      if (row && row.size === 0) store.current.delete(frame);
      return;
    }
    if (!row) store.current.set(frame, (row = new Map()));
    row.set(au, value);
  };

  const load = useCallback(async () => {
    const want = { ...key.current };
    await queue.current;
    try {
      const labels = await api.call('labels/forVideo', { videoId: want.videoId });
      if (key.current.videoId !== want.videoId || key.current.annotator !== want.annotator) return;
      const next = new Map<number, Map<number, number>>();
      for (const l of labels) {
        if (l.annotator !== want.annotator) continue;
        let row = next.get(l.frame);
        if (!row) next.set(l.frame, (row = new Map()));
        row.set(l.au, l.intensity);
      }
      store.current = next;
      setLoadedKey(`${want.videoId}\n${want.annotator}`);
      setLoadError(null);
      bump();
    } catch (e) {
      setLoadError((e as Error).message);
    }
  }, [api, bump]);

  useEffect(() => {
    store.current = new Map();
    undoStack.current = [];
    redoStack.current = [];
    bump();
    void load();
  }, [videoId, annotator, load, bump]);

  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEvent('data/changed', (p) => {
    if (p.domain !== 'labels' || (p.videoId !== undefined && p.videoId !== videoId)) return;
    if (echoes.current > 0) {
      echoes.current--;
      return;
    }
    // Someone else (another window, the CLI) changed labels: refresh once things settle.
    if (reloadTimer.current) clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(() => void load(), 400);
  });
  useEffect(() => () => void (reloadTimer.current && clearTimeout(reloadTimer.current)), []);
  // Saves go one after another; leaving the page while some are queued would drop them.
  useEffect(() => {
    const guard = (e: BeforeUnloadEvent) => {
      if (pending.current > 0) e.preventDefault();
    };
    window.addEventListener('beforeunload', guard);
    return () => window.removeEventListener('beforeunload', guard);
  }, []);

  const write = useCallback(
    (edit: Edit) => {
      const { videoId: v, annotator: who } = key.current;
      pending.current++;
      setSave({ state: 'saving' });
      queue.current = queue.current.then(async () => {
        echoes.current++;
        try {
          await api.call('labels/set', { videoId: v, frame: edit.frame, au: edit.au, intensity: edit.after, annotator: who });
          if (--pending.current === 0) setSave({ state: 'saved' });
        } catch (e) {
          echoes.current = Math.max(0, echoes.current - 1);
          pending.current--;
          const message = `Could not save ${auColumn(edit.au)} on frame ${edit.frame}: ${(e as Error).message} The change was rolled back; try again.`;
          if (key.current.videoId === v && key.current.annotator === who) {
            const now = store.current.get(edit.frame)?.get(edit.au) ?? null;
            if (now === edit.after) {
              put(edit.frame, edit.au, edit.before);
              bump();
            }
            // A change that never reached the project is not something to undo.
            const top = undoStack.current[undoStack.current.length - 1];
            const i = top?.findIndex((x) => x.frame === edit.frame && x.au === edit.au && x.after === edit.after) ?? -1;
            if (top && i >= 0) {
              top.splice(i, 1);
              if (!top.length) undoStack.current.pop();
            }
          }
          setSave({ state: 'error', message });
          notify('error', message);
        }
      });
    },
    [api, bump, notify],
  );

  const applyEdits = (edits: Edit[], dir: 'after' | 'before') => {
    for (const e of edits) {
      const value = e[dir];
      put(e.frame, e.au, value);
      write(dir === 'after' ? e : { frame: e.frame, au: e.au, before: e.after, after: e.before });
    }
    bump();
  };

  const apply = (changes: Change[]): Edit[] => {
    const edits: Edit[] = [];
    for (const c of changes) {
      const before = store.current.get(c.frame)?.get(c.au) ?? null;
      if (before === c.value) continue;
      edits.push({ frame: c.frame, au: c.au, before, after: c.value });
    }
    if (!edits.length) return edits;
    applyEdits(edits, 'after');
    undoStack.current.push(edits);
    if (undoStack.current.length > HISTORY) undoStack.current.shift();
    redoStack.current = [];
    return edits;
  };

  const undo = () => {
    const edits = undoStack.current.pop();
    if (!edits) return null;
    applyEdits([...edits].reverse(), 'before');
    redoStack.current.push(edits);
    return edits;
  };
  const redo = () => {
    const edits = redoStack.current.pop();
    if (!edits) return null;
    applyEdits(edits, 'after');
    undoStack.current.push(edits);
    return edits;
  };

  const empty = useRef(new Map<number, number>()).current;
  return {
    version,
    loaded,
    loadError,
    get: (frame, au) => store.current.get(frame)?.get(au),
    frameLabels: (frame) => store.current.get(frame) ?? empty,
    all: () => store.current,
    apply,
    undo,
    redo,
    canUndo: undoStack.current.length > 0,
    canRedo: redoStack.current.length > 0,
    save,
  };
}
