/**
 * Runs side by side: each metric's curves of every chosen run on one chart, their best and test
 * metrics (the best run marked) and their settings (differences marked, or only the differences).
 */
import { useEffect, useMemo, useState } from "react";
import type { Run } from "../api/types";
import { allMetrics, runsApi } from "./api";
import { Chart } from "./Chart";
import { alignedSeries, comparableMetrics, hyperparameterRows, metricRows } from "./compare";
import { formatMetricFor, metricLabel } from "./format";
import { RunStore, type EpochRow } from "./runStore";
import { StatusBadge } from "./RunView";

export const RUN_COLORS = ["#0f766e", "#c2610c", "#6d4bd1", "#1d6fb8", "#b3263a", "#5c7c1f", "#8a5a00", "#4b5563"];

interface Loaded {
  run: Run;
  epochs: EpochRow[];
}

interface Props {
  ids: number[];
  datasetName: (id: number | null) => string;
  backHref: string;
  onBack: () => void;
}

export function CompareView({ ids, datasetName, backHref, onBack }: Props) {
  const [loaded, setLoaded] = useState<Loaded[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [onlyDiff, setOnlyDiff] = useState(false);
  const key = ids.join(",");

  useEffect(() => {
    const ctrl = new AbortController();
    setLoaded(null);
    setError(null);
    Promise.all(
      ids.map(async (id) => {
        const [run, messages] = await Promise.all([runsApi.get(id, ctrl.signal), allMetrics(id, ctrl.signal)]);
        const store = new RunStore();
        store.apply(messages);
        return { run, epochs: [...store.epochs] };
      }),
    )
      .then((l) => !ctrl.signal.aborted && setLoaded(l))
      .catch((e: Error) => !ctrl.signal.aborted && e.name !== "AbortError" && setError(`The runs could not be loaded: ${e.message}`));
    return () => ctrl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const histories = useMemo(() => loaded?.map((l) => l.epochs) ?? [], [loaded]);
  const metrics = useMemo(() => comparableMetrics(histories), [histories]);
  const runs = loaded?.map((l) => l.run) ?? [];
  const hpRows = useMemo(() => (loaded ? hyperparameterRows(loaded.map((l) => l.run), datasetName) : []), [loaded, datasetName]);
  const mRows = useMemo(() => (loaded ? metricRows(loaded.map((l) => l.run)) : []), [loaded]);
  const maxEpochs = Math.max(1, ...runs.map((r) => r.epochs));

  return (
    <section className="compare-view" aria-labelledby="compare-title" data-testid="compare-view">
      <div className="compare-head">
        <div>
          <h2 id="compare-title">Compare runs</h2>
          <p className="muted small">Curves, best metrics and settings of {ids.length} runs.</p>
        </div>
        <a
          href={backHref}
          className="btn btn-sm"
          onClick={(e) => {
            if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
            e.preventDefault();
            onBack();
          }}
        >
          ‹ Back to training
        </a>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {!loaded && !error && <p className="loading">Loading the runs…</p>}
      {loaded && (
        <>
          <ul className="compare-legend" aria-label="Runs compared">
            {runs.map((r, i) => (
              <li key={r.id}>
                <span className="legend-swatch" style={{ background: RUN_COLORS[i % RUN_COLORS.length] }} aria-hidden="true" />
                <strong>{r.name}</strong> <StatusBadge status={r.status} />
              </li>
            ))}
          </ul>
          <div className="chart-grid">
            {metrics.map((m) => {
              const data = alignedSeries(histories, m);
              return (
                <Chart
                  key={m}
                  title={metricLabel(m)}
                  testId={`compare-${m.replace(/_/g, "-")}`}
                  data={data}
                  xMax={maxEpochs}
                  series={runs.map((r, i) => ({
                    label: r.name,
                    color: RUN_COLORS[i % RUN_COLORS.length],
                    points: true,
                    format: (v: number) => formatMetricFor(m, v),
                  }))}
                  yFormat={/accuracy$/.test(m) ? (v) => `${Math.round(v * 100)}%` : undefined}
                  allowLog={!/accuracy$/.test(m)}
                  points={data[0].length}
                  summary={runs
                    .map((r, i) => {
                      const series = data[i + 1];
                      const last = [...series].reverse().find((v) => v !== null);
                      return `${r.name}: ${last === undefined ? "no values" : `last ${formatMetricFor(m, last)}`}`;
                    })
                    .join("; ")}
                />
              );
            })}
            {metrics.length === 0 && <p className="muted">These runs have no finished epochs yet.</p>}
          </div>

          <div className="compare-tables">
            <section className="tr-card" aria-labelledby="cmp-metrics">
              <h3 id="cmp-metrics">Best metrics</h3>
              <div className="table-scroll">
                <table className="tr-table compare-table" data-testid="compare-metrics">
                  <thead>
                    <tr>
                      <th scope="col">Metric</th>
                      {runs.map((r, i) => (
                        <th key={r.id} scope="col">
                          <span className="legend-swatch" style={{ background: RUN_COLORS[i % RUN_COLORS.length] }} aria-hidden="true" /> {r.name}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {mRows.map((row) => (
                      <tr key={row.key}>
                        <th scope="row">{row.label}</th>
                        {row.shown.map((v, i) => (
                          <td key={i} className={row.bestIndex === i ? "is-best-cell" : undefined}>
                            {v}
                            {row.bestIndex === i && <span className="sr-only"> (best)</span>}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
            <section className="tr-card" aria-labelledby="cmp-hp">
              <div className="runs-head">
                <h3 id="cmp-hp">Settings</h3>
                <label className="check small">
                  <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} />
                  Only differences
                </label>
              </div>
              <div className="table-scroll">
                <table className="tr-table compare-table" data-testid="compare-settings">
                  <thead>
                    <tr>
                      <th scope="col">Setting</th>
                      {runs.map((r) => (
                        <th key={r.id} scope="col">
                          {r.name}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {hpRows
                      .filter((row) => !onlyDiff || row.differs)
                      .map((row) => (
                        <tr key={row.key} className={row.differs ? "is-diff" : undefined} data-key={row.key}>
                          <th scope="row">
                            {row.label}
                            {row.differs && <span className="sr-only"> (differs)</span>}
                          </th>
                          {row.values.map((v, i) => (
                            <td key={i}>{v}</td>
                          ))}
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
            </section>
          </div>
        </>
      )}
    </section>
  );
}
