/**
 * Who is coding: one name per machine (kept in the app's settings by 'coder/set'), asked for
 * once, shown in the top bar and changeable there. Every label the UI writes, every undo and
 * every history row carries it. A name an earlier version kept in this browser is offered.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useApi, useQuery } from '../api/hooks';
import { Dialog } from './Dialog';

/** Where versions before the machine setting kept the annotator (per browser origin). */
const LEGACY_KEY = 'auw.annotator';

interface CoderState {
  /** null until someone has said who codes on this machine. */
  name: string | null;
  loaded: boolean;
  /** Opens the "Who is coding?" dialog. */
  ask(): void;
}

const CoderContext = createContext<CoderState>({ name: null, loaded: false, ask: () => {} });

export function useCoder(): CoderState {
  return useContext(CoderContext);
}

function legacyName(): string {
  try {
    const n = localStorage.getItem(LEGACY_KEY)?.trim() ?? '';
    return n === 'annotator' ? '' : n;
  } catch {
    return '';
  }
}

/** Provides the coder; asks for one when `required` and none is set yet. */
export function CoderProvider({ required, children }: { required: boolean; children: ReactNode }) {
  const coder = useQuery('coder/get', {}, ['coder']);
  const [asking, setAsking] = useState(false);
  const [dismissed, setDismissed] = useState(false);
  const name = coder.data?.name ?? null;
  const loaded = coder.data !== undefined;
  useEffect(() => {
    if (required && loaded && name === null && !dismissed) setAsking(true);
  }, [required, loaded, name, dismissed]);
  const ask = useCallback(() => setAsking(true), []);
  return (
    <CoderContext.Provider value={{ name, loaded, ask }}>
      {children}
      {asking && (
        <CoderDialog
          current={name}
          onDone={(saved) => {
            setAsking(false);
            if (!saved) setDismissed(true);
            else coder.reload();
          }}
        />
      )}
    </CoderContext.Provider>
  );
}

function CoderDialog({ current, onDone }: { current: string | null; onDone: (saved: boolean) => void }) {
  const api = useApi();
  const [draft, setDraft] = useState(current ?? legacyName());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // After the dialog's own focus move (to its close button): the name is what to type.
  useEffect(() => {
    const id = requestAnimationFrame(() => input.current?.focus());
    return () => cancelAnimationFrame(id);
  }, []);
  const save = async () => {
    const name = draft.trim();
    if (!name) return setError('Type the name your labels should be stored under.');
    setBusy(true);
    try {
      await api.call('coder/set', { name });
      onDone(true);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <Dialog title={current ? 'Change the coder' : 'Who is coding?'} onClose={() => onDone(false)} className="coder-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <p className="muted">
          Every label is stored under the coder’s name, so two coders’ labels stay apart and their agreement can be measured. This computer remembers the name; change it
          from the top bar when someone else codes.
        </p>
        <label>
          Coder name
          <input ref={input} value={draft} maxLength={64} onChange={(e) => setDraft(e.target.value)} aria-describedby={error ? 'coder-error' : undefined} />
        </label>
        {error && (
          <p id="coder-error" className="error-text small" role="alert">
            {error}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" onClick={() => onDone(false)}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {current ? 'Change coder' : 'Start coding'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The top bar's display of the coder, which opens the dialog. */
export function CoderButton() {
  const { name, loaded, ask } = useCoder();
  if (!loaded) return null;
  return (
    <button type="button" className="chip coder-chip" onClick={ask} aria-label={name ? `Coder: ${name}. Change the coder` : 'No coder set. Say who is coding'} title="Labels are stored under this name">
      {name ? (
        <>
          Coder: <strong>{name}</strong>
        </>
      ) : (
        'Who is coding?'
      )}
    </button>
  );
}
