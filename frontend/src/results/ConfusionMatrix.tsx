/**
 * The confusion matrix as an HTML table heat-map: rows are true classes, columns predicted ones,
 * each cell shaded by its share of the row (so small classes show as clearly as big ones) and
 * labelled with its count. A table, so screen readers announce row and column for every cell.
 */
import { heat, percent, rowShares } from "./format";

interface Props {
  labels: string[];
  matrix: number[][];
  pngUrl: string;
}

export function ConfusionMatrix({ labels, matrix, pngUrl }: Props) {
  const shares = rowShares(matrix);
  const tall = labels.length > 6 || labels.some((l) => l.length > 10);
  return (
    <section className="rs-card rs-cm-card" aria-labelledby="cm-title" data-testid="confusion-matrix">
      <div className="rs-card-head">
        <h2 id="cm-title">Confusion matrix</h2>
        <a href={pngUrl} target="_blank" rel="noreferrer" className="small">
          PNG
        </a>
      </div>
      <div className="rs-cm-scroll">
        <table className={`rs-cm${tall ? " is-tall" : ""}`}>
          <caption className="sr-only">Rows: true class. Columns: predicted class. Cells: number of images.</caption>
          <thead>
            <tr>
              <th scope="col" className="rs-cm-corner">
                <span>true ↓</span> <span>predicted →</span>
              </th>
              {labels.map((l) => (
                <th scope="col" key={l} className="rs-cm-col" title={l}>
                  <span>{l}</span>
                </th>
              ))}
              <th scope="col" className="rs-cm-total">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {matrix.map((row, i) => (
              <tr key={labels[i]}>
                <th scope="row" className="rs-cm-row" title={labels[i]}>
                  {labels[i]}
                </th>
                {row.map((count, j) => {
                  const { background, color } = heat(shares[i][j]);
                  const what = i === j ? "correct" : `predicted as ${labels[j]}`;
                  return (
                    <td
                      key={labels[j]}
                      className={i === j ? "is-diagonal" : undefined}
                      style={{ background, color }}
                      title={`${count} ${labels[i]} image${count === 1 ? "" : "s"} ${what} (${percent(shares[i][j], 0)} of ${labels[i]})`}
                    >
                      {count}
                    </td>
                  );
                })}
                <td className="rs-cm-total">{row.reduce((a, b) => a + b, 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small rs-cm-legend">
        <span className="rs-cm-scale" aria-hidden="true" /> Shade: share of the true class&apos;s images. The diagonal is right.
      </p>
    </section>
  );
}
