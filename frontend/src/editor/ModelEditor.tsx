/**
 * The Model tab: palette, canvas, inspector, problems, toolbar and status bar around one
 * project's editor state, plus the keyboard shortcuts and the commands they share with buttons.
 */
import { useReactFlow } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api, downloadText } from "../api/client";
import { layoutGraph } from "../graph/layout";
import { indexReport } from "../graph/report";
import {
  addNode,
  canRedo,
  canUndo,
  copySelection,
  paste,
  redo,
  removeSelection,
  selectAll,
  setPositions,
  setSelection,
  undo,
  type Clipboard,
  type Position,
} from "../graph/store";
import { Canvas } from "./Canvas";
import { Inspector } from "./Inspector";
import { Palette } from "./Palette";
import { StatusBar } from "./StatusBar";
import { Toolbar, type ToolbarActions } from "./Toolbar";
import type { ProjectEditor } from "./useProjectEditor";
import { ValidationPanel } from "./ValidationPanel";
import { openView } from "./view";
import { Alert } from "../components/Alert";

/** Shared across projects for the session, so layers can be copied from one model to another. */
let clipboard: Clipboard | null = null;

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
}

function fileName(name: string, ext: string) {
  return `${name.trim().replace(/[^\w.-]+/g, "_").replace(/^_+|_+$/g, "") || "model"}.${ext}`;
}

export function ModelEditor({ editor }: { editor: ProjectEditor }) {
  const { state, specs, catalog, project, update, validation } = editor;
  const flow = useReactFlow();
  const sizes = useRef<Record<string, { width: number; height: number }>>({});
  const canvasBox = useRef<HTMLDivElement>(null);
  const [hasClip, setHasClip] = useState(clipboard !== null);
  const [notice, setNotice] = useState<string | null>(null);
  const graph = state!.graph;
  const stateRef = useRef(state);
  stateRef.current = state;

  // Re-indexed only when the report or what it refers to changes (not when a layer moves).
  const nodeIds = graph.nodes.map((n) => n.id).join("\n");
  const report = useMemo(() => indexReport(validation.report, graph), [validation.report, graph.edges, nodeIds]);

  const addLayer = useCallback(
    (type: string, at?: Position) => {
      const spec = specs.get(type);
      if (!spec) return;
      update((s) => {
        if (at) return addNode(s, spec, at);
        // From the keyboard: after the single selected layer (connected), else in the middle of the view.
        const sel = s.selection.nodes.length === 1 ? s.graph.nodes.find((n) => n.id === s.selection.nodes[0]) : undefined;
        if (sel?.position && spec.inputs.max > 0) {
          const h = sizes.current[sel.id]?.height ?? 92;
          return addNode(s, spec, { x: sel.position.x, y: sel.position.y + h + 56 }, { connectFrom: sel.id });
        }
        const box = canvasBox.current?.getBoundingClientRect();
        const c = box ? flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
        const jitter = (s.graph.nodes.length % 5) * 24;
        return addNode(s, spec, { x: c.x - 120 + jitter, y: c.y - 46 + jitter });
      });
    },
    [specs, update, flow],
  );

  const centreOn = useCallback(
    (id: string) => {
      update((s) => setSelection(s, { nodes: [id], edges: [] }));
      const n = flow.getNode(id);
      if (!n) return;
      const w = n.measured?.width ?? 240;
      const h = n.measured?.height ?? 92;
      void flow.setCenter(n.position.x + w / 2, n.position.y + h / 2, { zoom: Math.max(flow.getZoom(), 0.9), duration: 300 });
    },
    [flow, update],
  );

  const actions: ToolbarActions = useMemo(
    () => ({
      undo: () => update(undo),
      redo: () => update(redo),
      copy: () => {
        const clip = stateRef.current && copySelection(stateRef.current);
        if (clip) {
          clipboard = clip;
          setHasClip(true);
        }
      },
      paste: () => {
        const clip = clipboard;
        if (!clip) return;
        update((s) => paste(s, clip));
        // The next paste lands a step further, not on top of this one.
        clipboard = {
          ...clip,
          nodes: clip.nodes.map((n) => ({ ...n, position: { x: (n.position?.x ?? 0) + 40, y: (n.position?.y ?? 0) + 40 } })),
        };
      },
      remove: () => update(removeSelection),
      layout: () => {
        update((s) => setPositions(s, layoutGraph(s.graph, sizes.current)));
        requestAnimationFrame(() => requestAnimationFrame(() => openView(flow, canvasBox.current)));
      },
      fitView: () => void flow.fitView({ padding: 0.15, maxZoom: 1, duration: 300 }),
      zoomIn: () => void flow.zoomIn({ duration: 150 }),
      zoomOut: () => void flow.zoomOut({ duration: 150 }),
      exportJson: () => {
        const name = project?.name ?? "model";
        downloadText(fileName(name, "json"), `${JSON.stringify({ ...graph, name }, null, 2)}\n`, "application/json");
      },
      exportPython: async () => {
        if (!project) return;
        setNotice(null);
        const errors = validation.report?.errors.length ?? 0;
        if (validation.report && !validation.report.valid && errors) {
          setNotice(
            `Python export failed: the model is not valid yet. Fix the ${errors} problem${errors > 1 ? "s" : ""} listed under Problems first.`,
          );
          return;
        }
        try {
          if (!(await editor.save())) throw new Error("Save the project first (the last save failed).");
          downloadText(fileName(project.name, "py"), await api.projectCode(project.id), "text/x-python");
        } catch (e) {
          setNotice(`Python export failed: ${(e as Error).message}`);
        }
      },
    }),
    [update, flow, graph, project, editor, validation.report],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === "s") {
        e.preventDefault();
        void editor.save();
        return;
      }
      if (isTyping(e.target) || (e.target as HTMLElement)?.closest?.("dialog")) return;
      if (mod && key === "z" && !e.shiftKey) actions.undo();
      else if (mod && ((key === "z" && e.shiftKey) || key === "y")) actions.redo();
      else if (mod && key === "c") actions.copy();
      else if (mod && key === "x") {
        actions.copy();
        actions.remove();
      } else if (mod && key === "v") actions.paste();
      else if (mod && key === "a") update(selectAll);
      else if (!mod && (e.key === "Delete" || e.key === "Backspace")) actions.remove();
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [actions, update, editor]);

  const onSizes = useCallback((d: Record<string, { width: number; height: number }>) => {
    sizes.current = d;
  }, []);

  const hasSelection = state!.selection.nodes.length + state!.selection.edges.length > 0;

  return (
    <div className="editor">
      <Palette catalog={catalog!} onAdd={(type) => addLayer(type)} />
      <section className="editor-centre" aria-label="Model design">
        <Toolbar
          actions={actions}
          canUndo={canUndo(state!)}
          canRedo={canRedo(state!)}
          hasSelection={hasSelection}
          canPaste={hasClip}
        />
        {notice && (
          <Alert kind="error" className="editor-notice" onDismiss={() => setNotice(null)}>{notice}</Alert>
        )}
        <div className="canvas-box" ref={canvasBox}>
          <Canvas
            state={state!}
            specs={specs}
            report={report}
            update={update}
            onDropLayer={addLayer}
            layoutPending={editor.layoutPending}
            settleLayout={editor.settleLayout}
            onSizes={onSizes}
          />
        </div>
      </section>
      <aside className="editor-side" aria-label="Properties and problems">
        <div className="side-scroll">
          <Inspector state={state!} specs={specs} report={report} update={update} onDelete={actions.remove} />
        </div>
        <ValidationPanel graph={graph} validation={validation} onShow={centreOn} />
      </aside>
      <StatusBar graph={graph} validation={validation} />
    </div>
  );
}
