/** Run calls (docs/internal-contracts.md "Runs API") through the shared client. */
import { request } from "../api/client";
import type { PreflightResult, Run, RunMessage } from "../api/types";

export interface RunRequest {
  project: number;
  dataset: number;
  name?: string;
  hyperparameters: Record<string, unknown>;
  /** Idempotency key: a repeated POST with it answers the run the first one created. */
  request_id?: string;
}

export const runsApi = {
  list: (projectId: number | string, signal?: AbortSignal) =>
    request<Run[] | { results: Run[] }>(`/api/runs/?project=${projectId}`, { signal }).then((d) => (Array.isArray(d) ? d : d.results)),
  get: (id: number | string, signal?: AbortSignal) => request<Run>(`/api/runs/${id}/`, { signal }),
  create: (body: RunRequest) => request<Run>("/api/runs/", { method: "POST", body }),
  preflight: (body: RunRequest, signal?: AbortSignal) =>
    request<PreflightResult>("/api/runs/preflight/", { method: "POST", body, signal }),
  stop: (id: number | string) => request<Run>(`/api/runs/${id}/stop/`, { method: "POST" }),
  metrics: (id: number | string, after: number, limit = 5000, signal?: AbortSignal) =>
    request<RunMessage[]>(`/api/runs/${id}/metrics/?after=${after}&limit=${limit}`, { signal }),
};

/** Every stored message of a run (page after page). */
export async function allMetrics(id: number | string, signal?: AbortSignal): Promise<RunMessage[]> {
  const out: RunMessage[] = [];
  for (;;) {
    const page = await runsApi.metrics(id, out.length ? out[out.length - 1].seq : 0, 5000, signal);
    out.push(...page);
    if (page.length < 5000) return out;
  }
}

/** A fresh idempotency key for one press of Train. */
export function newRequestId(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
