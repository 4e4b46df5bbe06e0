/** The list of problems the server found; clicking one selects and centres the layer it is about. */
import type { Graph, GraphIssue } from "../api/types";
import { issueTarget } from "../graph/report";
import type { ValidationStatus } from "./useProjectEditor";

interface Props {
  graph: Graph;
  validation: ValidationStatus;
  onShow: (nodeId: string) => void;
}

export function ValidationPanel({ graph, validation, onShow }: Props) {
  const { report, error } = validation;
  const errors = report?.errors ?? [];
  const warnings = report?.warnings ?? [];
  const items: { issue: GraphIssue; level: "error" | "warning" }[] = [
    ...errors.map((issue) => ({ issue, level: "error" as const })),
    ...warnings.map((issue) => ({ issue, level: "warning" as const })),
  ];
  return (
    <section className="problems" aria-labelledby="problems-title">
      <h2 id="problems-title" className="problems-title">
        Problems
        {errors.length > 0 && <span className="count count-error">{errors.length}</span>}
        {warnings.length > 0 && <span className="count count-warn">{warnings.length}</span>}
      </h2>
      {error && (
        <p className="field-error" role="alert">
          Could not check the model: {error}
        </p>
      )}
      {!error && report && items.length === 0 && <p className="ok">✓ No problems: the model can be built.</p>}
      {!error && !report && <p className="muted">Checking…</p>}
      {items.length > 0 && (
        <ul className="problem-list">
          {items.map(({ issue, level }, i) => {
            const target = issueTarget(issue, graph);
            const where = issue.node ?? (issue.edge != null && graph.edges[issue.edge] ? `${graph.edges[issue.edge].source} → ${graph.edges[issue.edge].target}` : null);
            const body = (
              <>
                <span className={`problem-icon ${level}`} aria-hidden="true">
                  {level === "error" ? "✕" : "!"}
                </span>
                <span className="problem-text">
                  {where && <span className="problem-where">{where}</span>}
                  <span className="problem-message">{issue.message}</span>
                </span>
              </>
            );
            return (
              <li key={i} className={`problem ${level}`}>
                {target ? (
                  <button type="button" onClick={() => onShow(target)} aria-label={`${level}: ${issue.message} Show ${target}`}>
                    {body}
                  </button>
                ) : (
                  <div className="problem-static">{body}</div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
