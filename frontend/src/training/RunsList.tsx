/** A project's runs, newest first: status, best metrics, duration; tick runs to compare them. */
import type { Run } from "../api/types";
import { formatDuration, formatMetricFor, formatWhen, secondsBetween } from "./format";
import { StatusBadge } from "./RunView";
import { isActive } from "./runStore";

interface Props {
  runs: Run[] | null;
  error: string | null;
  selectedId: number | null;
  checked: number[];
  onToggle: (id: number, on: boolean) => void;
  onOpen: (id: number) => void;
  onCompare: () => void;
  runHref: (id: number) => string;
}

/** The headline number of a run: its best validation accuracy, else accuracy, else loss. */
export function headline(run: Run): { key: string; value: number } | null {
  for (const key of ["val_accuracy", "accuracy", "val_loss", "loss"]) {
    const v = run.best?.[key];
    if (typeof v === "number") return { key, value: v };
  }
  return null;
}

export function runDuration(run: Run, now = Date.now()): number | null {
  if (!run.started) return null;
  return secondsBetween(run.started, run.finished ?? (isActive(run.status) ? new Date(now).toISOString() : null));
}

export function RunsList({ runs, error, selectedId, checked, onToggle, onOpen, onCompare, runHref }: Props) {
  return (
    <section className="tr-card runs-card" aria-labelledby="runs-title">
      <div className="runs-head">
        <h2 id="runs-title">
          Runs {runs && runs.length > 0 && <span className="count-pill">{runs.length}</span>}
        </h2>
        <button
          type="button"
          className="btn btn-sm"
          onClick={onCompare}
          disabled={checked.length < 2}
          title={checked.length < 2 ? "Tick two or more runs to compare them" : undefined}
        >
          Compare{checked.length >= 2 ? ` ${checked.length}` : ""}
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {runs === null && !error && <p className="muted small">Loading runs…</p>}
      {runs && runs.length === 0 && <p className="muted small">No runs yet. Press Train to start the first one.</p>}
      {runs && runs.length > 0 && (
        <>
          <p className="muted small runs-hint">Tick runs to compare their curves and settings.</p>
          <ul className="runs-list" aria-label="Runs of this project" data-testid="runs-list">
            {runs.map((r) => {
              const h = headline(r);
              const d = runDuration(r);
              return (
                <li key={r.id} className={r.id === selectedId ? "run-item is-selected" : "run-item"} data-run-id={r.id}>
                  <input
                    type="checkbox"
                    className="run-check"
                    checked={checked.includes(r.id)}
                    onChange={(e) => onToggle(r.id, e.target.checked)}
                    aria-label={`Compare ${r.name}`}
                  />
                  <div className="run-item-body">
                    <a
                      href={runHref(r.id)}
                      className="run-link"
                      aria-current={r.id === selectedId ? "true" : undefined}
                      onClick={(e) => {
                        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                        e.preventDefault();
                        onOpen(r.id);
                      }}
                    >
                      {r.name}
                    </a>
                    <div className="run-item-meta">
                      <StatusBadge status={r.status} />
                      {h && (
                        <span title={`Best ${h.key.replace(/_/g, " ")}`}>
                          {h.key.startsWith("val_") ? "val " : ""}
                          {h.key.endsWith("accuracy") ? "acc" : "loss"} {formatMetricFor(h.key, h.value)}
                        </span>
                      )}
                      <span>{d === null ? formatWhen(r.created) : formatDuration(d)}</span>
                    </div>
                  </div>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
