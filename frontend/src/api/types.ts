/**
 * Types of the JSON the studio's API speaks (docs/internal-contracts.md and shared DESIGN.md).
 * Field names follow the server exactly; nothing here is derived or renamed.
 */

export type Shape = (number | null)[];

export interface GraphNode {
  id: string;
  type: string;
  params: Record<string, unknown>;
  position?: { x: number; y: number };
}

export interface GraphEdge {
  source: string;
  target: string;
  port?: number;
}

export interface Graph {
  version: 1;
  name?: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export type ParamKind = "int" | "float" | "bool" | "choice" | "ints" | "layers" | "weights";

export interface ParamSpec {
  name: string;
  kind: ParamKind;
  default: unknown;
  help: string;
  optional?: boolean;
  /** Must be present in the node; the default only pre-fills the form. */
  required?: boolean;
  min?: number;
  max?: number;
  choices?: unknown[];
  min_length?: number;
  max_length?: number;
  /** Accepted list lengths when not every length between min_length and max_length is. */
  lengths?: number[];
  null_items?: boolean;
  scalar_ok?: boolean;
}

export interface PretrainedLayer {
  name: string;
  type: string;
  group: string;
}

export interface PretrainedSpec {
  layers: PretrainedLayer[];
  groups: string[];
  min_input?: number[];
  weights_available?: boolean;
  weights_file?: string;
}

export interface LayerSpec {
  type: string;
  category: string;
  help: string;
  inputs: { min: number; max: number; ports?: string[] };
  summary: string[];
  params: ParamSpec[];
  pretrained: PretrainedSpec | null;
}

export interface Catalog {
  version: number;
  limits: Record<string, number>;
  categories: string[];
  layers: LayerSpec[];
}

export interface GraphIssue {
  code: string;
  message: string;
  node?: string | null;
  edge?: number | null;
  param?: string | null;
}

export interface InnerLayer {
  name: string;
  type: string;
  group: string;
  shape?: Shape | null;
  params: number;
  trainable: boolean;
}

export interface Report {
  valid: boolean;
  errors: GraphIssue[];
  warnings: GraphIssue[];
  shapes: Record<string, Shape | Shape[] | null>;
  node_params?: Record<string, { total: number; trainable: number }>;
  params_total?: number | null;
  params_trainable?: number | null;
  inner?: Record<string, InnerLayer[]>;
}

export interface Project {
  id: number;
  name: string;
  graph: Graph;
  created?: string;
  updated?: string;
  validation?: Report;
}

/** An entry of GET /api/projects/ (the list carries a layer count instead of the graph). */
export interface ProjectSummary {
  id: number;
  name: string;
  created?: string;
  updated?: string;
  layers?: number;
}

export interface ProjectTemplate {
  key: string;
  name: string;
  description: string;
  graph: Graph;
}

// ---------- datasets (studio/api/datasets.py)

export type SplitName = "train" | "validation" | "test";

/** Percentages (whole numbers adding up to 100) and the seed that decides which image goes where. */
export interface SplitSpec {
  train: number;
  validation: number;
  test: number;
  seed: number;
}

export type SplitCounts = Record<SplitName, number>;

/** A class as the list page sees it ({"name", "count"} in label order). */
export interface DatasetClassSummary {
  name: string;
  count: number;
}

/** An entry of GET /api/datasets/. */
export interface DatasetSummary {
  id: number;
  name: string;
  status: "processing" | "ready" | "failed";
  source: "upload" | "import" | "demo";
  image_count: number;
  classes: DatasetClassSummary[];
  created: string;
  updated: string;
  cover_url: string | null;
}

export interface DatasetClass extends DatasetClassSummary {
  index: number;
  splits: SplitCounts;
  /** Thumbnail URLs of the class's first few images. */
  examples: string[];
}

export interface SizeSummary {
  min: number;
  max: number;
  mean: number;
  median: number;
}

export interface ImageStats {
  count?: number;
  width?: SizeSummary;
  height?: SizeSummary;
  /** Pillow mode -> image count, most common first. */
  modes?: Record<string, number>;
  formats?: Record<string, number>;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

/** GET /api/datasets/{id}/ (and the 201 answer of an upload). */
export interface Dataset {
  id: number;
  name: string;
  description: string;
  status: "processing" | "ready" | "failed";
  error: string;
  source: "upload" | "import" | "demo";
  source_name: string;
  layout: string;
  created: string;
  updated: string;
  image_count: number;
  classes: DatasetClass[];
  image_stats: ImageStats;
  skipped: SkippedFile[];
  skipped_count: number;
  split: SplitSpec;
  split_counts: SplitCounts;
  images_url: string;
}

export interface DatasetImage {
  id: number;
  file: string;
  label: number;
  class_name: string;
  split: SplitName;
  width: number;
  height: number;
  mode: string;
  format: string;
  thumbnail_url: string;
  image_url: string;
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** GET/POST/PUT /api/datasets/{id}/split/ (a POST with preview: true only computes). */
export interface SplitAnswer {
  split: SplitSpec;
  counts: SplitCounts;
  classes: ({ name: string } & SplitCounts)[];
  preview?: boolean;
}

/** GET /api/datasets/demo/. */
export interface DemoInfo {
  name: string;
  description: string;
  available: boolean;
  classes: string[];
  /** This person's demo dataset id, once added. */
  dataset: number | null;
}

// ---------- training runs (studio/api/runs.py, docs/internal-contracts.md "Runs API")

export type RunStatus = "queued" | "running" | "stopping" | "succeeded" | "failed" | "stopped";

/** A run's normalised hyper-parameters as the server stores them (every default filled in). */
export interface RunHyperparameters {
  epochs: number;
  batch_size: number;
  optimizer: "adam" | "sgd" | "rmsprop" | "adamw";
  learning_rate: number;
  momentum: number;
  weight_decay: number;
  lr_schedule: "none" | "cosine" | "step" | "reduce_on_plateau";
  lr_step_epochs: number;
  lr_decay_factor: number;
  lr_patience: number;
  loss: "auto" | "sparse_categorical_crossentropy" | "binary_crossentropy";
  metrics: ("accuracy" | "top_5_accuracy")[];
  early_stopping: { patience: number; monitor: string; min_delta: number } | null;
  augmentation: Record<string, string | number>;
  mixed_precision: boolean;
  seed: number;
  cache_frozen: boolean;
  split: "dataset" | { validation: number; test: number };
  keep: "best" | "last";
  initial_run: number | null;
  class_weight: "auto" | null;
}

export interface Run {
  id: number;
  name: string;
  project: number | null;
  dataset: number | null;
  status: RunStatus;
  error: string;
  /** Epochs completed (and checkpointed). */
  epoch: number;
  epochs: number;
  /** Each metric's best value, plus the epoch whose weights keep="best" keeps and the monitor. */
  best: Record<string, number | string | null>;
  final: Record<string, number | null>;
  hyperparameters: RunHyperparameters;
  classes: string[];
  preflight: Partial<PreflightResult>;
  cache: { used?: boolean; layer?: string | null; reason?: string; seconds?: number };
  attempt: number;
  worker: string;
  devices: string[];
  last_seq: number;
  request_id: string;
  created: string;
  started: string | null;
  first_batch: string | null;
  finished: string | null;
  /** GET /api/runs/{id}/ only: the graph snapshot the run trains. */
  graph?: Graph;
}

export interface PreflightIssue {
  code: string;
  message: string;
  node?: string | null;
  suggested_batch_size?: number;
  [key: string]: unknown;
}

export interface PreflightFigures {
  num_classes: number;
  num_images: number;
  split_counts: Partial<Record<"train" | "validation" | "test", number>>;
  batch_size: number;
  params_total?: number;
  params_trainable?: number;
  flops_per_image?: number;
  activation_elements_per_image?: number;
  memory_estimate_bytes?: number;
  memory_available_bytes: number;
  suggested_batch_size?: number;
  loss?: { name: string; from_logits: boolean };
}

/** POST /api/runs/preflight/. */
export interface PreflightResult {
  ok: boolean;
  errors: PreflightIssue[];
  warnings: PreflightIssue[];
  figures: PreflightFigures;
  hyperparameters?: RunHyperparameters;
}

/** One stored run message (the socket and GET /api/runs/{id}/metrics/ send the same shape). */
export interface RunMessage {
  seq: number;
  type: "status" | "batch" | "epoch" | "log" | string;
  /** ISO time the server stored it. */
  time: string;
  [key: string]: unknown;
}

// ---------- results of a finished run (studio/api/results.py)

export type Checkpoint = "best" | "last";
export type EvalSplit = "test" | "validation";

/** One image of the misclassified / difficult galleries. */
export interface EvaluationItem {
  index: number;
  image_id: number;
  true: number;
  predicted: number;
  true_class: string;
  predicted_class: string;
  /** Probability of the predicted class. */
  confidence: number;
  true_probability: number;
  thumbnail_url: string;
  image_url: string;
}

export interface ClassScores {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** GET/POST /api/runs/{id}/evaluation/?split=&checkpoint=. */
export interface Evaluation {
  run: number;
  split: EvalSplit;
  checkpoint: Checkpoint;
  epoch: number | null;
  kept: boolean;
  accuracy: number;
  loss: number;
  total: number;
  per_class: ClassScores[];
  macro: { precision: number; recall: number; f1: number };
  weighted: { precision: number; recall: number; f1: number };
  confusion_matrix: { labels: string[]; matrix: number[][] };
  top_k_accuracy: Record<string, number>;
  misclassified: EvaluationItem[];
  difficult: EvaluationItem[];
  warnings: string[];
  seconds: number;
  computed: string;
  cached: boolean;
  confusion_png: string;
}

export interface ExportRecord {
  format: string;
  checkpoint: Checkpoint;
  optimizer: boolean;
  bytes: number;
  export_seconds: number;
  verify_seconds: number;
  max_difference: number;
}

export interface ModelFormat {
  name: string;
  extension: string;
  content_type: string;
  description: string;
  optimizer_state: boolean;
  available: boolean;
  unavailable_reason: string | null;
  /** The file name the kept weights download under. */
  filename: string;
  /** Set once this format of the kept weights has been exported (and checked). */
  exported: ExportRecord | null;
}

export interface CheckpointInfo {
  name: Checkpoint;
  available: boolean;
  epoch: number | null;
  kept: boolean;
  reason: string | null;
}

/** GET /api/runs/{id}/model/formats/. */
export interface ModelFormats {
  formats: ModelFormat[];
  checkpoints: CheckpointInfo[];
  kept: Checkpoint;
  optimizer_state: boolean;
}

export interface ClassProbability {
  class: string;
  probability: number;
}

/** One file of POST /api/runs/{id}/predict/: its top-k classes, or why it has none. */
export interface PredictResult {
  file: string;
  predictions?: ClassProbability[];
  error?: string;
  code?: string;
}

export interface PredictAnswer {
  run: number;
  checkpoint: Checkpoint;
  k: number;
  input_size: [number, number];
  color_mode: string;
  seconds: number;
  results: PredictResult[];
}
