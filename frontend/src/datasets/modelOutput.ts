/**
 * What the model's output says about the classes it can predict, pure: read from the graph and its
 * validation report the same way the server's pre-flight check does (studio/training/preflight.py):
 * the single node without outgoing edges, its units from the inferred shape (batch, units).
 */
import type { Graph, Report, Shape } from "../api/types";

export interface ModelOutput {
  /** Ids of every output node (nodes nothing reads from). */
  outputs: string[];
  /** The output node, when there is exactly one. */
  node: string | null;
  units: number | null;
  activation: string;
  /** The Input node's shape without the batch, when there is exactly one Input. */
  inputShape: (number | null)[] | null;
}

function asShape(value: Shape | Shape[] | null | undefined): Shape | null {
  if (!Array.isArray(value) || value.some((v) => Array.isArray(v))) return null;
  return value as Shape;
}

export function modelOutput(graph: Graph, report: Report | null): ModelOutput {
  const sources = new Set(graph.edges.map((e) => e.source));
  const outputs = graph.nodes.filter((n) => !sources.has(n.id)).map((n) => n.id);
  const node = outputs.length === 1 ? graph.nodes.find((n) => n.id === outputs[0])! : null;
  let units: number | null = null;
  const shape = node ? asShape(report?.shapes?.[node.id]) : null;
  if (shape && shape.length === 2 && typeof shape[1] === "number") units = shape[1];
  else if (!report && node?.type === "Dense" && typeof node.params.units === "number") units = node.params.units;
  const activation =
    node?.type === "Softmax" ? "softmax" : typeof node?.params.activation === "string" ? node.params.activation : "linear";
  const inputs = graph.nodes.filter((n) => n.type === "Input");
  let inputShape: (number | null)[] | null = null;
  if (inputs.length === 1 && Array.isArray(inputs[0].params.shape)) inputShape = inputs[0].params.shape as (number | null)[];
  return { outputs, node: node?.id ?? null, units, activation, inputShape };
}

export type OutputHint =
  | { kind: "ok"; message: string }
  | { kind: "mismatch"; message: string; fix: string }
  | { kind: "unknown"; message: string };

/** Whether the model's output fits a dataset with `classes` classes, in words. */
export function outputHint(out: ModelOutput, classes: number): OutputHint {
  if (out.outputs.length === 0) return { kind: "unknown", message: "The model has no layers yet: design it in the Model tab." };
  if (out.outputs.length > 1) {
    return {
      kind: "mismatch",
      message: `The model has ${out.outputs.length} outputs (${out.outputs.join(", ")}); training on an image dataset needs exactly one.`,
      fix: "Connect the extra outputs or remove them in the Model tab.",
    };
  }
  if (out.units === null) {
    return {
      kind: "unknown",
      message: `The output size of “${out.node}” is not known yet (the model may be invalid, or not end in one vector per image).`,
    };
  }
  if (out.units === classes) {
    return { kind: "ok", message: `The output layer “${out.node}” has ${out.units} units: one per class.` };
  }
  if (out.units === 1 && classes === 2) {
    return { kind: "ok", message: `The output layer “${out.node}” has 1 unit: a binary (two-class) classifier.` };
  }
  return {
    kind: "mismatch",
    message: `The output layer “${out.node}” has ${out.units} unit${out.units === 1 ? "" : "s"} but this dataset has ${classes} class${classes === 1 ? "" : "es"}.`,
    fix: `Set its units to ${classes} in the Model tab.`,
  };
}
