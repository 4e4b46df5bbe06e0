/** The property panel of one layer: name, a form generated from its param specs, and for
 * pre-trained layers the layers inside (frozen or trainable). */
import { useEffect, useState } from "react";
import type { LayerSpec } from "../api/types";
import { formatCount, paramValue } from "../graph/params";
import type { IndexedReport } from "../graph/report";
import { renameNode, renameProblem, setParam, type EditorState } from "../graph/store";
import { categoryColor } from "./colors";
import { ParamField } from "./ParamField";
import { PretrainedPanel } from "./PretrainedPanel";

interface NodeProps {
  state: EditorState;
  nodeId: string;
  specs: Map<string, LayerSpec>;
  report: IndexedReport;
  update: (fn: (s: EditorState) => EditorState) => void;
}

export function NodeInspector({ state, nodeId, specs, report, update }: NodeProps) {
  const node = state.graph.nodes.find((n) => n.id === nodeId)!;
  const spec = specs.get(node.type);
  const [name, setName] = useState(node.id);
  const [view, setView] = useState<"layers" | "params">("layers");
  useEffect(() => setName(node.id), [node.id]);
  const nameError = renameProblem(state.graph, node.id, name.trim());
  const errors = report.nodeErrors.get(node.id) ?? [];
  const paramErrors = report.paramErrors.get(node.id);
  const counts = report.report?.node_params?.[node.id];
  const known = new Set(spec?.params.map((p) => p.name) ?? []);
  const generalErrors = errors.filter((e) => !e.param || !known.has(e.param));

  return (
    <section className="inspector" aria-label={`Layer ${node.id}`}>
      <div className="inspector-head" style={{ "--cat": categoryColor(spec?.category) } as React.CSSProperties}>
        <h2 className="inspector-title">{node.type}</h2>
        {spec && <span className="chip">{spec.category}</span>}
      </div>
      {spec ? <p className="muted inspector-help">{spec.help}</p> : <p className="field-error">Unknown layer type: not in the catalog.</p>}
      {generalErrors.length > 0 && (
        <ul className="node-errors" aria-label="Problems with this layer">
          {generalErrors.map((e, i) => (
            <li key={i}>{e.message}</li>
          ))}
        </ul>
      )}
      {spec?.pretrained && (
        <div className="inspector-tabs" role="tablist" aria-label="Layer views">
          {(["layers", "params"] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              id={`tab-${t}`}
              aria-selected={view === t}
              aria-controls={`panel-${t}`}
              className={view === t ? "is-active" : ""}
              onClick={() => setView(t)}
            >
              {t === "layers" ? "Layers inside" : "Parameters"}
            </button>
          ))}
        </div>
      )}
      {spec?.pretrained && view === "layers" ? (
        <div id="panel-layers" role="tabpanel" aria-labelledby="tab-layers">
          <PretrainedPanel node={node} spec={spec} inner={report.report?.inner?.[node.id]} update={update} paramErrors={paramErrors} />
        </div>
      ) : (
        <div id="panel-params" role={spec?.pretrained ? "tabpanel" : undefined} aria-labelledby={spec?.pretrained ? "tab-params" : undefined}>
          <form className="param-form" onSubmit={(e) => e.preventDefault()} aria-label={`Parameters of ${node.id}`}>
            <div className={`field${nameError ? " has-error" : ""}`}>
              <label className="field-label" htmlFor="node-name">
                name
              </label>
              <input
                id="node-name"
                value={name}
                autoComplete="off"
                spellCheck={false}
                aria-invalid={nameError ? true : undefined}
                aria-describedby="node-name-help"
                onChange={(e) => setName(e.target.value)}
                onBlur={() => {
                  if (!nameError) update((s) => renameNode(s, node.id, name.trim()));
                  else setName(node.id);
                }}
                onKeyDown={(e) => {
                  if (e.key === "Enter" && !nameError) update((s) => renameNode(s, node.id, name.trim()));
                  if (e.key === "Escape") setName(node.id);
                }}
              />
              {nameError && <p className="field-error">{nameError}</p>}
              <p className="field-help" id="node-name-help">
                The layer's name in the model and in the exported code.
              </p>
            </div>
            {spec?.params
              .filter((p) => !(spec.pretrained && p.kind === "layers"))
              .map((p) => (
                <ParamField
                  key={p.name}
                  spec={p}
                  value={paramValue(node, p)}
                  serverError={paramErrors?.get(p.name)}
                  onCommit={(v) => update((s) => setParam(s, node.id, p.name, v))}
                />
              ))}
            {spec && spec.params.length === 0 && <p className="muted">This layer has no parameters.</p>}
          </form>
          {counts && (
            <p className="muted node-counts">
              {formatCount(counts.total)} parameters, {formatCount(counts.trainable)} trainable
            </p>
          )}
        </div>
      )}
    </section>
  );
}
