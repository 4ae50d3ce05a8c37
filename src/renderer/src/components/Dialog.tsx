import { useEffect, useId, useRef, type ReactNode } from 'react';

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  className?: string;
}

/**
 * A modal dialog: labelled by its title, focus moves into it and stays there (Tab wraps),
 * Esc or the close button closes it, and focus returns to where it was.
 */
export function Dialog({ title, onClose, children, className }: Props) {
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    box.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => before?.focus?.();
  }, []);

  return (
    <div
      className="modal-backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) close.current();
      }}
    >
      <div
        ref={box}
        className={`modal ${className ?? ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            close.current();
            return;
          }
          if (e.key !== 'Tab') return;
          const items = [...(box.current?.querySelectorAll<HTMLElement>('button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])') ?? [])];
          const first = items[0];
          const last = items[items.length - 1];
          if (!first || !last) return;
          if (e.shiftKey && document.activeElement === first) {
            e.preventDefault();
            last.focus();
          } else if (!e.shiftKey && document.activeElement === last) {
            e.preventDefault();
            first.focus();
          }
        }}
      >
        <div className="modal-head">
          <h2 id={`${id}-title`}>{title}</h2>
          <button type="button" className="ghost" aria-label="Close" data-autofocus onClick={() => close.current()}>
            ✕
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}

export interface Shortcut {
  /** Alternatives, each a key combination: [['Ctrl', 'Z']] or [['N'], ['P']]. */
  keys: string[][];
  action: string;
  /** Shown between the alternatives; '–' reads [['0'], ['5']] as a range. Default ' / '. */
  joiner?: string;
}

/** Keys the coding views (Label, Review) share, declared once so their help lists cannot drift apart. */
export const SHARED_SHORTCUTS = {
  step: [
    { keys: [['←'], ['→']], action: 'Previous / next frame' },
    { keys: [['Ctrl', '←'], ['Ctrl', '→']], action: '10 frames back / forward' },
  ],
  sampled: { keys: [['N'], ['P']], action: 'Next / previous sampled frame' },
  undo: [
    { keys: [['Ctrl', 'Z']], action: 'Undo' },
    { keys: [['Ctrl', 'Shift', 'Z']], action: 'Redo' },
  ],
  help: [
    { keys: [['?']], action: 'Show this list' },
    { keys: [['Esc']], action: 'Close this list' },
  ],
} satisfies Record<string, Shortcut | Shortcut[]>;

/** The "?" overlay: every key the view answers to. */
export function ShortcutsDialog({ groups, onClose }: { groups: { title: string; items: Shortcut[] }[]; onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose} className="shortcuts">
      <div className="shortcut-groups">
        {groups.map((g) => (
          <section key={g.title} aria-label={g.title}>
            <h3>{g.title}</h3>
            <table className="shortcut-table">
              <tbody>
                {g.items.map((s) => (
                  <tr key={s.action}>
                    <td>
                      {s.keys.map((combo, i) => (
                        <span key={i}>
                          {i > 0 && <span className="muted">{s.joiner ?? ' / '}</span>}
                          {combo.map((k, j) => (
                            <span key={j}>
                              {j > 0 && '+'}
                              <kbd>{k}</kbd>
                            </span>
                          ))}
                        </span>
                      ))}
                    </td>
                    <td>{s.action}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))}
      </div>
      <p className="muted small">Shortcuts are off while you type in a text field. Press Esc to close this list.</p>
    </Dialog>
  );
}
