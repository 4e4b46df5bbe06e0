/** Numbers, colours and names as the Results and Inference tabs show them. Pure. */
import type { EvalSplit, Run } from "../api/types";

/** 0.8125 -> "81.3%" (null: "—"). */
export function percent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${(value * 100).toFixed(digits)}%`;
}

/** A metric with 3 decimals, or "—". */
export function decimal(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return value.toFixed(digits);
}

/** 1536 -> "1.5 KB", 3.2e6 -> "3.2 MB". */
export function fileSize(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "—";
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** Each cell's share of its row (the true class): 0..1, rows without samples all 0. */
export function rowShares(matrix: number[][]): number[][] {
  return matrix.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total ? v / total : 0));
  });
}

const LOW = [247, 251, 255];
const HIGH = [8, 48, 107];

/** The heat-map colour of a share (the same scale as the server's PNG), and a text colour that reads on it. */
export function heat(share: number): { background: string; color: string } {
  const s = Math.min(1, Math.max(0, share));
  const [r, g, b] = LOW.map((lo, i) => Math.round(lo + (HIGH[i] - lo) * s));
  return { background: `rgb(${r}, ${g}, ${b})`, color: s > 0.5 ? "#fff" : "#1b2430" };
}

/** The file name of a Content-Disposition header (filename*= or filename=), else the fallback. */
export function filenameFromDisposition(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ""));
    } catch {
      /* fall through to filename= */
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/i.exec(header);
  const name = plain ? (plain[1] ?? plain[2] ?? "").trim() : "";
  return name || fallback;
}

/** Runs whose results can be read: finished with weights (succeeded, or stopped after an epoch). */
export function finishedRuns(runs: Run[]): Run[] {
  return runs.filter((r) => r.status === "succeeded" || (r.status === "stopped" && r.epoch > 0));
}

/** The run to show: the requested one when it is in the list, else the newest. */
export function pickRun(runs: Run[], requested: number | null): Run | null {
  return runs.find((r) => r.id === requested) ?? runs[0] ?? null;
}

/** CSV text to rows (quoted cells with commas, doubled quotes, and newlines inside quotes). */
export function parseCsv(text: string, limit = Infinity): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < limit; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if ((cell || row.length) && rows.length < limit) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** The split to open first: test, unless the run held none out for testing. */
export function defaultSplit(run: Run): EvalSplit {
  const split = run.hyperparameters?.split;
  return typeof split === "object" && split && split.test === 0 ? "validation" : "test";
}
