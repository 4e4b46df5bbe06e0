/** Per-class precision, recall, F1 and support, with the macro and weighted averages. */
import type { Evaluation } from "../api/types";
import { decimal } from "./format";

export function ClassTable({ evaluation }: { evaluation: Evaluation }) {
  const rows = evaluation.per_class;
  return (
    <section className="rs-card" aria-labelledby="classes-title">
      <h2 id="classes-title">Per class</h2>
      <div className="rs-table-scroll">
        <table className="rs-table" data-testid="class-table">
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col" title="Of the images predicted as this class, the share that are">
                Precision
              </th>
              <th scope="col" title="Of this class's images, the share found">
                Recall
              </th>
              <th scope="col">F1</th>
              <th scope="col" title="Images of this class in the split">
                Support
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.class}>
                <th scope="row">{r.class}</th>
                <td>
                  <Bar value={r.precision} />
                </td>
                <td>
                  <Bar value={r.recall} />
                </td>
                <td>
                  <Bar value={r.f1} />
                </td>
                <td className="num">{r.support}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            {(["macro", "weighted"] as const).map((kind) => (
              <tr key={kind}>
                <th scope="row">{kind === "macro" ? "Macro average" : "Weighted average"}</th>
                <td className="num">{decimal(evaluation[kind].precision)}</td>
                <td className="num">{decimal(evaluation[kind].recall)}</td>
                <td className="num">{decimal(evaluation[kind].f1)}</td>
                <td className="num">{evaluation.total}</td>
              </tr>
            ))}
          </tfoot>
        </table>
      </div>
    </section>
  );
}

function Bar({ value }: { value: number }) {
  return (
    <span className="rs-score">
      <span className="rs-score-bar" aria-hidden="true">
        <span style={{ width: `${Math.round(value * 100)}%` }} />
      </span>
      <span className="num">{decimal(value)}</span>
    </span>
  );
}
