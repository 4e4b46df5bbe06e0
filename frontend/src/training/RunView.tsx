/**
 * One run, live: status, progress with time left, speed, best epoch, curves of the loss and every
 * metric (per epoch, and the training loss per batch), the learning rate, the epoch table, the log,
 * and where and how it trained (worker, devices, frozen-prefix cache).
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { Run } from "../api/types";
import { Chart, type SeriesSpec } from "./Chart";
import {
  formatClock,
  formatDuration,
  formatMetric,
  formatMetricFor,
  formatSeconds,
  formatWhen,
  metricLabel,
  STATUS_LABELS,
} from "./format";
import { setProjectDataset } from "../datasets/projectDataset";
import { formFromRun, LOSS_LABELS, saveForm } from "./hyperparams";
import { isActive, type RunStore } from "./runStore";
import { useRunLive } from "./useRunLive";

export const COLORS = { train: "#0f766e", val: "#c2610c", batch: "rgba(20, 184, 166, 0.5)", lr: "#6d4bd1" };

interface Props {
  projectId: string;
  runId: number;
  datasetName: (id: number | null) => string;
  /** Told whenever the run's row changes (the runs list shows its status and best metrics). */
  onRun?: (run: Run) => void;
}

export function RunView({ projectId, runId, datasetName, onRun }: Props) {
  const live = useRunLive(runId);
  const { run, store } = live;
  const [now, setNow] = useState(() => Date.now());
  const status = store.status?.status ?? run?.status ?? null;
  const active = isActive(status);

  useEffect(() => {
    if (run && onRun) onRun(run);
  }, [run, onRun]);

  useEffect(() => {
    if (!active) return;
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, [active]);

  if (live.loadError) {
    return (
      <section className="tr-card" aria-label="Run">
        <p role="alert" className="field-error">
          This run could not be opened: {live.loadError}
        </p>
      </section>
    );
  }
  if (!run) return <p className="loading">Loading the run…</p>;

  const progress = store.progress(now, run.epochs);
  const monitor = store.monitor(run.best?.monitor, run.hyperparameters.early_stopping);
  const best = store.best(monitor);
  const message = store.status?.message || run.error;
  const failed = status === "failed";

  return (
    <section className="run-view" aria-labelledby="run-title" data-testid="run-view" data-run-id={run.id}>
      <header className="run-head">
        <div className="run-head-main">
          <h2 id="run-title">{run.name}</h2>
          <StatusBadge status={status} />
          {live.feed === "reconnecting" && (
            <span className="feed-note" role="status">
              {live.problem ?? "Reconnecting…"}
            </span>
          )}
          {live.feed === "denied" && (
            <span className="feed-note feed-bad" role="alert">
              {live.problem}
            </span>
          )}
        </div>
        <p className="run-sub muted">
          Run {run.id} · {datasetName(run.dataset)} · queued {formatWhen(run.created)}
          {run.attempt > 1 ? ` · attempt ${run.attempt}` : ""}
        </p>
      </header>
      {message && (
        <p className={failed ? "run-message run-message-bad" : "run-message"} role={failed ? "alert" : "status"} data-testid="run-message">
          {message}
        </p>
      )}

      <div className="run-progress">
        <div
          className={`progress-track status-${status}`}
          role="progressbar"
          aria-label="Training progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(progress.fraction * 100)}
          aria-valuetext={progressText(progress, status)}
        >
          <div className="progress-fill" style={{ width: `${progress.fraction * 100}%` }} />
        </div>
        <p className="progress-text" data-testid="progress-text">
          {progressText(progress, status)}
        </p>
      </div>

      <dl className="stat-tiles">
        <div className="stat-tile" data-testid="stat-epoch">
          <dt>Epoch</dt>
          <dd>
            {progress.epoch}
            <small> / {progress.epochs ?? run.epochs}</small>
          </dd>
        </div>
        <div className="stat-tile" data-testid="stat-eta">
          <dt>Time left</dt>
          <dd>{active ? (progress.etaSeconds === null ? "estimating…" : formatDuration(progress.etaSeconds)) : "—"}</dd>
        </div>
        <div className="stat-tile" data-testid="stat-elapsed">
          <dt>Elapsed</dt>
          <dd>{formatClock(progress.elapsedSeconds)}</dd>
        </div>
        <div className="stat-tile" data-testid="stat-speed">
          <dt>Speed</dt>
          <dd>
            {progress.samplesPerSecond === null ? "—" : formatMetric(progress.samplesPerSecond)}
            {progress.samplesPerSecond !== null && <small> samples/s</small>}
          </dd>
        </div>
        <div className="stat-tile" data-testid="stat-epoch-seconds">
          <dt>Epoch time</dt>
          <dd>
            {formatSeconds(progress.secondsPerEpoch)}
          </dd>
        </div>
        <div className="stat-tile stat-best" data-testid="stat-best">
          <dt>Best epoch</dt>
          <dd>
            {best ? best.epoch : "—"}
            {best && (
              <small className="stat-note" title={`${metricLabel(monitor)} ${formatMetricFor(monitor, best.value)}`}>
                {metricLabel(monitor).replace("Validation", "val.").toLowerCase()} {formatMetricFor(monitor, best.value)}
              </small>
            )}
          </dd>
        </div>
      </dl>

      <Charts store={store} epochs={progress.epochs ?? run.epochs} />

      <EpochTable store={store} bestEpoch={best?.epoch ?? null} />
      <div className="run-columns">
        <RunLog store={store} />
        <RunDetails projectId={projectId} run={run} store={store} datasetName={datasetName} />
      </div>
    </section>
  );
}

export function StatusBadge({ status }: { status: string | null }) {
  if (!status) return null;
  return (
    <span className={`status-badge status-${status}`} data-testid="run-status" data-status={status}>
      {isActive(status) && status !== "queued" && <span className="status-dot" aria-hidden="true" />}
      {STATUS_LABELS[status] ?? status}
    </span>
  );
}

function progressText(p: ReturnType<RunStore["progress"]>, status: string | null): string {
  if (status === "queued") return p.epoch > 0 ? `Waiting for a worker to resume after epoch ${p.epoch}…` : "Waiting for a worker…";
  const parts = [`Epoch ${p.epoch} of ${p.epochs ?? "?"}`];
  if (p.step !== null && p.steps !== null && isActive(status)) parts.push(`step ${p.step} of ${p.steps}`);
  parts.push(`${Math.round(p.fraction * 100)}%`);
  if (isActive(status)) parts.push(p.etaSeconds === null ? "estimating time left" : `about ${formatDuration(p.etaSeconds)} left`);
  return parts.join(" · ");
}

function Charts({ store, epochs }: { store: RunStore; epochs: number }) {
  const names = store.metricNames();
  const shown = names.length ? names : ["loss"];
  const hasVal = store.hasValidation();
  const version = store.version;
  const lr = useMemo(() => store.learningRateData(), [store, version]);
  return (
    <div className="chart-grid" data-testid="charts">
      {shown.map((metric) => (
        <MetricChart key={metric} store={store} metric={metric} epochs={epochs} hasVal={hasVal} version={version} />
      ))}
      <Chart
        title="Learning rate"
        testId="chart-learning-rate"
        data={lr}
        xMax={epochs}
        series={[{ label: "Learning rate", color: COLORS.lr, points: true, format: (v) => formatMetric(v) }]}
        allowLog
        height={shown.length % 2 === 0 ? 150 : 210}
        className={shown.length % 2 === 0 ? "chart-wide" : undefined}
        points={lr[0].length}
        summary={lr[0].length ? `Learning rate ${formatMetric(lr[1][lr[1].length - 1])} after epoch ${lr[0][lr[0].length - 1]}.` : "No epochs yet."}
        empty="Shown after the first epoch."
      />
    </div>
  );
}

function MetricChart({
  store,
  metric,
  epochs,
  hasVal,
  version,
}: {
  store: RunStore;
  metric: string;
  epochs: number;
  hasVal: boolean;
  version: number;
}) {
  const withBatches = metric === "loss";
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const data = useMemo(() => store.chartData(metric, withBatches), [store, metric, withBatches, version]);
  const fmt = (v: number) => formatMetricFor(metric, v);
  const series: SeriesSpec[] = useMemo(
    () => [
      ...(withBatches ? [{ label: "Training (per batch)", color: COLORS.batch, width: 1, format: fmt }] : []),
      { label: "Training", color: COLORS.train, points: true, format: fmt },
      ...(hasVal ? [{ label: "Validation", color: COLORS.val, points: true, format: fmt }] : []),
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [withBatches, hasVal, metric],
  );
  const aligned = withBatches ? (hasVal ? data : data.slice(0, 3)) : hasVal ? [data[0], data[2], data[3]] : [data[0], data[2]];
  const rows = store.epochs;
  const last = rows[rows.length - 1];
  const epochPoints = rows.filter((r) => r.values[metric] !== null && r.values[metric] !== undefined).length;
  const best = store.best(hasVal ? `val_${metric}` : metric);
  const summary = last
    ? `${metricLabel(metric)} after epoch ${last.epoch}: training ${fmt(last.values[metric] ?? NaN)}` +
      (hasVal ? `, validation ${fmt(last.values[`val_${metric}`] ?? NaN)}` : "") +
      (best ? `. Best ${hasVal ? "validation " : ""}value ${fmt(best.value)} at epoch ${best.epoch}.` : ".")
    : "No epochs yet.";
  return (
    <Chart
      title={metricLabel(metric)}
      testId={`chart-${metric.replace(/_/g, "-")}`}
      data={aligned as [number[], ...(number | null)[][]]}
      xMax={epochs}
      series={series}
      yFormat={/accuracy$/.test(metric) ? (v) => `${Math.round(v * 100)}%` : undefined}
      allowLog={!/accuracy$/.test(metric)}
      points={epochPoints}
      summary={summary}
      empty={withBatches ? "Waiting for the first batch…" : "Shown after the first epoch."}
    />
  );
}

function EpochTable({ store, bestEpoch }: { store: RunStore; bestEpoch: number | null }) {
  const names = store.metricNames();
  const hasVal = store.hasValidation();
  const rows = [...store.epochs].reverse(); // newest first
  return (
    <section className="tr-card epoch-card" aria-labelledby="epochs-title">
      <h3 id="epochs-title">Epochs</h3>
      {rows.length === 0 ? (
        <p className="muted small">Each finished epoch adds a row.</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="epochs-title">
          <table className="tr-table epoch-table" data-testid="epoch-table">
            <thead>
              <tr>
                <th scope="col">Epoch</th>
                {names.map((n) => (
                  <th key={n} scope="col">
                    {metricLabel(n)}
                  </th>
                ))}
                {hasVal &&
                  names.map((n) => (
                    <th key={`val_${n}`} scope="col">
                      {metricLabel(`val_${n}`).replace("Validation", "Val.")}
                    </th>
                  ))}
                <th scope="col">Learning rate</th>
                <th scope="col">Seconds</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.epoch} className={r.epoch === bestEpoch ? "is-best" : undefined} data-epoch={r.epoch}>
                  <th scope="row">
                    {r.epoch}
                    {r.partial ? <small> (partial)</small> : null}
                    {r.epoch === bestEpoch ? <span className="best-mark" title="Best epoch"> ★</span> : null}
                  </th>
                  {names.map((n) => (
                    <td key={n}>{formatMetricFor(n, r.values[n])}</td>
                  ))}
                  {hasVal &&
                    names.map((n) => (
                      <td key={`val_${n}`}>{formatMetricFor(n, r.values[`val_${n}`])}</td>
                    ))}
                  <td>{formatMetric(r.learningRate)}</td>
                  <td>{r.seconds === null ? "—" : r.seconds < 10 ? Number(r.seconds.toPrecision(2)) : Math.round(r.seconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function RunLog({ store }: { store: RunStore }) {
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const count = store.logs.length;
  useLayoutEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [count]);
  return (
    <section className="tr-card log-card" aria-labelledby="log-title">
      <h3 id="log-title">Log</h3>
      <div
        className="run-log"
        ref={box}
        tabIndex={0}
        role="log"
        aria-labelledby="log-title"
        data-testid="run-log"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {store.logs.map((l) => (
          <div key={l.seq} className={`log-line log-${l.kind}${l.status ? ` log-${l.status}` : ""}`}>
            <time dateTime={new Date(l.time).toISOString()}>{new Date(l.time).toLocaleTimeString("en-GB")}</time>
            <span>{l.text}</span>
          </div>
        ))}
        {count === 0 && <p className="muted small">Nothing logged yet.</p>}
      </div>
    </section>
  );
}

function RunDetails({
  projectId,
  run,
  store,
  datasetName,
}: {
  projectId: string;
  run: Run;
  store: RunStore;
  datasetName: (id: number | null) => string;
}) {
  const [copied, setCopied] = useState(false);
  const hp = run.hyperparameters;
  const cache = run.cache ?? {};
  const worker = store.status?.worker || run.worker;
  const devices = run.devices?.length ? run.devices : ([...store.statuses].reverse().find((s) => s.devices?.length)?.devices ?? []);
  const finals = Object.entries(run.final ?? {}).filter(([k]) => k.startsWith("test_"));
  const loss = run.preflight?.figures?.loss;
  return (
    <section className="tr-card run-details" aria-labelledby="details-title">
      <h3 id="details-title">How it trained</h3>
      <dl className="details-grid" data-testid="run-details">
        <dt>Dataset</dt>
        <dd>
          {datasetName(run.dataset)} <span className="muted">({run.classes.length} classes)</span>
        </dd>
        <dt>Worker</dt>
        <dd data-testid="run-worker">
          {worker ? (
            <>
              {worker}
              {devices.length ? <span className="muted"> on {devices.join(", ")}</span> : null}
            </>
          ) : (
            <span className="muted">not started yet</span>
          )}
        </dd>
        <dt>Frozen-prefix cache</dt>
        <dd data-testid="run-cache">
          {cache.used === true
            ? `Used: layers up to ${cache.layer} ran once per image${cache.seconds !== undefined ? ` (${formatMetric(cache.seconds)} s)` : ""}.`
            : cache.used === false
              ? `Not used${cache.reason ? `: ${cache.reason}` : ""}.`
              : hp.cache_frozen
                ? "Decided when training starts."
                : "Off."}
        </dd>
        <dt>Settings</dt>
        <dd>
          {hp.optimizer} · learning rate {formatMetric(hp.learning_rate)}
          {hp.lr_schedule !== "none" ? ` (${hp.lr_schedule.replace(/_/g, " ")})` : ""} · batch {hp.batch_size} · {hp.epochs} epochs ·{" "}
          {loss ? LOSS_LABELS[loss.name] ?? loss.name : hp.loss} · seed {hp.seed}
          {hp.early_stopping ? ` · early stopping on ${hp.early_stopping.monitor} (${hp.early_stopping.patience})` : ""}
          {Object.keys(hp.augmentation ?? {}).length ? ` · augmentation ${Object.keys(hp.augmentation).join(", ")}` : ""}
          {hp.mixed_precision ? " · mixed precision" : ""}
          {hp.class_weight ? " · class weights" : ""}
          <div>
            <button
              type="button"
              className="tr-link-button"
              onClick={() => {
                saveForm(projectId, formFromRun(hp));
                if (run.dataset !== null) setProjectDataset(projectId, run.dataset);
                setCopied(true);
              }}
            >
              Use these settings for the next run
            </button>
            {copied && (
              <span className="muted" role="status">
                {" "}
                Done: the Hyper-parameters tab now has them (seed {hp.seed}).
              </span>
            )}
          </div>
        </dd>
        <dt>Weights</dt>
        <dd>
          Keeps the {hp.keep === "best" ? "best" : "last"} epoch
          {hp.initial_run ? ` · started from run ${hp.initial_run}` : ""}
          {run.best?.epoch ? ` · best epoch ${run.best.epoch}` : ""}
        </dd>
        {finals.length > 0 && (
          <>
            <dt>Test split</dt>
            <dd data-testid="run-test">
              {finals.map(([k, v]) => `${metricLabel(k).replace(/^Test /, "")} ${formatMetricFor(k, v)}`).join(" · ")}
            </dd>
          </>
        )}
        <dt>Timing</dt>
        <dd>
          started {formatWhen(run.started)}
          {run.finished ? ` · ended ${formatWhen(run.finished)}` : ""}
        </dd>
      </dl>
    </section>
  );
}
