/**
 * Dataset calls: JSON through the shared client, and the upload through XMLHttpRequest, the one
 * browser API that reports upload progress (fetch has no upload progress events).
 */
import { ApiError, describeError, getCookie, request } from "../api/client";
import type { Dataset, DatasetImage, DatasetSummary, DemoInfo, Page, SplitAnswer, SplitName, SplitSpec } from "../api/types";

export const datasetsApi = {
  list: () => request<DatasetSummary[] | { results: DatasetSummary[] }>("/api/datasets/").then((d) => (Array.isArray(d) ? d : d.results)),
  get: (id: number | string, signal?: AbortSignal) => request<Dataset>(`/api/datasets/${id}/`, { signal }),
  rename: (id: number | string, name: string) => request<Dataset>(`/api/datasets/${id}/`, { method: "PATCH", body: { name } }),
  remove: (id: number | string) => request<null>(`/api/datasets/${id}/`, { method: "DELETE" }),
  images: (
    id: number | string,
    q: { className?: string | null; split?: SplitName | null; page?: number; pageSize?: number },
    signal?: AbortSignal,
  ) => {
    const params = new URLSearchParams();
    if (q.className) params.set("class", q.className);
    if (q.split) params.set("split", q.split);
    params.set("page", String(q.page ?? 1));
    if (q.pageSize) params.set("page_size", String(q.pageSize));
    return request<Page<DatasetImage>>(`/api/datasets/${id}/images/?${params}`, { signal });
  },
  previewSplit: (id: number | string, split: SplitSpec, signal?: AbortSignal) =>
    request<SplitAnswer>(`/api/datasets/${id}/split/`, { method: "POST", body: { ...split, preview: true }, signal }),
  saveSplit: (id: number | string, split: SplitSpec) =>
    request<SplitAnswer>(`/api/datasets/${id}/split/`, { method: "PUT", body: split }),
  demo: () => request<DemoInfo>("/api/datasets/demo/"),
  addDemo: () => request<Dataset>("/api/datasets/demo/", { method: "POST" }),
};

export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface UploadHandle {
  promise: Promise<Dataset>;
  abort: () => void;
}

/** What a failed XMLHttpRequest answer says, as an ApiError (the server's detail where it sent one). */
export function xhrError(status: number, responseText: string, contentType: string): ApiError {
  let body: unknown = responseText;
  if (contentType.includes("json") && responseText) {
    try {
      body = JSON.parse(responseText);
    } catch {
      body = responseText;
    }
  }
  const { message, fields } = describeError(status, body);
  return new ApiError(message, status, body, fields);
}

/**
 * POST /api/datasets/ as multipart (`file`, and `name` when given), reporting upload progress.
 * Rejects with an ApiError carrying the server's message (400 bad archive, 413 too large, ...),
 * or with an Error named AbortError after abort().
 */
export function uploadDataset(file: File, name: string, onProgress: (p: UploadProgress) => void): UploadHandle {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<Dataset>((resolve, reject) => {
    const form = new FormData();
    form.append("file", file, file.name);
    if (name.trim()) form.append("name", name.trim());
    xhr.open("POST", "/api/datasets/");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", getCookie("csrftoken"));
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.upload.onload = () => onProgress({ loaded: file.size, total: file.size });
    xhr.onload = () => {
      const type = xhr.getResponseHeader("Content-Type") ?? "";
      if (xhr.status === 201 || xhr.status === 200) {
        try {
          resolve(JSON.parse(xhr.responseText) as Dataset);
        } catch {
          reject(new ApiError("The server's answer could not be read. Reload the page to see whether the dataset was added.", xhr.status, xhr.responseText));
        }
      } else {
        reject(xhrError(xhr.status, xhr.responseText, type));
      }
    };
    xhr.onerror = () =>
      reject(
        new ApiError(
          "The upload was cut off before the server answered. The file may be over the server's size limit, " +
            "or the connection dropped; check the file and try again.",
          0,
          null,
        ),
      );
    xhr.onabort = () => {
      const err = new Error("Upload cancelled.");
      err.name = "AbortError";
      reject(err);
    };
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
