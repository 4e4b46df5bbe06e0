/**
 * Images per class as a horizontal bar chart. It is a real table (class, bar, count, share), so a
 * screen reader reads the numbers and the bars are only a picture of them.
 */
import { useState } from "react";
import type { DatasetClassSummary } from "../api/types";
import { formatCount, formatShare } from "./format";

const SHOWN = 20;

export function ClassChart({ classes, caption = "Images per class" }: { classes: DatasetClassSummary[]; caption?: string }) {
  const [all, setAll] = useState(false);
  const max = Math.max(1, ...classes.map((c) => c.count));
  const total = classes.reduce((n, c) => n + c.count, 0);
  const rows = all ? classes : classes.slice(0, SHOWN);
  const smallest = Math.min(...classes.map((c) => c.count));
  const imbalanced = classes.length > 1 && smallest > 0 && max / smallest >= 3;
  return (
    <figure className="class-chart" data-testid="class-chart">
      <table>
        <caption className="sr-only">{caption}</caption>
        <thead className="sr-only">
          <tr>
            <th scope="col">Class</th>
            <th scope="col">Images</th>
            <th scope="col">Share</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.name}>
              <th scope="row" className="class-chart-name" title={c.name}>
                {c.name}
              </th>
              <td className="class-chart-bar">
                <span className="bar-track" aria-hidden="true">
                  <span className="bar" style={{ width: `${(c.count / max) * 100}%` }} />
                </span>
                <span className="class-chart-count">{formatCount(c.count)}</span>
              </td>
              <td className="class-chart-share">{formatShare(c.count, total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {classes.length > SHOWN && (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setAll((v) => !v)}>
          {all ? `Show the first ${SHOWN}` : `Show all ${classes.length} classes`}
        </button>
      )}
      {imbalanced && (
        <figcaption className="hint hint-warn">
          The largest class has {Math.round(max / smallest)}× the images of the smallest: accuracy alone can mislead; watch
          per-class results.
        </figcaption>
      )}
    </figure>
  );
}
