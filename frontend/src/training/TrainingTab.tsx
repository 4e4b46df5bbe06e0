/**
 * A project's Training tab: start a run (name, starting weights, which epoch's weights to keep),
 * stop it, follow it live, and browse and compare the project's runs.
 *
 * Train is locked while a request is on its way (a ref, so even two clicks in one frame queue one
 * run; the request also carries an idempotency key that is reused if the answer was lost) and while
 * a run of this project is queued, training or stopping. The URL keeps the view: ?run=ID shows a run,
 * ?compare=ID,ID compares runs; without either the newest run is shown.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError } from "../api/client";
import type { Run } from "../api/types";
import { linkClick, projectUrl } from "../router";
import { newRequestId, runsApi } from "./api";
import { parseCompare } from "./compare";
import { CompareView } from "./CompareView";
import { formatMetricFor } from "./format";
import { checkForm, summary, toHyperparameters } from "./hyperparams";
import { isActive } from "./runStore";
import { headline, RunsList } from "./RunsList";
import { RunView } from "./RunView";
import { setSearchParams, useSearch } from "./useSearch";
import { useHyperparameterForm, useProjectDatasetChoice } from "./useProjectSettings";
import "../styles/training.css";

interface Props {
  projectId: string;
  projectName: string;
  dirty: boolean;
  save: () => Promise<boolean>;
}

interface TrainError {
  message: string;
  issues: string[];
  /** Where to fix it. */
  fixTab?: "hyperparameters" | "data" | "model";
}

const RUNS_POLL_MS = 4000;

export function TrainingTab({ projectId, projectName, dirty, save }: Props) {
  const search = useSearch();
  const compareIds = parseCompare(search.get("compare"));
  const requestedRun = Number(search.get("run")) || null;

  const [runs, setRuns] = useState<Run[] | null>(null);
  const [runsError, setRunsError] = useState<string | null>(null);
  const [checked, setChecked] = useState<number[]>(compareIds);
  const [runName, setRunName] = useState("");
  const [startFrom, setStartFrom] = useState<string>("");
  const [keep, setKeep] = useState<"best" | "last">("best");
  const [busy, setBusy] = useState(false);
  const [stopping, setStopping] = useState(false);
  const [trainError, setTrainError] = useState<TrainError | null>(null);
  const busyRef = useRef(false);
  const requestId = useRef<string | null>(null);

  const { form } = useHyperparameterForm(projectId);
  const { datasetId, dataset, datasets } = useProjectDatasetChoice(projectId);
  const datasetName = useCallback(
    (id: number | null) => (id === null ? "deleted dataset" : (datasets?.find((d) => d.id === id)?.name ?? `dataset ${id}`)),
    [datasets],
  );

  const loadRuns = useCallback(async () => {
    try {
      const list = await runsApi.list(projectId);
      setRuns(list);
      setRunsError(null);
    } catch (e) {
      setRunsError(`The runs could not be loaded: ${(e as Error).message}`);
    }
  }, [projectId]);

  useEffect(() => {
    void loadRuns();
  }, [loadRuns]);

  const anyActive = runs?.some((r) => isActive(r.status)) ?? false;
  useEffect(() => {
    if (!anyActive) return;
    const t = window.setInterval(() => void loadRuns(), RUNS_POLL_MS);
    return () => window.clearInterval(t);
  }, [anyActive, loadRuns]);

  const selectedId = requestedRun ?? runs?.[0]?.id ?? null;
  const selected = runs?.find((r) => r.id === selectedId) ?? null;
  const activeRun = runs?.find((r) => isActive(r.status)) ?? null;
  const stopTarget = selected && isActive(selected.status) ? selected : activeRun;

  // The run view's fresher copy of a run replaces the list's.
  const onRun = useCallback((run: Run) => {
    setRuns((old) => {
      if (!old) return old;
      const at = old.findIndex((r) => r.id === run.id);
      if (at === -1) return [run, ...old];
      const prev = old[at];
      if (prev.status === run.status && prev.epoch === run.epoch && prev.last_seq === run.last_seq && prev.finished === run.finished) return old;
      const next = [...old];
      next[at] = run;
      return next;
    });
  }, []);

  const startable = useMemo(() => (runs ?? []).filter((r) => (r.status === "succeeded" || r.status === "stopped") && r.epoch > 0), [runs]);
  useEffect(() => {
    if (startFrom && runs && !startable.some((r) => String(r.id) === startFrom)) setStartFrom("");
  }, [startFrom, startable, runs]);

  const formErrors = checkForm(form);
  const formOk = Object.keys(formErrors).length === 0;
  const lockedReason = activeRun
    ? `“${activeRun.name}” is ${activeRun.status === "queued" ? "waiting for a worker" : activeRun.status === "stopping" ? "stopping" : "training"}: one run per project at a time.`
    : datasetId === null
      ? "Choose a dataset in the Data tab first."
      : null;

  const train = async () => {
    if (busyRef.current) return; // a second click before the first answer
    busyRef.current = true;
    setBusy(true);
    setTrainError(null);
    try {
      if (datasetId === null) {
        setTrainError({ message: "Choose the dataset to train on in the Data tab.", issues: [], fixTab: "data" });
        return;
      }
      if (!formOk) {
        setTrainError({
          message: "Some hyper-parameters are out of range.",
          issues: Object.entries(formErrors).map(([k, v]) => `${k}: ${v}`),
          fixTab: "hyperparameters",
        });
        return;
      }
      if (dirty && !(await save())) {
        setTrainError({ message: "The model could not be saved, so it cannot be trained. Save it in the Model tab.", issues: [], fixTab: "model" });
        return;
      }
      // Reused until the server answers, so a retry after a lost answer does not queue a second run.
      requestId.current ??= newRequestId();
      const run = await runsApi.create({
        project: Number(projectId),
        dataset: datasetId,
        name: runName.trim() || undefined,
        hyperparameters: toHyperparameters(form, { keep, initial_run: startFrom ? Number(startFrom) : null }),
        request_id: requestId.current,
      });
      requestId.current = null;
      setRunName("");
      setRuns((old) => [run, ...(old ?? []).filter((r) => r.id !== run.id)]);
      setSearchParams({ run: String(run.id), compare: null });
    } catch (e) {
      const err = e as ApiError;
      if (err.status > 0) requestId.current = null; // answered: the next press is a new request
      const body = (err.body ?? {}) as { errors?: { field?: string; message: string }[] };
      const issues = (body.errors ?? []).map((i) => (i.field ? `${i.field.replace(/^hyperparameters\./, "")}: ${i.message}` : i.message));
      const hpProblem = (body.errors ?? []).some((i) => i.field?.startsWith("hyperparameters"));
      setTrainError({
        message: err.message,
        issues: issues.length > 1 || (issues.length === 1 && issues[0] !== err.message) ? issues : [],
        fixTab: hpProblem ? "hyperparameters" : undefined,
      });
      void loadRuns();
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  };

  const stop = async () => {
    if (!stopTarget || stopping) return;
    setStopping(true);
    try {
      const run = await runsApi.stop(stopTarget.id);
      onRun(run);
    } catch (e) {
      setTrainError({ message: `The run could not be stopped: ${(e as Error).message}`, issues: [] });
      void loadRuns();
    } finally {
      setStopping(false);
    }
  };

  const runHref = (id: number) => `${projectUrl(projectId, "training")}?run=${id}`;
  const openRun = (id: number) => setSearchParams({ run: String(id), compare: null });

  return (
    <div className="tr-page">
      <div className="tr-page-inner tr-wide">
        <section className="tr-card train-bar" aria-labelledby="train-title">
          <h1 id="train-title" className="sr-only">
            Training
          </h1>
          <form
            className="train-controls"
            aria-label="Start a run"
            onSubmit={(e) => {
              e.preventDefault();
              void train();
            }}
          >
            <div className="field">
              <label htmlFor="run-name">Run name</label>
              <input
                id="run-name"
                type="text"
                value={runName}
                maxLength={200}
                placeholder={`${projectName} #${(runs?.length ?? 0) + 1}`}
                onChange={(e) => setRunName(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="start-from">Start from the weights of</label>
              <select id="start-from" value={startFrom} onChange={(e) => setStartFrom(e.target.value)}>
                <option value="">Nothing (fresh weights)</option>
                {startable.map((r) => {
                  const h = headline(r);
                  return (
                    <option key={r.id} value={String(r.id)}>
                      {r.name}
                      {h ? ` (${h.key.replace(/_/g, " ")} ${formatMetricFor(h.key, h.value)})` : ""}
                    </option>
                  );
                })}
              </select>
            </div>
            <div className="field">
              <label htmlFor="keep">Keep the weights of</label>
              <select id="keep" value={keep} onChange={(e) => setKeep(e.target.value as "best" | "last")}>
                <option value="best">The best epoch</option>
                <option value="last">The last epoch</option>
              </select>
            </div>
            <div className="train-buttons">
              <button
                type="submit"
                className="btn btn-primary train-btn"
                disabled={busy || lockedReason !== null}
                aria-describedby={lockedReason ? "train-locked" : undefined}
              >
                {busy ? "Starting…" : "Train"}
              </button>
              <button
                type="button"
                className="btn btn-danger"
                onClick={() => void stop()}
                disabled={!stopTarget || stopping || stopTarget.status === "stopping"}
                title={stopTarget ? `Stop ${stopTarget.name}` : "No run is training"}
              >
                {stopping || stopTarget?.status === "stopping" ? "Stopping…" : "Stop"}
              </button>
            </div>
          </form>
          <p className="train-summary small">
            {dataset ? (
              <>
                Trains on <strong>{dataset.name}</strong> ({dataset.classes.length} classes · {dataset.image_count} images) with {summary(form)}.{" "}
              </>
            ) : datasetId === null ? (
              <>No dataset chosen yet. </>
            ) : null}
            Change the{" "}
            <a href={projectUrl(projectId, "data")} onClick={linkClick}>
              dataset
            </a>{" "}
            or the{" "}
            <a href={projectUrl(projectId, "hyperparameters")} onClick={linkClick}>
              hyper-parameters
            </a>
            .{dirty ? " The model's unsaved changes are saved when you press Train." : ""}
          </p>
          {lockedReason && (
            <p className="train-locked small" id="train-locked" role="status">
              {lockedReason}
            </p>
          )}
          {trainError && (
            <div className="alert alert-error train-error" role="alert">
              <div>
                <strong>{trainError.message}</strong>
                {trainError.issues.length > 0 && (
                  <ul>
                    {trainError.issues.map((i, n) => (
                      <li key={n}>{i}</li>
                    ))}
                  </ul>
                )}
                {trainError.fixTab && (
                  <a href={projectUrl(projectId, trainError.fixTab)} onClick={linkClick}>
                    Open the {trainError.fixTab === "hyperparameters" ? "Hyper-parameters" : trainError.fixTab === "data" ? "Data" : "Model"} tab
                  </a>
                )}
              </div>
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setTrainError(null)} aria-label="Dismiss">
                ✕
              </button>
            </div>
          )}
        </section>

        <div className="training-grid">
          <div className="training-main">
            {compareIds.length >= 2 ? (
              <CompareView
                ids={compareIds}
                datasetName={datasetName}
                backHref={projectUrl(projectId, "training")}
                onBack={() => setSearchParams({ compare: null })}
              />
            ) : selectedId !== null ? (
              <RunView key={selectedId} projectId={projectId} runId={selectedId} datasetName={datasetName} onRun={onRun} />
            ) : runs !== null ? (
              <section className="tr-card empty-run">
                <h2>No runs yet</h2>
                <p className="muted">
                  Press <strong>Train</strong> to train the model on the chosen dataset. Loss and metrics appear here live, batch by batch and epoch by epoch.
                </p>
              </section>
            ) : null}
          </div>
          <aside className="training-side">
            <RunsList
              runs={runs}
              error={runsError}
              selectedId={compareIds.length >= 2 ? null : selectedId}
              checked={checked}
              onToggle={(id, on) => setChecked((old) => (on ? [...old.filter((x) => x !== id), id] : old.filter((x) => x !== id)))}
              onOpen={openRun}
              onCompare={() => setSearchParams({ compare: [...checked].sort((a, b) => a - b).join(","), run: null })}
              runHref={runHref}
            />
          </aside>
        </div>
      </div>
    </div>
  );
}
