/**
 * Comparing runs, pure: their settings side by side with the differences marked, their best and
 * final metrics with the best run marked, and their per-epoch curves aligned on one epoch axis.
 */
import type { Run, RunHyperparameters } from "../api/types";
import { formatMetricFor, metricLabel } from "./format";
import { higherIsBetter, type EpochRow } from "./runStore";

export interface CompareRow {
  key: string;
  label: string;
  values: string[];
  /** Not every run has the same value. */
  differs: boolean;
}

const HP_LABELS: Record<string, string> = {
  dataset: "Dataset",
  epochs: "Epochs",
  batch_size: "Batch size",
  optimizer: "Optimizer",
  learning_rate: "Learning rate",
  momentum: "Momentum",
  weight_decay: "Weight decay",
  lr_schedule: "Schedule",
  lr_step_epochs: "Step every (epochs)",
  lr_decay_factor: "Decay factor",
  lr_patience: "Plateau patience",
  loss: "Loss",
  metrics: "Metrics",
  early_stopping: "Early stopping",
  augmentation: "Augmentation",
  mixed_precision: "Mixed precision",
  seed: "Seed",
  cache_frozen: "Cache frozen prefix",
  split: "Split",
  keep: "Kept weights",
  initial_run: "Started from run",
  class_weight: "Class weights",
};

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "on" : "off";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "—";
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length ? entries.map(([k, v]) => `${k} ${show(v)}`).join(", ") : "none";
  }
  return String(value);
}

/** Settings that only matter with others (momentum with SGD/RMSprop, ...) show "—" when they do not apply. */
function applicable(hp: RunHyperparameters, key: string): boolean {
  switch (key) {
    case "momentum":
      return hp.optimizer === "sgd" || hp.optimizer === "rmsprop";
    case "weight_decay":
      return hp.optimizer === "adamw";
    case "lr_step_epochs":
      return hp.lr_schedule === "step";
    case "lr_decay_factor":
      return hp.lr_schedule === "step" || hp.lr_schedule === "reduce_on_plateau";
    case "lr_patience":
      return hp.lr_schedule === "reduce_on_plateau";
    default:
      return true;
  }
}

/** One row per setting (in the server's order), with the runs' values and whether they differ. */
export function hyperparameterRows(runs: Pick<Run, "hyperparameters" | "dataset">[], datasetName?: (id: number | null) => string): CompareRow[] {
  const keys = Object.keys(HP_LABELS);
  const rows: CompareRow[] = [];
  for (const key of keys) {
    const values = runs.map((r) => {
      if (key === "dataset") return datasetName ? datasetName(r.dataset) : show(r.dataset);
      const hp = r.hyperparameters as unknown as Record<string, unknown>;
      if (!(key in hp) || !applicable(r.hyperparameters, key)) return "—";
      if (hp[key] === null && (key === "early_stopping" || key === "class_weight")) return "off";
      return show(hp[key]);
    });
    if (values.every((v) => v === "—")) continue;
    rows.push({ key, label: HP_LABELS[key], values, differs: new Set(values).size > 1 });
  }
  return rows;
}

export interface MetricRow {
  key: string;
  label: string;
  values: (number | null)[];
  shown: string[];
  /** Index of the best run for this metric (null when fewer than two runs have a value). */
  bestIndex: number | null;
}

/** Best-over-epochs and final (test) metrics, one row each, the best run marked. */
export function metricRows(runs: Pick<Run, "best" | "final">[]): MetricRow[] {
  const keys: string[] = [];
  const add = (k: string) => !keys.includes(k) && keys.push(k);
  for (const r of runs) for (const [k, v] of Object.entries(r.best ?? {})) if (k !== "epoch" && k !== "monitor" && (typeof v === "number" || v === null)) add(k);
  const finals: string[] = [];
  for (const r of runs) for (const k of Object.keys(r.final ?? {})) if (k.startsWith("test_") && !finals.includes(k)) finals.push(k);
  const order = (k: string) => (k.startsWith("val_") ? 0 : 1);
  keys.sort((a, b) => order(a) - order(b) || (a.endsWith("loss") ? -1 : 1) - (b.endsWith("loss") ? -1 : 1) || a.localeCompare(b));
  const rows: MetricRow[] = [];
  const build = (key: string, label: string, pick: (r: Pick<Run, "best" | "final">) => unknown) => {
    const values = runs.map((r) => {
      const v = pick(r);
      return typeof v === "number" && Number.isFinite(v) ? v : null;
    });
    const present = values.map((v, i) => [v, i] as const).filter(([v]) => v !== null) as [number, number][];
    let bestIndex: number | null = null;
    if (present.length > 1) {
      const higher = higherIsBetter(key);
      bestIndex = present.reduce((a, b) => (higher ? (b[0] > a[0] ? b : a) : b[0] < a[0] ? b : a))[1];
    }
    rows.push({ key, label, values, shown: values.map((v) => formatMetricFor(key, v)), bestIndex });
  };
  for (const k of keys) build(k, `Best ${metricLabel(k).toLowerCase()}`, (r) => r.best?.[k]);
  for (const k of finals) build(k, metricLabel(k), (r) => r.final?.[k]);
  build("best_epoch", "Best epoch", (r) => r.best?.epoch);
  rows[rows.length - 1].bestIndex = null; // an epoch number is not better or worse
  rows[rows.length - 1].shown = rows[rows.length - 1].values.map((v) => (v === null ? "—" : String(v)));
  return rows;
}

/**
 * Curves of one metric of several runs on one epoch axis, aligned for uPlot: [epochs, run 1, run 2, ...]
 * with null where a run has no value (it trained fewer epochs, or the metric is missing).
 */
export function alignedSeries(histories: EpochRow[][], metric: string): [number[], ...(number | null)[][]] {
  const epochs = new Set<number>();
  for (const h of histories) for (const r of h) epochs.add(r.epoch);
  const xs = [...epochs].sort((a, b) => a - b);
  const series = histories.map((h) => {
    const by = new Map(h.map((r) => [r.epoch, r.values[metric] ?? null]));
    return xs.map((x) => by.get(x) ?? null);
  });
  return [xs, ...series];
}

/** Metrics worth a chart in a comparison: those some run logged, validation first. */
export function comparableMetrics(histories: EpochRow[][]): string[] {
  const keys = new Set<string>();
  for (const h of histories) for (const r of h) for (const [k, v] of Object.entries(r.values)) if (v !== null) keys.add(k);
  const rank = (k: string) => (k === "val_loss" ? 0 : k === "val_accuracy" ? 1 : k === "loss" ? 2 : k === "accuracy" ? 3 : 4);
  return [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Parse "?compare=3,5,8" into run ids (at most 8, no duplicates). */
export function parseCompare(value: string | null): number[] {
  if (!value) return [];
  const ids: number[] = [];
  for (const part of value.split(",")) {
    const n = Number(part);
    if (Number.isSafeInteger(n) && n > 0 && !ids.includes(n)) ids.push(n);
  }
  return ids.slice(0, 8);
}
