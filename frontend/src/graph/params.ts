/**
 * Parameter values: defaults from the catalog, parsing and checking what a person types into the
 * property form (the same limits the server enforces, so most mistakes are refused before a
 * request), and short human formatting for node cards. Pure functions, no React.
 */
import type { GraphNode, LayerSpec, ParamSpec, Shape } from "../api/types";

export type ParseResult = { ok: true; value: unknown } | { ok: false; error: string };

const NULL_WORDS = new Set(["none", "null", "?", ""]);

export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Every param of a layer type set to its catalog default. */
export function defaultParams(spec: LayerSpec): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const p of spec.params) params[p.name] = clone(p.default);
  return params;
}

/** The value a node uses for a param: its own, else the catalog default. */
export function paramValue(node: GraphNode, spec: ParamSpec): unknown {
  return Object.prototype.hasOwnProperty.call(node.params, spec.name) ? node.params[spec.name] : spec.default;
}

function rangeError(spec: ParamSpec, n: number, what = "Value"): string | null {
  if (spec.min !== undefined && spec.min !== null && n < spec.min) return `${what} must be at least ${spec.min}.`;
  if (spec.max !== undefined && spec.max !== null && n > spec.max) return `${what} must be at most ${spec.max}.`;
  return null;
}

/** Why a value is not acceptable for a param, or null when it is. */
export function checkParamValue(spec: ParamSpec, value: unknown): string | null {
  if (value === null || value === undefined) {
    if (spec.optional || (spec.kind === "choice" && (spec.choices ?? []).includes(null)) || spec.kind === "weights") {
      return null;
    }
    return "A value is required.";
  }
  switch (spec.kind) {
    case "int":
      if (typeof value !== "number" || !Number.isInteger(value)) return "Enter a whole number.";
      return rangeError(spec, value);
    case "float":
      if (typeof value !== "number" || !Number.isFinite(value)) return "Enter a number.";
      return rangeError(spec, value);
    case "bool":
      return typeof value === "boolean" ? null : "Must be true or false.";
    case "choice":
      return (spec.choices ?? []).includes(value as never) ? null : `Choose one of: ${(spec.choices ?? []).join(", ")}.`;
    case "ints":
      return checkInts(spec, value);
    case "layers": {
      if (!Array.isArray(value)) return "Must be a list of layer names.";
      const unknown = value.filter((v) => !(spec.choices ?? []).includes(v));
      return unknown.length ? `Unknown layer${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}.` : null;
    }
    case "weights":
      if (typeof value === "object" && value !== null && "file" in value) return null;
      return (spec.choices ?? []).includes(value as never) ? null : "Choose pre-trained weights or none.";
    default:
      return null;
  }
}

function checkInts(spec: ParamSpec, value: unknown): string | null {
  if (typeof value === "number") {
    if (!spec.scalar_ok) return "Enter a list of numbers separated by commas.";
    if (!Number.isInteger(value)) return "Enter whole numbers.";
    return rangeError(spec, value);
  }
  if (!Array.isArray(value)) return "Enter numbers separated by commas.";
  if (spec.lengths?.length && !spec.lengths.includes(value.length)) {
    return `Enter ${joinOr(spec.lengths)} number${spec.lengths.length === 1 && spec.lengths[0] === 1 ? "" : "s"}.`;
  }
  if (spec.min_length !== undefined && value.length < spec.min_length) {
    return `Enter at least ${spec.min_length} number${spec.min_length > 1 ? "s" : ""}.`;
  }
  if (spec.max_length !== undefined && value.length > spec.max_length) {
    return `Enter at most ${spec.max_length} number${spec.max_length > 1 ? "s" : ""}.`;
  }
  for (const [i, item] of value.entries()) {
    if (item === null) {
      if (!spec.null_items) return `Item ${i + 1} is empty: every dimension needs a size here.`;
      continue;
    }
    if (typeof item !== "number" || !Number.isInteger(item)) return `Item ${i + 1} is not a whole number.`;
    const err = rangeError(spec, item, `Item ${i + 1}`);
    if (err) return err;
  }
  return null;
}

function joinOr(items: number[]): string {
  return items.length <= 1 ? String(items[0]) : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** Parse what was typed into a text field for a numeric param, then check it. */
export function parseParamInput(spec: ParamSpec, raw: string): ParseResult {
  const text = raw.trim();
  let value: unknown;
  if (text === "" && (spec.optional || spec.kind === "int" || spec.kind === "float" || spec.kind === "ints")) {
    if (!spec.optional) return { ok: false, error: "A value is required." };
    return { ok: true, value: null };
  }
  if (spec.kind === "int" || spec.kind === "float") {
    const n = Number(text);
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) || !Number.isFinite(n)) {
      return { ok: false, error: spec.kind === "int" ? "Enter a whole number." : "Enter a number." };
    }
    value = n;
  } else if (spec.kind === "ints") {
    const inner = text.replace(/^[[(]\s*|\s*[\])]$/g, "");
    const parts = inner.split(/[\s,x×]+/i).filter((s) => s !== "");
    const items: (number | null)[] = [];
    for (const part of parts) {
      if (NULL_WORDS.has(part.toLowerCase())) items.push(null);
      else if (/^[-+]?\d+$/.test(part)) items.push(Number(part));
      else return { ok: false, error: `"${part}" is not a whole number.` };
    }
    value = items.length === 1 && spec.scalar_ok && items[0] !== null && !/^[[(]/.test(text) ? items[0] : items;
  } else {
    value = text;
  }
  const error = checkParamValue(spec, value);
  return error ? { ok: false, error } : { ok: true, value };
}

/** The text a numeric field shows for a value. */
export function paramToText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map((v) => (v === null ? "None" : String(v))).join(", ");
  return String(value);
}

function formatSummaryValue(value: unknown): string {
  if (value === null || value === undefined) return "none";
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((v) => typeof v === "string")) return `${value.length} layers`;
    return value.map((v) => (v === null ? "?" : String(v))).join("×");
  }
  if (typeof value === "object") return "file";
  if (typeof value === "number" && !Number.isInteger(value)) return String(Number(value.toPrecision(4)));
  return String(value);
}

/** Short "key value" texts for the params a layer type lists in its `summary`. */
export function nodeSummary(node: GraphNode, spec: LayerSpec | undefined): string[] {
  if (!spec) return [];
  const out: string[] = [];
  for (const name of spec.summary ?? []) {
    const p = spec.params.find((q) => q.name === name);
    // A pre-trained node's card shows its trainable layers on a line of its own.
    if (!p || (p.kind === "layers" && spec.pretrained)) continue;
    const text = formatSummaryValue(paramValue(node, p));
    out.push(p.kind === "choice" || p.kind === "weights" ? text : `${name.replace(/_/g, " ")} ${text}`);
  }
  return out;
}

/** Keras-style output shape, "(None, 28, 28, 1)"; several outputs are joined by commas. */
export function formatShape(shape: Shape | Shape[] | null | undefined): string {
  if (!shape) return "";
  if (shape.length > 0 && Array.isArray(shape[0])) return (shape as Shape[]).map((s) => formatShape(s)).join(", ");
  const items = (shape as Shape).map((d) => (d === null ? "None" : String(d)));
  return `(${items.join(", ")}${items.length === 1 ? "," : ""})`;
}

/** 14714688 -> "14,714,688"; null -> "–". */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? "–" : n.toLocaleString("en-US");
}

/** 14714688 -> "14.7M". */
export function formatCompact(n: number | null | undefined): string {
  if (n === null || n === undefined) return "–";
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}
