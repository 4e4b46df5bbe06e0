/**
 * A project's Results tab: pick a finished run, its best-epoch or last weights, and the test or
 * validation split; see accuracy and loss, the confusion matrix, per-class scores, the images it
 * got wrong and the ones it barely got right, and download the model in every format.
 *
 * The URL keeps the view (?run=ID&checkpoint=best&split=test), so a reload or a shared link opens it.
 */
import { useEffect, useState } from "react";
import type { Checkpoint, EvalSplit, Evaluation, ModelFormats, Run } from "../api/types";
import { linkClick, projectUrl } from "../router";
import { setSearchParams } from "../training/useSearch";
import { resultsApi } from "./api";
import { ClassTable } from "./ClassTable";
import { ConfusionMatrix } from "./ConfusionMatrix";
import { Downloads } from "./Downloads";
import { decimal, defaultSplit, percent } from "./format";
import { Gallery } from "./Gallery";
import { RunSidebar } from "./RunSidebar";
import { Segmented } from "./Segmented";
import { useFinishedRuns } from "./useFinishedRuns";
import "../styles/results.css";

export function ResultsTab({ projectId }: { projectId: string }) {
  const { runs, total, error, run, search } = useFinishedRuns(projectId);
  const base = projectUrl(projectId, "results");

  if (error) {
    return (
      <div className="rs-page">
        <p className="alert alert-error rs-inner" role="alert">
          {error}
        </p>
      </div>
    );
  }
  if (runs === null) return <p className="loading">Loading runs…</p>;
  if (!run) {
    return (
      <section className="empty-state" aria-labelledby="no-results">
        <h1 id="no-results">No results yet</h1>
        <p>
          {total
            ? "None of this project's runs has finished with trained weights yet."
            : "This project has no training runs yet."}{" "}
          Results appear here when a run finishes: accuracy, the confusion matrix, the images it gets wrong, and the
          trained model to download.
        </p>
        <a className="btn btn-primary" href={projectUrl(projectId, "training")} onClick={linkClick}>
          Go to Training
        </a>
      </section>
    );
  }
  const checkpoint: Checkpoint =
    search.get("checkpoint") === "last" || search.get("checkpoint") === "best"
      ? (search.get("checkpoint") as Checkpoint)
      : run.hyperparameters.keep === "last"
        ? "last"
        : "best";
  const split: EvalSplit =
    search.get("split") === "validation" || search.get("split") === "test" ? (search.get("split") as EvalSplit) : defaultSplit(run);

  return (
    <div className="rs-page">
      <div className="rs-layout">
        <RunSidebar
          runs={runs}
          selectedId={run.id}
          href={(id) => `${base}?run=${id}`}
          onOpen={(id) => setSearchParams({ run: String(id), checkpoint: null, split: null })}
        />
        <RunResults key={run.id} run={run} checkpoint={checkpoint} split={split} />
      </div>
    </div>
  );
}

function RunResults({ run, checkpoint, split }: { run: Run; checkpoint: Checkpoint; split: EvalSplit }) {
  const [formats, setFormats] = useState<ModelFormats | null>(null);
  const [evaluation, setEvaluation] = useState<Evaluation | null>(null);
  const [evalError, setEvalError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [refresh, setRefresh] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    resultsApi
      .formats(run.id, ctl.signal)
      .then(setFormats)
      .catch(() => setFormats(null));
    return () => ctl.abort();
  }, [run.id]);

  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    setEvalError(null);
    resultsApi
      .evaluation(run.id, split, checkpoint, { refresh: refresh > 0, signal: ctl.signal })
      .then((e) => {
        setEvaluation(e);
        setLoading(false);
      })
      .catch((e: Error) => {
        if (e.name === "AbortError") return;
        setEvaluation(null);
        setEvalError(e.message || "The evaluation failed.");
        setLoading(false);
      });
    return () => ctl.abort();
  }, [run.id, split, checkpoint, refresh]);

  const checkpoints = formats?.checkpoints ?? [];
  const option = (name: Checkpoint) => {
    const info = checkpoints.find((c) => c.name === name);
    const epoch = info?.epoch ? ` (epoch ${info.epoch})` : "";
    return {
      value: name,
      label: `${name === "best" ? "Best epoch" : "Last epoch"}${epoch}${info?.kept ? " · kept" : ""}`,
      disabled: info ? !info.available : false,
      title: info?.reason ?? (name === "best" ? `The epoch with the best ${run.best?.monitor ?? "monitored metric"}` : "Where training ended"),
    };
  };
  const wrong = evaluation ? evaluation.total - Math.round(evaluation.accuracy * evaluation.total) : 0;

  return (
    <div className="rs-main" data-testid="run-results" aria-busy={loading}>
      <header className="rs-head">
        <div>
          <h1>{run.name}</h1>
          <p className="muted small">
            {run.epoch} epoch{run.epoch === 1 ? "" : "s"} · {run.classes.length} classes · kept the {run.hyperparameters.keep} weights
            {run.best?.monitor ? ` (by ${run.best.monitor})` : ""}
          </p>
        </div>
        <div className="rs-controls">
          <Segmented
            name="checkpoint"
            legend="Weights"
            value={checkpoint}
            options={[option("best"), option("last")]}
            onChange={(v) => setSearchParams({ checkpoint: v }, { replace: true })}
          />
          <Segmented
            name="split"
            legend="Evaluate on"
            value={split}
            options={[
              { value: "test", label: "Test" },
              { value: "validation", label: "Validation" },
            ]}
            onChange={(v) => setSearchParams({ split: v }, { replace: true })}
          />
        </div>
      </header>

      {loading && (
        <p className="rs-busy" role="status">
          <span className="rs-spinner" aria-hidden="true" /> Evaluating on the {split} images… (once per run, split and weights; a few
          seconds)
        </p>
      )}
      {evalError && !loading && (
        <div className="alert alert-error" role="alert">
          <span>{evalError}</span>
          {split === "test" && /no test images/.test(evalError) && (
            <button type="button" className="btn btn-sm" onClick={() => setSearchParams({ split: "validation" }, { replace: true })}>
              Evaluate on validation
            </button>
          )}
        </div>
      )}
      {evaluation && !loading && (
        <>
          <ul className="rs-metrics" aria-label="Metrics">
            <Metric label="Accuracy" value={percent(evaluation.accuracy)} note={`${evaluation.total - wrong} of ${evaluation.total} right`} />
            <Metric label="Loss" value={decimal(evaluation.loss, 4)} note="cross-entropy" />
            <Metric label="Macro F1" value={decimal(evaluation.macro.f1)} note="every class weighs the same" />
            {evaluation.top_k_accuracy["3"] !== undefined && run.classes.length > 3 && (
              <Metric label="Top-3 accuracy" value={percent(evaluation.top_k_accuracy["3"])} note="true class among the 3 likeliest" />
            )}
            <Metric label="Images" value={String(evaluation.total)} note={`${split} split`} />
          </ul>
          {evaluation.warnings.map((w) => (
            <p className="hint hint-warn" key={w}>
              {w}
            </p>
          ))}
          <div className="rs-grid">
            <ConfusionMatrix labels={evaluation.confusion_matrix.labels} matrix={evaluation.confusion_matrix.matrix} pngUrl={evaluation.confusion_png} />
            <ClassTable evaluation={evaluation} />
          </div>
          <Gallery
            id="misclassified"
            title="Misclassified"
            intro="Images the model got wrong, the most confident mistakes first: look for mislabelled images and classes that look alike."
            empty="None: every image of this split is classified right."
            items={evaluation.misclassified}
            total={wrong}
          />
          <Gallery
            id="difficult"
            title="Barely right"
            intro="Images the model got right with the least confidence: the ones closest to being wrong."
            empty="No image was classified right."
            items={evaluation.difficult}
            total={evaluation.total - wrong}
          />
          <p className="muted small rs-footnote">
            Evaluated {evaluation.cached ? "earlier" : "now"} in {evaluation.seconds.toFixed(2)} s with the {evaluation.checkpoint} weights
            {evaluation.epoch ? ` (epoch ${evaluation.epoch})` : ""}.{" "}
            <button type="button" className="link-button" onClick={() => setRefresh((n) => n + 1)}>
              Evaluate again
            </button>
          </p>
        </>
      )}
      {formats && <Downloads runId={run.id} formats={formats} checkpoint={checkpoint} />}
    </div>
  );
}

function Metric({ label, value, note }: { label: string; value: string; note: string }) {
  return (
    <li className="rs-metric">
      <span className="rs-metric-label">{label}</span>
      <span className="rs-metric-value">{value}</span>
      <span className="muted small">{note}</span>
    </li>
  );
}
