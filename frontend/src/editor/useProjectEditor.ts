/**
 * The model editor's live state for one project: loading the project and the layer catalog, the
 * pure editor store, debounced validation (~300 ms after the last structural edit, stale answers
 * dropped), and saving (explicit and automatic, with a status a person can read).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../api/client";
import type { Catalog, Graph, LayerSpec, Project, Report } from "../api/types";
import { layoutGraph } from "../graph/layout";
import { createEditor, needsLayout, setPositions, resetHistory, type EditorState } from "../graph/store";
import { setNavigationGuard } from "../router";

export const VALIDATE_DELAY_MS = 300;
export const AUTOSAVE_DELAY_MS = 1500;

export type SaveStatus =
  | { kind: "saved" }
  | { kind: "dirty" }
  | { kind: "saving" }
  | { kind: "error"; message: string };

export interface ValidationStatus {
  report: Report | null;
  checking: boolean;
  error: string | null;
}

/** What decides validity: everything but node positions. */
export function structureKey(graph: Graph): string {
  return JSON.stringify({
    nodes: graph.nodes.map((n) => [n.id, n.type, n.params]),
    edges: graph.edges,
  });
}

export function useProjectEditor(projectId: string) {
  const [project, setProject] = useState<Project | null>(null);
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [state, setState] = useState<EditorState | null>(null);
  const [savedGraph, setSavedGraph] = useState<Graph | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [validation, setValidation] = useState<ValidationStatus>({ report: null, checking: false, error: null });
  const [layoutPending, setLayoutPending] = useState(false);

  const stateRef = useRef(state);
  stateRef.current = state;
  const projectRef = useRef(project);
  projectRef.current = project;
  const savedRef = useRef(savedGraph);
  savedRef.current = savedGraph;
  const savingRef = useRef<Promise<boolean> | null>(null);

  const specs = useMemo(() => new Map<string, LayerSpec>((catalog?.layers ?? []).map((l) => [l.type, l])), [catalog]);

  // ---- load
  useEffect(() => {
    let live = true;
    Promise.all([
      api.project(projectId),
      api.layers().catch((e: Error) => {
        throw new Error(`The layer catalog could not be loaded: ${e.message}`);
      }),
    ])
      .then(([p, cat]) => {
        if (!live) return;
        let s = createEditor(p.graph);
        const pending = needsLayout(s.graph);
        if (pending) s = resetHistory({ ...setPositions(s, layoutGraph(s.graph)), revision: 0 });
        setCatalog(cat);
        setProject(p);
        setState(s);
        setSavedGraph(s.graph);
        setLayoutPending(pending);
        if (p.validation) setValidation({ report: p.validation, checking: false, error: null });
      })
      .catch((e: Error) => live && setLoadError(e.message));
    return () => {
      live = false;
    };
  }, [projectId]);

  const update = useCallback((fn: (s: EditorState) => EditorState) => {
    setState((s) => (s ? fn(s) : s));
  }, []);

  /** Replace node positions without an undo step (the first layout after nodes are measured). */
  const settleLayout = useCallback((positions: Record<string, { x: number; y: number }>) => {
    setLayoutPending(false);
    const s = stateRef.current;
    if (!s) return;
    const next = { ...setPositions(s, positions), past: s.past, future: s.future, revision: s.revision };
    setState(next);
    if (savedRef.current === s.graph) setSavedGraph(next.graph);
  }, []);

  // ---- validation
  const key = useMemo(() => (state ? structureKey(state.graph) : null), [state?.graph]);
  useEffect(() => {
    if (key === null) return;
    const graph = stateRef.current!.graph;
    const ctrl = new AbortController();
    setValidation((v) => ({ ...v, checking: true }));
    const timer = setTimeout(() => {
      api
        .validate(graph, ctrl.signal)
        .then((report) => setValidation({ report, checking: false, error: null }))
        .catch((e: Error) => {
          if (e.name !== "AbortError") setValidation((v) => ({ ...v, checking: false, error: e.message }));
        });
    }, VALIDATE_DELAY_MS);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [key]);

  // ---- saving
  const dirty = !!state && state.graph !== savedGraph;

  const save = useCallback(async (): Promise<boolean> => {
    if (savingRef.current) await savingRef.current;
    const s = stateRef.current;
    const p = projectRef.current;
    if (!s || !p) return false;
    if (s.graph === savedRef.current) return true;
    const graph = s.graph;
    const run = (async () => {
      setSaving(true);
      try {
        const saved = await api.saveProject(p.id, { name: p.name, graph: { ...graph, name: p.name } });
        setProject((old) => (old ? { ...old, updated: saved.updated } : old));
        setSavedGraph(graph);
        savedRef.current = graph;
        setSaveError(null);
        return true;
      } catch (e) {
        setSaveError((e as Error).message);
        return false;
      } finally {
        setSaving(false);
        savingRef.current = null;
      }
    })();
    savingRef.current = run;
    return run;
  }, []);

  useEffect(() => {
    if (!dirty) return;
    const timer = setTimeout(() => void save(), AUTOSAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [dirty, state?.graph, save]);

  useEffect(() => {
    if (!dirty && !saving) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    setNavigationGuard((path) => {
      if (path.startsWith(`/projects/${projectId}/`)) return true;
      return window.confirm("This project has unsaved changes. Leave without saving?");
    });
    return () => {
      window.removeEventListener("beforeunload", warn);
      setNavigationGuard(null);
    };
  }, [dirty, saving, projectId]);

  const rename = useCallback(async (name: string) => {
    const p = projectRef.current;
    if (!p) return;
    const renamed = await api.renameProject(p.id, name);
    setProject((old) => (old ? { ...old, name: renamed.name, updated: renamed.updated } : old));
  }, []);

  const saveStatus: SaveStatus = saving
    ? { kind: "saving" }
    : saveError && dirty
      ? { kind: "error", message: saveError }
      : dirty
        ? { kind: "dirty" }
        : { kind: "saved" };

  return {
    project,
    catalog,
    specs,
    loadError,
    state,
    update,
    validation,
    save,
    saveStatus,
    dirty,
    rename,
    layoutPending,
    settleLayout,
  };
}

export type ProjectEditor = ReturnType<typeof useProjectEditor>;
