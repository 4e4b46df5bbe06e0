/** Numbers, durations and names as the training pages show them. Pure. */

/** 42 s, 3 min 05 s, 1 h 02 min (null: "—"). */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m % 60).padStart(2, "0")} min`;
}

/** Short durations with decimals (0.084 s -> "0.084 s", 4.5 s), longer ones as formatDuration. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  if (seconds < 10) return `${Number(seconds.toPrecision(2))} s`;
  return formatDuration(seconds);
}

/** A clock for elapsed time: 0:07, 12:30, 1:02:03. */
export function formatClock(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** A metric value: 4 significant digits, small values in exponent form (null: "—"). */
export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs < 1e-3 || abs >= 1e6) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

/** An accuracy as a percentage with one decimal (0.8125 -> 81.3%). */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${(value * 100).toFixed(1)}%`;
}

/** A metric the way people read it: accuracies as percentages, the rest as numbers. */
export function formatMetricFor(metric: string, value: number | null | undefined): string {
  return /accuracy$/.test(metric) ? formatPercent(value) : formatMetric(value);
}

const METRIC_LABELS: Record<string, string> = {
  loss: "Loss",
  accuracy: "Accuracy",
  top_5_accuracy: "Top-5 accuracy",
  learning_rate: "Learning rate",
};

/** "val_accuracy" -> "Validation accuracy", "test_loss" -> "Test loss". */
export function metricLabel(key: string): string {
  for (const [prefix, word] of [["val_", "Validation"], ["test_", "Test"]] as const) {
    if (key.startsWith(prefix)) return `${word} ${metricLabel(key.slice(prefix.length)).toLowerCase()}`;
  }
  return METRIC_LABELS[key] ?? key.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

/** 1234567 -> "1.23 M", 2048 -> "2,048". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  if (Math.abs(n) >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  return n.toLocaleString("en-US");
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(0)} MB`;
  return `${Math.round(n / 1024)} KB`;
}

/** Seconds between two ISO times (null when either is missing). */
export function secondsBetween(start: string | null | undefined, end: string | null | undefined): number | null {
  if (!start || !end) return null;
  const s = Date.parse(start);
  const e = Date.parse(end);
  return Number.isFinite(s) && Number.isFinite(e) ? Math.max(0, (e - s) / 1000) : null;
}

/** "14:05" today, else "3 Mar 14:05". */
export function formatWhen(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  const time = d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  if (d.toDateString() === now.toDateString()) return time;
  return `${d.toLocaleDateString("en-GB", { day: "numeric", month: "short" })} ${time}`;
}

export const STATUS_LABELS: Record<string, string> = {
  queued: "Queued",
  running: "Training",
  stopping: "Stopping",
  succeeded: "Succeeded",
  failed: "Failed",
  stopped: "Stopped",
};
