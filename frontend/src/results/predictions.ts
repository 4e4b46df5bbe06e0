/**
 * The Inference tab's images as a pure list: each dropped file with its preview URL and its answer.
 * Files are sent in chunks (the server takes at most 32 images per request).
 */
import type { ClassProbability, PredictResult } from "../api/types";

export const CHUNK = 16;

export interface Item {
  key: string;
  file: File;
  /** An object URL for the preview (revoked when the item is removed). */
  url: string;
  status: "pending" | "done" | "error";
  predictions: ClassProbability[];
  error: string | null;
}

let counter = 0;

export function newItems(files: File[], makeUrl: (f: File) => string): Item[] {
  return files.map((file) => ({
    key: `${Date.now().toString(36)}-${(counter += 1)}`,
    file,
    url: makeUrl(file),
    status: "pending",
    predictions: [],
    error: null,
  }));
}

/** Split a list into chunks of at most `size`. */
export function chunks<T>(list: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Apply the server's answers (in the order the files were sent) to those items; others are unchanged. */
export function applyResults(items: Item[], sent: string[], results: PredictResult[]): Item[] {
  const byKey = new Map(sent.map((key, i) => [key, results[i]]));
  return items.map((item) => {
    const r = byKey.get(item.key);
    if (!r) return item;
    if (r.error) return { ...item, status: "error", predictions: [], error: r.error };
    return { ...item, status: "done", predictions: r.predictions ?? [], error: null };
  });
}

/** Mark the sent items failed with one message (the request as a whole failed). */
export function failItems(items: Item[], sent: string[], message: string): Item[] {
  const keys = new Set(sent);
  return items.map((item) => (keys.has(item.key) ? { ...item, status: "error", predictions: [], error: message } : item));
}
