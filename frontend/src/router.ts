/**
 * A tiny history-based router: the Django shell page serves every app URL, and this module maps
 * the path to a page. Navigation can be held back by a guard (the editor's unsaved changes).
 */
import { useEffect, useState } from "react";

export const TABS = ["data", "model", "hyperparameters", "training", "results", "inference"] as const;
export type Tab = (typeof TABS)[number];

export type Route =
  | { name: "projects" }
  | { name: "project"; id: string; tab: Tab }
  | { name: "datasets" }
  | { name: "dataset"; id: string }
  | { name: "notfound"; path: string };

export function parseRoute(path: string): Route {
  const parts = path.split("/").filter(Boolean);
  if (parts.length === 0) return { name: "projects" };
  if (parts[0] === "projects" && parts.length === 1) return { name: "projects" };
  if (parts[0] === "projects" && /^\d+$/.test(parts[1] ?? "") && parts.length <= 3) {
    const tab = (parts[2] ?? "model") as Tab;
    if (TABS.includes(tab)) return { name: "project", id: parts[1], tab };
  }
  if (parts[0] === "datasets" && parts.length === 1) return { name: "datasets" };
  if (parts[0] === "datasets" && parts.length === 2 && /^\d+$/.test(parts[1])) return { name: "dataset", id: parts[1] };
  return { name: "notfound", path };
}

export const projectUrl = (id: number | string, tab: Tab = "model") => `/projects/${id}/${tab}/`;

/** Asked with the path about to be opened; returns false to stay. */
type Guard = (path: string) => boolean;
let guard: Guard | null = null;
const EVENT = "studio:navigate";

/** Install (or remove, with null) the function asked before every in-app navigation. */
export function setNavigationGuard(fn: Guard | null) {
  guard = fn;
}

export function navigate(path: string, { replace = false } = {}) {
  if (path === window.location.pathname + window.location.search) return;
  if (guard && !guard(path)) return;
  if (replace) window.history.replaceState(null, "", path);
  else window.history.pushState(null, "", path);
  window.dispatchEvent(new Event(EVENT));
}

export function useRoute(): Route {
  const [path, setPath] = useState(() => window.location.pathname);
  useEffect(() => {
    const update = () => setPath(window.location.pathname);
    window.addEventListener("popstate", update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return parseRoute(path);
}

/** Click handler for in-app links: plain clicks navigate in place, modified clicks behave normally. */
export function linkClick(e: React.MouseEvent<HTMLAnchorElement>) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(e.currentTarget.getAttribute("href") ?? "/");
}
