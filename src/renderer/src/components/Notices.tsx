import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';

interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

const NoticeContext = createContext<(kind: Notice['kind'], text: string) => void>(() => {});

export function useNotify() {
  return useContext(NoticeContext);
}

/** Errors from API calls land here as readable, dismissable messages. */
export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const notify = useCallback((kind: Notice['kind'], text: string) => {
    const id = Date.now() + Math.random();
    setNotices((n) => [...n.slice(-3), { id, kind, text }]);
    // Information fades on its own; errors stay until dismissed, so none is missed.
    if (kind === 'info') setTimeout(() => setNotices((n) => n.filter((x) => x.id !== id)), 6000);
  }, []);
  return (
    <NoticeContext.Provider value={notify}>
      {children}
      <div className="notices" aria-live="polite">
        {notices.map((n) => (
          <div key={n.id} className={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
            <span>{n.text}</span>
            <button type="button" aria-label="Dismiss message" onClick={() => setNotices((all) => all.filter((x) => x.id !== n.id))}>
              ×
            </button>
          </div>
        ))}
      </div>
    </NoticeContext.Provider>
  );
}
