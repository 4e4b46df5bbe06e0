/**
 * The one place that talks to the server: fetch with the session cookie and Django's CSRF token,
 * JSON in and out, and every failure turned into an ApiError whose message a person can act on
 * (the server's `detail`, else its field errors, else the HTTP status).
 */
import type { Catalog, Graph, Project, ProjectSummary, ProjectTemplate, Report } from "./types";

export class ApiError extends Error {
  status: number;
  body: unknown;
  /** Field name -> message, from DRF-style error bodies. */
  fields: Record<string, string>;

  constructor(message: string, status: number, body: unknown, fields: Record<string, string> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
    this.fields = fields;
  }
}

export function getCookie(name: string, cookies: string = typeof document === "undefined" ? "" : document.cookie): string {
  for (const part of cookies.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return "";
}

function firstMessage(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const m = firstMessage(v);
      if (m) return m;
    }
  }
  if (value && typeof value === "object" && "message" in value && typeof value.message === "string") return value.message;
  return null;
}

/** Turn an error response body into a message and per-field messages. */
export function describeError(status: number, body: unknown): { message: string; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  let message: string | null = null;
  if (body && typeof body === "object" && !Array.isArray(body)) {
    for (const [k, v] of Object.entries(body)) {
      if (k === "detail" || k === "errors") continue;
      const m = firstMessage(v);
      if (m) fields[k] = m;
    }
    const b = body as Record<string, unknown>;
    message = firstMessage(b.detail) ?? firstMessage(b.errors) ?? firstMessage(b.non_field_errors);
    if (!message && Object.keys(fields).length) {
      const [k, m] = Object.entries(fields)[0];
      message = `${k}: ${m}`;
    }
  } else if (typeof body === "string" && body.trim() && body.length < 300 && !body.trim().startsWith("<")) {
    message = body.trim();
  }
  if (!message) {
    if (status === 0) message = "The server cannot be reached. Check your connection and try again.";
    else if (status === 401 || status === 403) message = "You are signed out or not allowed to do this. Sign in again.";
    else if (status === 404) message = "Not found: it may have been deleted.";
    else if (status >= 500) message = `The server failed (HTTP ${status}). Try again; if it persists, check the server log.`;
    else message = `Request failed (HTTP ${status}).`;
  }
  return { message, fields };
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  /** Expect text (e.g. the Python export) instead of JSON. */
  text?: boolean;
}

export async function request<T>(url: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? "GET";
  const headers: Record<string, string> = { Accept: opts.text ? "text/plain, */*" : "application/json" };
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData) {
    body = opts.body;
  } else if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  if (method !== "GET" && method !== "HEAD") headers["X-CSRFToken"] = getCookie("csrftoken");
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body, credentials: "same-origin", signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError(describeError(0, null).message, 0, null);
  }
  const type = res.headers.get("Content-Type") ?? "";
  const raw = await res.text();
  let parsed: unknown = raw;
  if (type.includes("json") && raw) {
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = raw;
    }
  }
  if (!res.ok) {
    const { message, fields } = describeError(res.status, parsed);
    throw new ApiError(message, res.status, parsed, fields);
  }
  if (opts.text) return raw as T;
  return (raw ? parsed : null) as T;
}

export const api = {
  layers: () => request<Catalog>("/api/layers/"),
  validate: (graph: Graph, signal?: AbortSignal) =>
    request<Report>("/api/graphs/validate/", { method: "POST", body: graph, signal }),
  importModel: (file: File) => {
    const form = new FormData();
    form.append("file", file);
    return request<{ graph: Graph; validation?: Report }>("/api/graphs/import/", { method: "POST", body: form });
  },
  projects: () => request<ProjectSummary[] | { results: ProjectSummary[] }>("/api/projects/").then(unpage),
  project: (id: number | string) => request<Project>(`/api/projects/${id}/`),
  templates: () => request<ProjectTemplate[]>("/api/projects/templates/"),
  createProject: (body: { name: string; graph?: Graph; template?: string }) =>
    request<Project>("/api/projects/", { method: "POST", body }),
  saveProject: (id: number | string, body: { name: string; graph: Graph }) =>
    request<Project>(`/api/projects/${id}/`, { method: "PUT", body }),
  renameProject: (id: number | string, name: string) =>
    request<Project>(`/api/projects/${id}/`, { method: "PATCH", body: { name } }),
  duplicateProject: (id: number | string) => request<Project>(`/api/projects/${id}/duplicate/`, { method: "POST" }),
  deleteProject: (id: number | string) => request<null>(`/api/projects/${id}/`, { method: "DELETE" }),
  projectCode: (id: number | string) => request<string>(`/api/projects/${id}/code/`, { text: true }),
};

function unpage<T>(data: T[] | { results: T[] }): T[] {
  return Array.isArray(data) ? data : data.results;
}

/** Offer data as a file download. */
export function downloadText(filename: string, text: string, type = "text/plain") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
