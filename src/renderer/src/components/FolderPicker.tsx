import { useEffect, useRef, useState } from 'react';
import type { DirListing } from '@shared/types';
import { useApi } from '../api/hooks';

interface Props {
  title: string;
  start?: string;
  /** 'videos': pick one or more video files instead of a folder; 'csv': pick one .csv file. */
  mode?: 'folder' | 'videos' | 'csv';
  onPick: (paths: string[]) => void;
  onCancel: () => void;
}

/**
 * Browser mode has no native dialog, so folders are browsed on the server, inside the roots
 * the server was started with. Keyboard: arrows move, Enter opens, Backspace goes up, Esc closes.
 */
export function FolderPicker({ title, start, mode = 'folder', onPick, onCancel }: Props) {
  const api = useApi();
  const [listing, setListing] = useState<DirListing | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const dialogRef = useRef<HTMLDivElement>(null);

  const go = (dir?: string) => {
    api.call('fs/list', { ...(dir ? { dir } : {}), files: mode === 'csv' ? 'csv' : 'videos' }).then(
      (l) => {
        setListing(l);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  };
  useEffect(() => go(start), []); // eslint-disable-line react-hooks/exhaustive-deps -- the starting folder, once; later moves go through go()
  useEffect(() => {
    dialogRef.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  }, [listing]);

  const dirs = listing?.entries.filter((e) => e.kind === 'dir' || mode !== 'folder') ?? [];
  const toggle = (p: string) =>
    setChosen((c) => {
      // One CSV at a time; videos are chosen several at once.
      const next = new Set(mode === 'csv' ? [] : c);
      if (c.has(p)) next.delete(p);
      else next.add(p);
      return next;
    });
  return (
    <div className="modal-backdrop" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="picker-title" ref={dialogRef}>
        <h2 id="picker-title">{title}</h2>
        <div className="picker-path" aria-live="polite">
          <button type="button" disabled={!listing?.parent} onClick={() => listing?.parent && go(listing.parent)} aria-label="Up one folder">
            ↑ Up
          </button>
          <code title={listing?.dir}>{listing?.dir ?? '…'}</code>
        </div>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        <ul className="picker-list" aria-label="Folders">
          {dirs.length === 0 && <li className="muted">{mode === 'videos' ? 'No folders or videos here.' : mode === 'csv' ? 'No folders or .csv files here.' : 'No sub-folders here.'}</li>}
          {dirs.map((d, i) => (
            <li key={d.path}>
              <button
                type="button"
                className="picker-item"
                data-autofocus={i === 0 ? true : undefined}
                aria-pressed={d.kind === 'file' ? chosen.has(d.path) : undefined}
                onClick={() => (d.kind === 'dir' ? go(d.path) : toggle(d.path))}
                onKeyDown={(e) => {
                  const items = [...(dialogRef.current?.querySelectorAll<HTMLElement>('.picker-item') ?? [])];
                  if (e.key === 'ArrowDown') items[Math.min(items.length - 1, i + 1)]?.focus();
                  if (e.key === 'ArrowUp') items[Math.max(0, i - 1)]?.focus();
                  if (e.key === 'Backspace' && listing?.parent) go(listing.parent);
                }}
              >
                <span aria-hidden="true">{d.kind === 'file' ? (chosen.has(d.path) ? '☑' : '☐') : d.isProject ? '◆' : '▸'}</span> {d.name}
                {d.isProject && <span className="tag">project</span>}
              </button>
            </li>
          ))}
        </ul>
        <div className="modal-actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          {mode === 'videos' ? (
            <button type="button" className="primary" disabled={!chosen.size} onClick={() => onPick([...chosen])}>
              Import {chosen.size || ''} video{chosen.size === 1 ? '' : 's'}
            </button>
          ) : mode === 'csv' ? (
            <button type="button" className="primary" disabled={!chosen.size} onClick={() => onPick([...chosen])}>
              Import {chosen.size ? [...chosen][0]!.split(/[\\/]/).pop() : 'the chosen file'}
            </button>
          ) : (
            <button type="button" className="primary" disabled={!listing} onClick={() => listing && onPick([listing.dir])}>
              Choose this folder
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

/** Native dialog where the shell has one, the server-side browser otherwise. */
export function usePickFolder(nativeDialogs: boolean) {
  const api = useApi();
  const [request, setRequest] = useState<{ title: string; start?: string; mode: 'folder' | 'videos' | 'csv'; resolve: (d: string[] | null) => void } | null>(null);
  const pick = async (title: string, start?: string): Promise<string | null> => {
    if (nativeDialogs) return api.call('fs/pickDirectory', { title });
    const picked = await new Promise<string[] | null>((resolve) => setRequest({ title, mode: 'folder', ...(start ? { start } : {}), resolve }));
    return picked?.[0] ?? null;
  };
  const pickVideos = async (title: string): Promise<string[] | null> => {
    if (nativeDialogs) return api.call('fs/pickVideos', { title });
    return new Promise((resolve) => setRequest({ title, mode: 'videos', resolve }));
  };
  /** Browser mode: one .csv file from the server-side browser (Electron picks files with an <input>). */
  const pickCsv = async (title: string): Promise<string | null> => {
    const picked = await new Promise<string[] | null>((resolve) => setRequest({ title, mode: 'csv', resolve }));
    return picked?.[0] ?? null;
  };
  const element = request ? (
    <FolderPicker
      title={request.title}
      mode={request.mode}
      {...(request.start ? { start: request.start } : {})}
      onPick={(d) => {
        request.resolve(d);
        setRequest(null);
      }}
      onCancel={() => {
        request.resolve(null);
        setRequest(null);
      }}
    />
  ) : null;
  return { pick, pickVideos, pickCsv, element };
}
