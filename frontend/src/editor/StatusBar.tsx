/** The bottom line: validity, size of the model, parameter counts. */
import type { Graph } from "../api/types";
import { formatCount } from "../graph/params";
import type { ValidationStatus } from "./useProjectEditor";

export function StatusBar({ graph, validation }: { graph: Graph; validation: ValidationStatus }) {
  const { report, checking, error } = validation;
  const errors = report?.errors.length ?? 0;
  let state: React.ReactNode;
  if (error) state = <span className="st st-error">Check failed</span>;
  else if (!report) state = <span className="st">Checking…</span>;
  else if (errors) state = <span className="st st-error">✕ {errors} problem{errors > 1 ? "s" : ""}</span>;
  else state = <span className="st st-ok">✓ Valid</span>;
  const total = report?.params_total;
  const trainable = report?.params_trainable;
  return (
    <footer className="statusbar" aria-label="Model status">
      <span data-testid="validity">{state}</span>
      {checking && report && <span className="st muted">checking…</span>}
      <span>
        {graph.nodes.length} layer{graph.nodes.length === 1 ? "" : "s"}
      </span>
      <span>
        Params <strong data-testid="params-total">{formatCount(total)}</strong>
      </span>
      <span>
        Trainable <strong data-testid="params-trainable">{formatCount(trainable)}</strong>
      </span>
      <span>
        Frozen <strong data-testid="params-frozen">{total != null && trainable != null ? formatCount(total - trainable) : "–"}</strong>
      </span>
    </footer>
  );
}
