/**
 * The layers inside a pre-trained node (VGG16), grouped by block, each frozen or trainable,
 * with quick settings. Writes the node's `layers` param (trainable_layers); shapes and parameter
 * counts come from the latest validation report.
 */
import { useState } from "react";
import type { GraphNode, InnerLayer, LayerSpec } from "../api/types";
import { formatCompact, formatCount, formatShape } from "../graph/params";
import {
  groupLayerNames,
  groupRows,
  layersParam,
  setLayersTrainable,
  trainableChoices,
  trainableLayers,
  trainLastGroup,
  trainLastN,
} from "../graph/pretrained";
import { setParam, type EditorState } from "../graph/store";

interface Props {
  node: GraphNode;
  spec: LayerSpec;
  inner: InnerLayer[] | undefined;
  update: (fn: (s: EditorState) => EditorState) => void;
  paramErrors?: Map<string, string>;
}

export function PretrainedPanel({ node, spec, inner, update, paramErrors }: Props) {
  const param = layersParam(spec);
  const [lastN, setLastN] = useState("3");
  if (!param || !spec.pretrained) return null;
  const choices = trainableChoices(spec, inner);
  const current = trainableLayers(node, spec);
  const trainingNow = current.filter((c) => choices.includes(c)).length;
  const groups = groupRows(node, spec, inner);
  const lastGroup = spec.pretrained.groups.at(-1);
  const set = (names: string[]) => update((s) => setParam(s, node.id, param.name, names));
  const n = Number(lastN);
  const nOk = Number.isInteger(n) && n >= 0 && n <= choices.length;
  const error = paramErrors?.get(param.name);
  const innerParams = inner?.reduce((s, l) => s + l.params, 0);
  const innerTrainable = inner?.reduce((s, l) => s + (l.trainable ? l.params : 0), 0);

  return (
    <section className="pretrained" aria-labelledby="pretrained-title">
      <h3 id="pretrained-title" className="sr-only">
        Layers of {spec.type}
      </h3>
      <p className="pretrained-summary">
        <strong>
{trainingNow}</strong> of {choices.length} layers train
      </p>
      {innerParams !== undefined && (
        <p className="muted pretrained-counts" aria-live="polite">
          {formatCount(innerTrainable)} of {formatCount(innerParams)} parameters trainable
        </p>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="quick-actions" role="group" aria-label="Quick settings">
        <button type="button" className="btn btn-sm" onClick={() => set([])}>
          ❄ Freeze all
        </button>
        {lastGroup && (
          <button type="button" className="btn btn-sm" onClick={() => set(trainLastGroup(spec, inner))}>
            Train {lastGroup.replace(/(\D)(\d+)$/, "$1 $2")} only
          </button>
        )}
        <span className="last-n">
          <button type="button" className="btn btn-sm" disabled={!nOk} onClick={() => set(trainLastN(spec, n, inner))}>
            Train last
          </button>
          <label htmlFor={`lastn-${node.id}`} className="sr-only">
            Number of last layers to train
          </label>
          <input
            id={`lastn-${node.id}`}
            type="number"
            min={0}
            max={choices.length}
            value={lastN}
            aria-invalid={!nOk || undefined}
            onChange={(e) => setLastN(e.target.value)}
          />
          <span aria-hidden="true">layers</span>
        </span>
      </div>
      {!nOk && <p className="field-error">Enter a number from 0 to {choices.length}.</p>}
      <ol className="pretrained-groups">
        {groups.map((g) => {
          const names = groupLayerNames(spec, g.name, inner);
          const allOn = g.trainable === g.trainableCapable && g.trainableCapable > 0;
          return (
            <li key={g.name} className={`pretrained-group${g.trainable ? " has-trainable" : ""}`}>
              <div className="group-head">
                <span className="group-name">{g.name}</span>
                <span className="muted group-meta">
                  {g.trainable}/{g.trainableCapable} train{g.params !== null && ` · ${formatCompact(g.params)} params`}
                </span>
                {names.length > 0 && (
                  <button
                    type="button"
                    className="btn btn-ghost btn-xs"
                    aria-label={`${allOn ? "Freeze" : "Train"} all of ${g.name}`}
                    onClick={() => set(setLayersTrainable(spec, current, names, !allOn))}
                  >
                    {allOn ? "Freeze block" : "Train block"}
                  </button>
                )}
              </div>
              <ul>
                {g.rows.map((r) => (
                  <li key={r.name} className={`inner-layer ${r.trainable ? "is-trainable" : "is-frozen"}${r.canTrain ? "" : " no-weights"}`}>
                    <span className="inner-icon" aria-hidden="true">
                      {r.trainable ? "◆" : r.canTrain ? "❄" : "·"}
                    </span>
                    <span className="inner-text">
                      <span className="inner-name" title={r.type}>
                        {r.name}
                      </span>
                      <span className="inner-shape">{formatShape(r.shape)}</span>
                    </span>
                    <span className="inner-params">{r.params !== null ? formatCompact(r.params) : ""}</span>
                    {r.canTrain ? (
                      <button
                        type="button"
                        role="switch"
                        aria-checked={r.trainable}
                        aria-label={`${r.name} trainable`}
                        className={`switch${r.trainable ? " on" : ""}`}
                        onClick={() => set(setLayersTrainable(spec, current, [r.name], !r.trainable))}
                      >
                        <span className="switch-text">{r.trainable ? "Trainable" : "Frozen"}</span>
                      </button>
                    ) : (
                      <span className="muted switch-none">no weights</span>
                    )}
                  </li>
                ))}
              </ul>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
