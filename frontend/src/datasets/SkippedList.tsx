/** Files the server did not use, each with its reason (the server lists a capped number). */
import { useState } from "react";
import type { SkippedFile } from "../api/types";
import { plural } from "./format";

const SHOWN = 5;

export function SkippedList({ skipped, total, compact = false }: { skipped: SkippedFile[]; total: number; compact?: boolean }) {
  const [all, setAll] = useState(!compact);
  // The server's last entry may be a summary ("...": "and 40 more files skipped").
  const rows = skipped.filter((s) => s.file !== "...");
  const summary = skipped.find((s) => s.file === "...");
  const shown = all ? rows : rows.slice(0, SHOWN);
  return (
    <div className="skipped" data-testid="skipped">
      <h3 className="skipped-title">
        <span className="warn-mark" aria-hidden="true">
          !
        </span>
        {plural(total, "file")} skipped
      </h3>
      <table className="skipped-table">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((s, i) => (
            <tr key={`${s.file}-${i}`}>
              <td className="skipped-file">
                <code>{s.file}</code>
              </td>
              <td>{s.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!all && rows.length > SHOWN && (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setAll(true)}>
          Show all {rows.length}
        </button>
      )}
      {all && summary && <p className="muted small">{summary.reason}.</p>}
    </div>
  );
}
