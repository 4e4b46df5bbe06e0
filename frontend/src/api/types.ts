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
