/**
 * The Hyper-parameters form, pure: fields, defaults and limits mirrored from the server's rules
 * (studio/training/hyperparams.py and studio/datasets/augmentation.py; the server has no schema
 * endpoint), checking with messages per field, the request body a run is queued with, what the
 * "auto" loss resolves to, and the settings kept per project in this browser.
 */
import type { RunHyperparameters } from "../api/types";

export type Optimizer = "adam" | "sgd" | "rmsprop" | "adamw";
export type Schedule = "none" | "cosine" | "step" | "reduce_on_plateau";
export type Loss = "auto" | "sparse_categorical_crossentropy" | "binary_crossentropy";
export type Metric = "accuracy" | "top_5_accuracy";
export type Monitor = "val_loss" | "val_accuracy" | "loss" | "accuracy";
export type Flip = "none" | "horizontal" | "vertical" | "horizontal_and_vertical";

export const OPTIMIZERS: { value: Optimizer; label: string; help: string }[] = [
  { value: "adam", label: "Adam", help: "Adapts each weight's step size; a safe first choice." },
  { value: "sgd", label: "SGD with momentum", help: "Plain gradient descent with momentum; often generalises best with a tuned schedule." },
  { value: "rmsprop", label: "RMSprop", help: "Scales steps by recent gradient size." },
  { value: "adamw", label: "AdamW", help: "Adam with decoupled weight decay (regularisation)." },
];
export const SCHEDULES: { value: Schedule; label: string }[] = [
  { value: "none", label: "Constant" },
  { value: "cosine", label: "Cosine decay" },
  { value: "step", label: "Step decay" },
  { value: "reduce_on_plateau", label: "Reduce on plateau" },
];
export const LOSSES: { value: Loss; label: string }[] = [
  { value: "auto", label: "Auto" },
  { value: "sparse_categorical_crossentropy", label: "Sparse categorical cross-entropy" },
  { value: "binary_crossentropy", label: "Binary cross-entropy" },
];
export const LOSS_LABELS: Record<string, string> = {
  sparse_categorical_crossentropy: "sparse categorical cross-entropy",
  binary_crossentropy: "binary cross-entropy",
};
export const METRICS: { value: Metric; label: string }[] = [
  { value: "accuracy", label: "Accuracy" },
  { value: "top_5_accuracy", label: "Top-5 accuracy" },
];
export const MONITORS: { value: Monitor; label: string }[] = [
  { value: "val_loss", label: "Validation loss" },
  { value: "val_accuracy", label: "Validation accuracy" },
  { value: "loss", label: "Training loss" },
  { value: "accuracy", label: "Training accuracy" },
];
export const FLIPS: { value: Flip; label: string }[] = [
  { value: "none", label: "No flip" },
  { value: "horizontal", label: "Left–right" },
  { value: "vertical", label: "Up–down" },
  { value: "horizontal_and_vertical", label: "Both" },
];

export const DEFAULT_LEARNING_RATE: Record<Optimizer, number> = { adam: 1e-3, adamw: 1e-3, rmsprop: 1e-3, sgd: 1e-2 };
export const MAX_SEED = 2 ** 31 - 1;

/** Numeric limits as the server checks them; `openLow`/`openHigh`: the bound itself is not allowed. */
export const LIMITS = {
  epochs: { min: 1, max: 1000, int: true },
  batch_size: { min: 1, max: 4096, int: true },
  learning_rate: { min: 0, max: 10, openLow: true },
  momentum: { min: 0, max: 0.999 },
  weight_decay: { min: 0, max: 1, openHigh: true },
  lr_step_epochs: { min: 1, max: 1000, int: true },
  lr_decay_factor: { min: 0, max: 1, openLow: true, openHigh: true },
  lr_patience: { min: 1, max: 1000, int: true },
  es_patience: { min: 1, max: 1000, int: true },
  es_min_delta: { min: 0, max: Infinity },
  seed: { min: 0, max: MAX_SEED, int: true },
  rotation: { min: 0, max: 0.5 },
  zoom: { min: 0, max: 0.9 },
  translation: { min: 0, max: 0.5 },
  brightness: { min: 0, max: 1 },
  contrast: { min: 0, max: 1 },
} as const;
export type LimitKey = keyof typeof LIMITS;

/** What the form holds. Numbers the person is typing stay numbers or null (empty / not a number). */
export interface HpForm {
  epochs: number | null;
  batch_size: number | null;
  optimizer: Optimizer;
  learning_rate: number | null;
  momentum: number | null;
  weight_decay: number | null;
  lr_schedule: Schedule;
  lr_step_epochs: number | null;
  lr_decay_factor: number | null;
  lr_patience: number | null;
  loss: Loss;
  metrics: Metric[];
  early_stopping: boolean;
  es_patience: number | null;
  es_monitor: Monitor;
  es_min_delta: number | null;
  flip: Flip;
  rotation: number | null;
  zoom: number | null;
  translation: number | null;
  brightness: number | null;
  contrast: number | null;
  mixed_precision: boolean;
  /** A fixed seed repeats a run exactly; off: the server picks one per run (and records it). */
  fixed_seed: boolean;
  seed: number | null;
  cache_frozen: boolean;
  class_weight: boolean;
}

export const AUGMENTATION_KEYS = ["rotation", "zoom", "translation", "brightness", "contrast"] as const;

export function defaultForm(): HpForm {
  return {
    epochs: 10,
    batch_size: 32,
    optimizer: "adam",
    learning_rate: 1e-3,
    momentum: 0.9,
    weight_decay: 0.004,
    lr_schedule: "none",
    lr_step_epochs: 3,
    lr_decay_factor: 0.1,
    lr_patience: 2,
    loss: "auto",
    metrics: ["accuracy"],
    early_stopping: false,
    es_patience: 5,
    es_monitor: "val_loss",
    es_min_delta: 0,
    flip: "none",
    rotation: 0,
    zoom: 0,
    translation: 0,
    brightness: 0,
    contrast: 0,
    mixed_precision: false,
    fixed_seed: false,
    seed: 42,
    cache_frozen: true,
    class_weight: false,
  };
}

/** Change the optimizer; a learning rate still at the old optimizer's default follows the new one. */
export function withOptimizer(form: HpForm, optimizer: Optimizer): HpForm {
  const next = { ...form, optimizer };
  if (form.learning_rate === null || form.learning_rate === DEFAULT_LEARNING_RATE[form.optimizer]) {
    next.learning_rate = DEFAULT_LEARNING_RATE[optimizer];
  }
  // Momentum applies to SGD (default 0.9) and RMSprop (default 0): an untouched value follows the optimizer.
  const oldDefault = form.optimizer === "sgd" ? 0.9 : form.optimizer === "rmsprop" ? 0 : null;
  if (oldDefault === null || form.momentum === oldDefault || form.momentum === null) {
    next.momentum = optimizer === "sgd" ? 0.9 : 0;
  }
  return next;
}

/** Change the schedule; the decay factor follows the schedule's default while untouched. */
export function withSchedule(form: HpForm, schedule: Schedule): HpForm {
  const next = { ...form, lr_schedule: schedule };
  if (form.lr_decay_factor === 0.1 || form.lr_decay_factor === 0.5 || form.lr_decay_factor === null) {
    next.lr_decay_factor = schedule === "step" ? 0.1 : 0.5;
  }
  return next;
}

export function rangeText(key: LimitKey): string {
  const l = LIMITS[key] as { min: number; max: number; int?: boolean; openLow?: boolean; openHigh?: boolean };
  if (l.max === Infinity) return `${l.min} or more`;
  if (l.int) return `a whole number from ${l.min} to ${l.max}`;
  return `${l.openLow ? "above" : "from"} ${l.min} ${l.openHigh ? "and below" : "to"} ${l.max}`;
}

function checkNumber(value: number | null, key: LimitKey): string | null {
  const l = LIMITS[key] as { min: number; max: number; int?: boolean; openLow?: boolean; openHigh?: boolean };
  if (value === null || !Number.isFinite(value)) return `Enter ${rangeText(key)}.`;
  if (l.int && !Number.isInteger(value)) return `Use ${rangeText(key)}.`;
  const low = l.openLow ? value > l.min : value >= l.min;
  const high = l.openHigh ? value < l.max : value <= l.max;
  return low && high ? null : `Use ${rangeText(key)}.`;
}

/** Which form fields apply with these choices (others are hidden and not sent). */
export function applies(form: HpForm, key: keyof HpForm): boolean {
  switch (key) {
    case "momentum":
      return form.optimizer === "sgd" || form.optimizer === "rmsprop";
    case "weight_decay":
      return form.optimizer === "adamw";
    case "lr_step_epochs":
      return form.lr_schedule === "step";
    case "lr_decay_factor":
      return form.lr_schedule === "step" || form.lr_schedule === "reduce_on_plateau";
    case "lr_patience":
      return form.lr_schedule === "reduce_on_plateau";
    case "es_patience":
    case "es_monitor":
    case "es_min_delta":
      return form.early_stopping;
    case "seed":
      return form.fixed_seed;
    default:
      return true;
  }
}

/** Problems by form field (empty: the form can be sent). */
export function checkForm(form: HpForm): Partial<Record<keyof HpForm, string>> {
  const errors: Partial<Record<keyof HpForm, string>> = {};
  const numeric: [keyof HpForm, LimitKey][] = [
    ["epochs", "epochs"],
    ["batch_size", "batch_size"],
    ["learning_rate", "learning_rate"],
    ["momentum", "momentum"],
    ["weight_decay", "weight_decay"],
    ["lr_step_epochs", "lr_step_epochs"],
    ["lr_decay_factor", "lr_decay_factor"],
    ["lr_patience", "lr_patience"],
    ["es_patience", "es_patience"],
    ["es_min_delta", "es_min_delta"],
    ["seed", "seed"],
    ...AUGMENTATION_KEYS.map((k) => [k, k] as [keyof HpForm, LimitKey]),
  ];
  for (const [field, limit] of numeric) {
    if (!applies(form, field)) continue;
    const message = checkNumber(form[field] as number | null, limit);
    if (message) errors[field] = message;
  }
  if (form.metrics.length === 0) errors.metrics = "Pick at least one metric to watch (accuracy is the usual one).";
  return errors;
}

/** The `hyperparameters` of POST /api/runs/ (and /preflight/): only what applies, in the server's names. */
export function toHyperparameters(form: HpForm, extra: { keep?: "best" | "last"; initial_run?: number | null } = {}): Record<string, unknown> {
  const hp: Record<string, unknown> = {
    epochs: form.epochs,
    batch_size: form.batch_size,
    optimizer: form.optimizer,
    learning_rate: form.learning_rate,
    lr_schedule: form.lr_schedule,
    loss: form.loss,
    metrics: [...form.metrics],
    mixed_precision: form.mixed_precision,
    cache_frozen: form.cache_frozen,
    seed: form.fixed_seed ? form.seed : null,
    class_weight: form.class_weight ? "auto" : null,
    early_stopping: form.early_stopping
      ? { patience: form.es_patience, monitor: form.es_monitor, min_delta: form.es_min_delta ?? 0 }
      : null,
  };
  if (applies(form, "momentum")) hp.momentum = form.momentum;
  if (applies(form, "weight_decay")) hp.weight_decay = form.weight_decay;
  if (applies(form, "lr_step_epochs")) hp.lr_step_epochs = form.lr_step_epochs;
  if (applies(form, "lr_decay_factor")) hp.lr_decay_factor = form.lr_decay_factor;
  if (applies(form, "lr_patience")) hp.lr_patience = form.lr_patience;
  const augmentation: Record<string, unknown> = {};
  if (form.flip !== "none") augmentation.flip = form.flip;
  for (const k of AUGMENTATION_KEYS) if (form[k]) augmentation[k] = form[k];
  hp.augmentation = augmentation;
  if (extra.keep) hp.keep = extra.keep;
  if (extra.initial_run !== undefined) hp.initial_run = extra.initial_run;
  return hp;
}

/** Server field errors ("hyperparameters.early_stopping.patience") mapped onto form fields. */
export function fieldForServerError(field: string): keyof HpForm | null {
  const key = field.replace(/^hyperparameters\.?/, "");
  const map: Record<string, keyof HpForm> = {
    "early_stopping.patience": "es_patience",
    "early_stopping.monitor": "es_monitor",
    "early_stopping.min_delta": "es_min_delta",
    early_stopping: "early_stopping",
    augmentation: "rotation",
    class_weight: "class_weight",
  };
  if (map[key]) return map[key];
  const known = defaultForm();
  return key in known ? (key as keyof HpForm) : null;
}

/** A form from stored JSON: unknown or broken values fall back to the defaults (storage may be old). */
export function formFromJson(raw: unknown): HpForm {
  const form = defaultForm();
  if (!raw || typeof raw !== "object") return form;
  const src = raw as Record<string, unknown>;
  for (const key of Object.keys(form) as (keyof HpForm)[]) {
    const value = src[key];
    const def = form[key];
    if (value === undefined) continue;
    if (typeof def === "number" || def === null) {
      if (value === null || (typeof value === "number" && Number.isFinite(value))) (form as unknown as Record<string, unknown>)[key] = value;
    } else if (typeof def === "boolean") {
      if (typeof value === "boolean") (form as unknown as Record<string, unknown>)[key] = value;
    } else if (Array.isArray(def)) {
      if (Array.isArray(value)) form.metrics = value.filter((m): m is Metric => METRICS.some((x) => x.value === m));
    } else if (typeof value === "string") {
      (form as unknown as Record<string, unknown>)[key] = value;
    }
  }
  if (!OPTIMIZERS.some((o) => o.value === form.optimizer)) form.optimizer = "adam";
  if (!SCHEDULES.some((o) => o.value === form.lr_schedule)) form.lr_schedule = "none";
  if (!LOSSES.some((o) => o.value === form.loss)) form.loss = "auto";
  if (!MONITORS.some((o) => o.value === form.es_monitor)) form.es_monitor = "val_loss";
  if (!FLIPS.some((o) => o.value === form.flip)) form.flip = "none";
  return form;
}

/** The form a run's stored hyper-parameters came from (to train again with the same settings). */
export function formFromRun(hp: RunHyperparameters): HpForm {
  const aug = hp.augmentation ?? {};
  return formFromJson({
    ...hp,
    early_stopping: hp.early_stopping !== null,
    es_patience: hp.early_stopping?.patience ?? 5,
    es_monitor: hp.early_stopping?.monitor ?? "val_loss",
    es_min_delta: hp.early_stopping?.min_delta ?? 0,
    flip: typeof aug.flip === "string" ? aug.flip : "none",
    ...Object.fromEntries(AUGMENTATION_KEYS.map((k) => [k, typeof aug[k] === "number" ? aug[k] : 0])),
    fixed_seed: true,
    seed: hp.seed,
    class_weight: hp.class_weight === "auto",
  });
}

// ---------- what "auto" means

export interface LossResolution {
  name: string | null;
  fromLogits: boolean;
  /** Why not (the output does not fit the dataset), in words. */
  error: string | null;
}

/** The server's loss choice (studio/training/preflight.py resolve_loss), for showing what auto picks. */
export function resolveLoss(requested: Loss, units: number | null, activation: string, numClasses: number | null): LossResolution {
  if (units === null) return { name: null, fromLogits: false, error: "The output size is not known yet (the model may be invalid)." };
  const binary = units === 1;
  const name = requested === "auto" ? (binary ? "binary_crossentropy" : "sparse_categorical_crossentropy") : requested;
  if (name === "binary_crossentropy") {
    if (!binary || (numClasses !== null && numClasses !== 2)) {
      return { name, fromLogits: false, error: `binary cross-entropy needs 1 output unit and 2 classes (the output has ${units}).` };
    }
    if (activation !== "sigmoid" && activation !== "linear") {
      return { name, fromLogits: false, error: `The output's activation is ${activation}: use sigmoid (or linear for logits).` };
    }
    return { name, fromLogits: activation === "linear", error: null };
  }
  if (numClasses !== null && units !== numClasses) {
    return { name, fromLogits: false, error: `The output has ${units} units but the dataset has ${numClasses} classes.` };
  }
  if (activation !== "softmax" && activation !== "linear") {
    return { name, fromLogits: false, error: `The output's activation is ${activation}: use softmax (or linear for logits).` };
  }
  return { name, fromLogits: activation === "linear", error: null };
}

// ---------- kept per project in this browser

const PREFIX = "keras-studio:project-hyperparameters:";
/** Fired on window (detail: {projectId}) when a project's settings are saved in this tab. */
export const HP_EVENT = "studio:project-hyperparameters";

type StorageLike = Pick<Storage, "getItem" | "setItem">;

function storage(): StorageLike | null {
  try {
    return typeof window !== "undefined" ? window.localStorage : null;
  } catch {
    return null;
  }
}

export const hpKey = (projectId: number | string) => `${PREFIX}${projectId}`;

export function loadForm(projectId: number | string, store: StorageLike | null = storage()): HpForm {
  try {
    const raw = store?.getItem(hpKey(projectId));
    return raw ? formFromJson(JSON.parse(raw)) : defaultForm();
  } catch {
    return defaultForm();
  }
}

export function saveForm(projectId: number | string, form: HpForm, store: StorageLike | null = storage()): void {
  try {
    store?.setItem(hpKey(projectId), JSON.stringify(form));
  } catch {
    // full or blocked: the settings last for this page only
  }
  if (typeof window !== "undefined" && typeof CustomEvent !== "undefined") {
    window.dispatchEvent(new CustomEvent(HP_EVENT, { detail: { projectId: String(projectId) } }));
  }
}

/** One line saying what a run will train with ("Adam · lr 0.001 · batch 32 · 10 epochs"). */
export function summary(form: HpForm): string {
  const opt = OPTIMIZERS.find((o) => o.value === form.optimizer)?.label ?? form.optimizer;
  const parts = [
    opt,
    `learning rate ${form.learning_rate ?? "?"}`,
    form.lr_schedule !== "none" ? SCHEDULES.find((s) => s.value === form.lr_schedule)!.label.toLowerCase() : null,
    `batch ${form.batch_size ?? "?"}`,
    `${form.epochs ?? "?"} epoch${form.epochs === 1 ? "" : "s"}`,
    form.early_stopping ? `early stopping (${form.es_patience})` : null,
    form.flip !== "none" || AUGMENTATION_KEYS.some((k) => form[k]) ? "augmentation" : null,
    form.mixed_precision ? "mixed precision" : null,
  ];
  return parts.filter(Boolean).join(" · ");
}
