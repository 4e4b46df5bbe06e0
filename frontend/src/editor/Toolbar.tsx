/** Buttons above the canvas: history, clipboard, layout and view, export. */
import { Icon, type IconName } from "../components/Icon";
import type { SaveStatus } from "./useProjectEditor";

export interface ToolbarActions {
  undo: () => void;
  redo: () => void;
  copy: () => void;
  paste: () => void;
  remove: () => void;
  layout: () => void;
  fitView: () => void;
  zoomIn: () => void;
  zoomOut: () => void;
  exportJson: () => void;
  exportPython: () => void;
}

interface Props {
  actions: ToolbarActions;
  canUndo: boolean;
  canRedo: boolean;
  hasSelection: boolean;
  canPaste: boolean;
}

function Tool({ label, icon, onClick, disabled, text }: { label: string; icon: IconName; onClick: () => void; disabled?: boolean; text?: string }) {
  return (
    <button type="button" className={`tool${text ? " tool-text" : ""}`} onClick={onClick} disabled={disabled} aria-label={label} title={label}>
      <Icon name={icon} />
      {text && <span>{text}</span>}
    </button>
  );
}

export function SaveIndicator({ status }: { status: SaveStatus }) {
  const text =
    status.kind === "saved"
      ? "Saved"
      : status.kind === "saving"
        ? "Saving…"
        : status.kind === "dirty"
          ? "Unsaved changes"
          : `Save failed: ${status.message}`;
  return (
    <span className={`save-status save-${status.kind}`} role="status" aria-live="polite" title={text} data-testid="save-status">
      <span className="dot" aria-hidden="true" />
      <span className="save-text">{text}</span>
    </span>
  );
}

export function Toolbar({ actions: a, canUndo, canRedo, hasSelection, canPaste }: Props) {
  return (
    <div className="toolbar" role="toolbar" aria-label="Model tools">
      <div className="tool-group">
        <Tool label="Undo (Ctrl+Z)" icon="undo" onClick={a.undo} disabled={!canUndo} />
        <Tool label="Redo (Ctrl+Shift+Z)" icon="redo" onClick={a.redo} disabled={!canRedo} />
      </div>
      <div className="tool-group">
        <Tool label="Copy (Ctrl+C)" icon="copy" onClick={a.copy} disabled={!hasSelection} />
        <Tool label="Paste (Ctrl+V)" icon="paste" onClick={a.paste} disabled={!canPaste} />
        <Tool label="Delete selection (Delete)" icon="trash" onClick={a.remove} disabled={!hasSelection} />
      </div>
      <div className="tool-group">
        <Tool label="Auto-layout: arrange layers top to bottom" icon="layout" onClick={a.layout} text="Auto-layout" />
        <Tool label="Fit the model in view" icon="fit" onClick={a.fitView} />
        <Tool label="Zoom in" icon="zoomIn" onClick={a.zoomIn} />
        <Tool label="Zoom out" icon="zoomOut" onClick={a.zoomOut} />
      </div>
      <div className="tool-spacer" />
      <div className="tool-group">
        <Tool label="Export the graph as JSON" icon="download" onClick={a.exportJson} text="JSON" />
        <Tool label="Export a Keras Python script" icon="download" onClick={a.exportPython} text="Python" />
      </div>
    </div>
  );
}
