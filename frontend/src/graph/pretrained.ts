/**
 * Which layers of a pre-trained node (VGG16) train: the node's `layers` param (trainable_layers)
 * is the source of truth; the validation report's `inner` adds shapes and parameter counts, and
 * tells which layers have no weights at all (pooling), which are left out of the toggles.
 * Pure helpers for the layer panel, the node card and the quick actions.
 */
import type { GraphNode, InnerLayer, LayerSpec, ParamSpec, Shape } from "../api/types";

export interface PretrainedRow {
  name: string;
  type: string;
  group: string;
  shape: Shape | null;
  params: number | null;
  /** Whether switching the layer to trainable means anything (it is a choice and has weights). */
  canTrain: boolean;
  trainable: boolean;
}

export interface PretrainedGroup {
  name: string;
  rows: PretrainedRow[];
  params: number | null;
  trainable: number;
  trainableCapable: number;
}

export function layersParam(spec: LayerSpec): ParamSpec | undefined {
  return spec.params.find((p) => p.kind === "layers");
}

/** Layers the report says have no weights. */
function weightless(inner: InnerLayer[] | undefined): Set<string> {
  return new Set((inner ?? []).filter((l) => l.params === 0).map((l) => l.name));
}

/** Names of the layers that may usefully be set trainable, in network order. */
export function trainableChoices(spec: LayerSpec, inner?: InnerLayer[]): string[] {
  const p = layersParam(spec);
  const all = p?.choices ? (p.choices as string[]) : (spec.pretrained?.layers.map((l) => l.name) ?? []);
  const none = weightless(inner);
  return all.filter((n) => !none.has(n));
}

export function trainableLayers(node: GraphNode, spec: LayerSpec): string[] {
  const p = layersParam(spec);
  const v = p ? (node.params[p.name] ?? p.default) : [];
  return Array.isArray(v) ? (v as string[]) : [];
}

/** How many of a node's weight-bearing inner layers train, for its card. */
export function trainableCounts(node: GraphNode, spec: LayerSpec, inner?: InnerLayer[]) {
  const choices = trainableChoices(spec, inner);
  const on = new Set(trainableLayers(node, spec));
  return { trainable: choices.filter((c) => on.has(c)).length, total: choices.length };
}

export function groupRows(node: GraphNode, spec: LayerSpec, inner: InnerLayer[] | undefined): PretrainedGroup[] {
  const pre = spec.pretrained;
  if (!pre) return [];
  const choices = new Set(trainableChoices(spec, inner));
  const on = new Set(trainableLayers(node, spec));
  const innerByName = new Map((inner ?? []).map((l) => [l.name, l]));
  const layers = pre.layers.length ? pre.layers : (inner ?? []).map((l) => ({ name: l.name, type: l.type, group: l.group }));
  const groups = [...pre.groups];
  for (const l of layers) if (!groups.includes(l.group)) groups.push(l.group);
  return groups.map((g) => {
    const rows = layers
      .filter((l) => l.group === g)
      .map((l) => {
        const i = innerByName.get(l.name);
        return {
          name: l.name,
          type: l.type,
          group: g,
          shape: i?.shape ?? null,
          params: i ? i.params : null,
          canTrain: choices.has(l.name),
          trainable: choices.has(l.name) && on.has(l.name),
        };
      });
    const known = rows.every((r) => r.params !== null);
    return {
      name: g,
      rows,
      params: known ? rows.reduce((s, r) => s + (r.params ?? 0), 0) : null,
      trainable: rows.filter((r) => r.trainable).length,
      trainableCapable: rows.filter((r) => r.canTrain).length,
    };
  });
}

/** `current` with `names` switched on or off, kept in network order. */
export function setLayersTrainable(spec: LayerSpec, current: string[], names: string[], on: boolean): string[] {
  const set = new Set(current);
  for (const n of names) {
    if (on) set.add(n);
    else set.delete(n);
  }
  return trainableChoices(spec).filter((n) => set.has(n));
}

export function groupLayerNames(spec: LayerSpec, group: string, inner?: InnerLayer[]): string[] {
  const choices = new Set(trainableChoices(spec, inner));
  return (spec.pretrained?.layers ?? []).filter((l) => l.group === group && choices.has(l.name)).map((l) => l.name);
}

/** Only the last group trains (the classic fine-tuning of VGG16's block 5). */
export function trainLastGroup(spec: LayerSpec, inner?: InnerLayer[]): string[] {
  const groups = spec.pretrained?.groups ?? [];
  return groups.length ? groupLayerNames(spec, groups[groups.length - 1], inner) : [];
}

/** Only the last `n` weight-bearing layers train. */
export function trainLastN(spec: LayerSpec, n: number, inner?: InnerLayer[]): string[] {
  const choices = trainableChoices(spec, inner);
  return n <= 0 ? [] : choices.slice(Math.max(0, choices.length - n));
}
