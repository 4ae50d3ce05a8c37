/**
 * The labels of one video for one annotator, held in memory for instant lookups and edited
 * optimistically: a change shows at once and is written through 'labels/set' in order (one
 * request at a time, so two quick edits of one cell can never land out of order). A write that
 * fails (a full disk) keeps the value on screen marked *not saved*, with the reason on that
 * AU, until a retry or a later edit of the same cell stores it: the coder's decision is never
 * silently dropped, and never shown as saved when it is not. Undo and redo replay the previous
 * value, including "no label" (a delete).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { auColumn } from '@shared/aus';
import { useApi, useEvent } from '../api/hooks';
import { useNotify } from './Notices';

export { levelText } from '@shared/aus';
export const LEVELS = ['0', 'A', 'B', 'C', 'D', 'E'] as const;
export const LEVEL_NAMES = ['absent', 'trace', 'slight', 'marked', 'severe', 'maximum'] as const;

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
  /** Who made the change; its undo and redo are written under the same name. */
  coder: string;
}

export type SaveState = { state: 'idle' | 'saving' | 'saved' } | { state: 'error'; message: string };

/** A change the project did not take: the value still shown, and why it was refused. */
export interface Unsaved {
  value: number | null;
  message: string;
}

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
  /** au → why its value on this frame is not saved (empty when all is saved). */
  unsavedOn(frame: number): ReadonlyMap<number, Unsaved>;
  unsavedCount: number;
  /** Writes every unsaved change again. */
  retryUnsaved(): void;
}

const cell = (frame: number, au: number) => `${frame}:${au}`;

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
  const unsaved = useRef(new Map<string, Unsaved & { frame: number; au: number }>());
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
    unsaved.current = new Map();
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
      if (pending.current > 0 || unsaved.current.size > 0) e.preventDefault();
    };
    window.addEventListener('beforeunload', guard);
    return () => window.removeEventListener('beforeunload', guard);
  }, []);

  const write = useCallback(
    (edit: Edit) => {
      const { videoId: v } = key.current;
      const who = edit.coder;
      pending.current++;
      setSave({ state: 'saving' });
      queue.current = queue.current.then(async () => {
        echoes.current++;
        try {
          await api.call('labels/set', { videoId: v, frame: edit.frame, au: edit.au, intensity: edit.after, annotator: who });
          if (key.current.videoId === v && key.current.annotator === who && unsaved.current.delete(cell(edit.frame, edit.au))) bump();
          if (--pending.current === 0) setSave(unsaved.current.size ? { state: 'error', message: 'Some changes are not saved.' } : { state: 'saved' });
        } catch (e) {
          echoes.current = Math.max(0, echoes.current - 1);
          pending.current--;
          const reason = (e as Error).message;
          const message = `${auColumn(edit.au)} on frame ${edit.frame} is not saved: ${reason}`;
          // Kept on screen as not saved (not rolled back): the coder sees exactly which value
          // the project lacks, and Retry stores it once the cause (a full disk) is fixed.
          if (key.current.videoId === v && key.current.annotator === who) {
            const now = store.current.get(edit.frame)?.get(edit.au) ?? null;
            if (now === edit.after) unsaved.current.set(cell(edit.frame, edit.au), { frame: edit.frame, au: edit.au, value: edit.after, message: reason });
            bump();
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
      write(dir === 'after' ? e : { frame: e.frame, au: e.au, before: e.after, after: e.before, coder: e.coder });
    }
    bump();
  };

  const apply = (changes: Change[]): Edit[] => {
    const edits: Edit[] = [];
    // No coder yet: nothing may be written under an empty name (the view asks who is coding).
    if (!key.current.annotator) return edits;
    for (const c of changes) {
      const before = store.current.get(c.frame)?.get(c.au) ?? null;
      if (before === c.value) continue;
      edits.push({ frame: c.frame, au: c.au, before, after: c.value, coder: key.current.annotator });
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
  const unsavedOn = (frame: number) => {
    const out = new Map<number, Unsaved>();
    for (const u of unsaved.current.values()) if (u.frame === frame) out.set(u.au, { value: u.value, message: u.message });
    return out;
  };
  const retryUnsaved = () => {
    for (const u of [...unsaved.current.values()]) write({ frame: u.frame, au: u.au, before: u.value, after: u.value, coder: key.current.annotator });
  };
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
    unsavedOn,
    unsavedCount: unsaved.current.size,
    retryUnsaved,
  };
}
