import { memo, useEffect, useRef } from 'react';
import { auColumn, auInfo } from '@shared/aus';
import { LEVEL_NAMES, LEVELS, type Unsaved } from '../../components/labelEditor';

interface Props {
  aus: readonly number[];
  /** au → intensity on the current frame, for the current annotator. */
  values: ReadonlyMap<number, number>;
  /** au → the value shown but not saved, and why (a full disk). */
  unsaved: ReadonlyMap<number, Unsaved>;
  version: number;
  chosen: number;
  frame: number;
  onChoose: (index: number) => void;
  onSet: (au: number, value: number | null) => void;
  onRetry: () => void;
}

/** One row per project AU: FACS name, one-line description, and the 0 A B C D E buttons. */
function AuPanelImpl({ aus, values, unsaved, chosen, frame, onChoose, onSet, onRetry }: Props) {
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    list.current?.children[chosen]?.scrollIntoView({ block: 'nearest' });
  }, [chosen]);
  const coded = aus.filter((au) => values.has(au)).length;
  return (
    <section className="au-panel panel" aria-labelledby="au-panel-title">
      <div className="au-panel-head">
        <h2 id="au-panel-title">Action units</h2>
        <span className={coded === aus.length ? 'chip ok' : 'chip'} aria-label={`${coded} of ${aus.length} action units coded on frame ${frame}`}>
          {coded}/{aus.length} coded
        </span>
      </div>
      <ol ref={list} className="au-list" aria-label="Action unit intensities">
        {aus.map((au, i) => {
          const info = auInfo(au);
          const value = values.get(au);
          const code = auColumn(au);
          const failed = unsaved.get(au);
          return (
            <li
              key={au}
              className={`au-row${i === chosen ? ' chosen' : ''}${failed ? ' unsaved' : ''}`}
              aria-current={i === chosen ? 'true' : undefined}
              data-au={au}
              data-unsaved={failed ? 'true' : undefined}
            >
              <button type="button" className="au-head" aria-label={`Choose ${code} ${info.name}`} onClick={() => onChoose(i)} title={info.description}>
                <span className="au-code">{code}</span>
                <span className="au-name">{info.name}</span>
                <span className="au-desc">{info.description}</span>
              </button>
              <div className="levels" role="group" aria-label={`${code} intensity`}>
                {LEVELS.map((l, v) => (
                  <button
                    key={l}
                    type="button"
                    className={`level level-${v}`}
                    aria-pressed={value === v}
                    aria-label={`${code} intensity ${l}`}
                    title={`${code} ${info.name}: ${l}${v ? ` (${v}, ${LEVEL_NAMES[v]})` : ' (absent)'} · key ${v}`}
                    onClick={() => {
                      onChoose(i);
                      onSet(au, value === v ? null : v);
                    }}
                  >
                    <span className="level-letter">{l}</span>
                    {v > 0 && <span className="level-digit" aria-hidden="true">{v}</span>}
                  </button>
                ))}
              </div>
              {failed && (
                <p className="au-unsaved small" role="alert">
                  Not saved: {failed.message}{' '}
                  <button type="button" className="ghost small" onClick={onRetry}>
                    Retry
                  </button>
                </p>
              )}
            </li>
          );
        })}
      </ol>
      <p className="muted small au-hint">
        <kbd>↑</kbd>
        <kbd>↓</kbd> choose · <kbd>0</kbd>–<kbd>5</kbd> set, then next AU · <kbd>?</kbd> all keys
      </p>
    </section>
  );
}

export const AuPanel = memo(AuPanelImpl);
