/** The project's finished runs, newest first: pick the one whose results to show. */
import type { Run } from "../api/types";
import { formatWhen } from "../training/format";
import { percent } from "./format";

interface Props {
  runs: Run[];
  selectedId: number | null;
  href: (id: number) => string;
  onOpen: (id: number) => void;
}

function headline(run: Run): string {
  const test = run.final?.test_accuracy;
  if (typeof test === "number") return `test ${percent(test)}`;
  const val = run.best?.val_accuracy;
  if (typeof val === "number") return `val ${percent(val)}`;
  return "";
}

export function RunSidebar({ runs, selectedId, href, onOpen }: Props) {
  return (
    <nav className="rs-runs" aria-label="Finished runs">
      <h2>Runs</h2>
      <ul>
        {runs.map((r) => (
          <li key={r.id}>
            <a
              href={href(r.id)}
              aria-current={r.id === selectedId ? "true" : undefined}
              onClick={(e) => {
                if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                e.preventDefault();
                onOpen(r.id);
              }}
            >
              <span className="rs-run-name">{r.name}</span>
              <span className="rs-run-meta">
                {r.status === "stopped" ? "Stopped" : "Done"} · {formatWhen(r.finished)}
                {headline(r) && ` · ${headline(r)}`}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
