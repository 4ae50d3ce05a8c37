// The coding views' toolbar: undo, redo, the landmark overlay and the shortcuts dialog, the same
// controls with the same keys in Label and Review.
import type { ReactNode } from 'react';
import { Icon } from './Icons';
import type { Edit, LabelEditor } from './labelEditor';

export function EditActions(props: {
  editor: Pick<LabelEditor, 'canUndo' | 'canRedo' | 'undo' | 'redo'>;
  /** Where an undo or redo lands: the view moves to the frame and says what changed. */
  onReplay: (edits: Edit[] | null, verb: 'Undo' | 'Redo', dir: 'before' | 'after') => void;
  overlay: boolean;
  onOverlay: (on: boolean) => void;
  onHelp: () => void;
  /** Shown before the buttons (Label's save state). */
  children?: ReactNode;
}) {
  const { editor, onReplay, overlay } = props;
  return (
    <div className="lv-actions">
      {props.children}
      <button type="button" className="icon" aria-label="Undo (Ctrl+Z)" title="Undo (Ctrl+Z)" disabled={!editor.canUndo} onClick={() => onReplay(editor.undo(), 'Undo', 'before')}>
        <Icon name="undo" />
      </button>
      <button type="button" className="icon" aria-label="Redo (Ctrl+Shift+Z)" title="Redo (Ctrl+Shift+Z)" disabled={!editor.canRedo} onClick={() => onReplay(editor.redo(), 'Redo', 'after')}>
        <Icon name="redo" />
      </button>
      <button type="button" aria-pressed={overlay} onClick={() => props.onOverlay(!overlay)} title="Show the face box and the 68 landmarks over the frame">
        Landmarks
      </button>
      <button type="button" aria-label="Keyboard shortcuts (?)" title="Keyboard shortcuts (?)" onClick={props.onHelp}>
        ?
      </button>
    </div>
  );
}
