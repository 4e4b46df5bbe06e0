/** Results calls (studio/api/results.py) through the shared client; the batch CSV comes back as a file. */
import { ApiError, describeError, getCookie, request } from "../api/client";
import type { Checkpoint, EvalSplit, Evaluation, ModelFormats, PredictAnswer } from "../api/types";
import { filenameFromDisposition } from "./format";

function query(values: Record<string, string | number | boolean | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) {
    if (v !== null && v !== undefined && v !== false && v !== "") params.set(k, v === true ? "1" : String(v));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export const resultsApi = {
  evaluation: (runId: number, split: EvalSplit, checkpoint: Checkpoint, opts: { refresh?: boolean; signal?: AbortSignal } = {}) =>
    request<Evaluation>(`/api/runs/${runId}/evaluation/${query({ split, checkpoint })}`, {
      method: opts.refresh ? "POST" : "GET",
      signal: opts.signal,
    }),
  formats: (runId: number, signal?: AbortSignal) => request<ModelFormats>(`/api/runs/${runId}/model/formats/`, { signal }),
  predict: (runId: number, files: File[], k: number, checkpoint: Checkpoint | null, signal?: AbortSignal) => {
    const form = new FormData();
    for (const f of files) form.append("file", f, f.name);
    return request<PredictAnswer>(`/api/runs/${runId}/predict/${query({ k, checkpoint })}`, { method: "POST", body: form, signal });
  },
};

/** The download link of a run's model (the server exports it on first request, then serves the cached file). */
export function modelUrl(runId: number, format: string, checkpoint: Checkpoint | null, optimizer = false): string {
  return `/api/runs/${runId}/model/${query({ format, checkpoint, optimizer })}`;
}

export interface BatchCsv {
  blob: Blob;
  filename: string;
  files: number;
  errors: number;
  /** The first rows, for a preview. */
  text: string;
}

/** POST a zip to predict-batch; the CSV as a Blob with its file name and counts. Errors are ApiErrors. */
export async function predictBatch(runId: number, zip: File, k: number, checkpoint: Checkpoint | null, signal?: AbortSignal): Promise<BatchCsv> {
  const form = new FormData();
  form.append("file", zip, zip.name);
  let res: Response;
  try {
    res = await fetch(`/api/runs/${runId}/predict-batch/${query({ k, checkpoint })}`, {
      method: "POST",
      body: form,
      headers: { "X-CSRFToken": getCookie("csrftoken"), Accept: "text/csv, application/json" },
      credentials: "same-origin",
      signal,
    });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError(describeError(0, null).message, 0, null);
  }
  if (!res.ok) {
    const raw = await res.text();
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      /* not JSON: describeError uses the text */
    }
    const { message, fields } = describeError(res.status, body);
    throw new ApiError(message, res.status, body, fields);
  }
  const blob = await res.blob();
  return {
    blob,
    filename: filenameFromDisposition(res.headers.get("Content-Disposition"), "predictions.csv"),
    files: Number(res.headers.get("X-Files") ?? 0),
    errors: Number(res.headers.get("X-Errors") ?? 0),
    text: await blob.text(),
  };
}
