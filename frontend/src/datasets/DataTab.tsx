/**
 * A project's Data tab: choose which of the person's datasets the project trains on (remembered in
 * this browser, see projectDataset.ts), and see that dataset's classes, split and a few images,
 * with a hint when the model's output does not match the number of classes.
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import type { Dataset, DatasetSummary, Graph, Report } from "../api/types";
import { linkClick, projectUrl } from "../router";
import { datasetsApi } from "./api";
import { formatCount, formatShare, plural } from "./format";
import { modelOutput, outputHint } from "./modelOutput";
import { getProjectDataset, setProjectDataset } from "./projectDataset";
import { SplitBar } from "./SplitEditor";
import { SPLIT_LABELS, SPLIT_NAMES } from "./split";
import "../styles/datasets.css";
import { Alert } from "../components/Alert";

interface Props {
  projectId: string;
  /** The model as it is in the editor now (saved or not) and its latest validation report. */
  graph: Graph;
  report: Report | null;
}

const EXAMPLE_CLASSES = 8;

export function DataTab({ projectId, graph, report }: Props) {
  const [datasets, setDatasets] = useState<DatasetSummary[] | null>(null);
  const [chosen, setChosen] = useState<number | null>(() => getProjectDataset(projectId));
  const [detail, setDetail] = useState<Dataset | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [addingDemo, setAddingDemo] = useState(false);

  const load = useCallback(async () => {
    try {
      const list = await datasetsApi.list();
      setDatasets(list);
      return list;
    } catch (e) {
      setError(`Your datasets could not be loaded: ${(e as Error).message}`);
      return null;
    }
  }, []);

  useEffect(() => {
    void load().then((list) => {
      const id = getProjectDataset(projectId);
      if (list && id !== null && !list.some((d) => d.id === id)) {
        setProjectDataset(projectId, null);
        setChosen(null);
        setNotice("The dataset chosen earlier for this project no longer exists; choose another one.");
      }
    });
  }, [load, projectId]);

  useEffect(() => {
    if (chosen === null || !datasets?.some((d) => d.id === chosen)) {
      setDetail(null);
      return;
    }
    const ctrl = new AbortController();
    datasetsApi
      .get(chosen, ctrl.signal)
      .then(setDetail)
      .catch((e: Error) => e.name !== "AbortError" && setError(`The dataset could not be loaded: ${e.message}`));
    return () => ctrl.abort();
  }, [chosen, datasets]);

  const choose = (id: number) => {
    setProjectDataset(projectId, id);
    setChosen(id);
    setNotice(null);
    setError(null);
  };

  const addDemo = async () => {
    setAddingDemo(true);
    try {
      const d = await datasetsApi.addDemo();
      await load();
      choose(d.id);
    } catch (e) {
      setError(`The demo dataset could not be added: ${(e as Error).message}`);
    } finally {
      setAddingDemo(false);
    }
  };

  const output = useMemo(() => modelOutput(graph, report), [graph, report]);

  return (
    <div className="data-tab">
      <div className="data-tab-inner">
        <div className="page-head">
          <div>
            <h1>Data</h1>
            <p className="muted">Choose the dataset this project trains on. Its split decides which images train, validate and test.</p>
          </div>
          <a className="btn" href="/datasets/" onClick={linkClick}>
            Manage datasets
          </a>
        </div>
        {error && (
          <Alert kind="error" onDismiss={() => setError(null)}>{error}</Alert>
        )}
        {notice && (
          <Alert kind="info">{notice}</Alert>
        )}
        {datasets === null && !error && <p className="muted">Loading your datasets…</p>}
        {datasets && datasets.length === 0 && (
          <section className="empty-state data-empty" aria-labelledby="no-datasets">
            <h2 id="no-datasets">You have no datasets yet</h2>
            <p>Add the demo dataset (122 photos in 4 classes, Public Domain / CC0) to try things out, or upload a .zip of your own images.</p>
            <div className="empty-actions">
              <button type="button" className="btn btn-primary" onClick={() => void addDemo()} disabled={addingDemo}>
                {addingDemo ? "Adding…" : "Add the demo dataset"}
              </button>
              <a className="btn" href="/datasets/" onClick={linkClick}>
                Upload a dataset
              </a>
            </div>
          </section>
        )}
        {datasets && datasets.length > 0 && (
          <div className="data-grid">
            <section className="panel dataset-picker" aria-labelledby="picker-title">
              <h2 id="picker-title">Dataset</h2>
              <div role="radiogroup" aria-labelledby="picker-title" className="picker-list">
                {datasets.map((d) => (
                  <label key={d.id} className={`picker-option${d.id === chosen ? " is-checked" : ""}`}>
                    <input type="radio" name="project-dataset" value={d.id} checked={d.id === chosen} onChange={() => choose(d.id)} />
                    {d.cover_url ? <img src={d.cover_url} alt="" loading="lazy" className="picker-cover" /> : <span className="picker-cover" />}
                    <span className="picker-text">
                      <strong>{d.name}</strong>
                      <small>
                        {plural(d.classes.length, "class", "classes")} · {plural(d.image_count, "image")}
                      </small>
                    </span>
                  </label>
                ))}
              </div>
              <p className="muted small">
                Remembered in this browser for this project. <a href="/datasets/" onClick={linkClick}>Upload another dataset</a>.
              </p>
            </section>
            {chosen === null ? (
              <section className="panel data-summary placeholder" aria-label="Chosen dataset">
                <p className="muted">Choose a dataset on the left to see its classes, split and images here.</p>
              </section>
            ) : detail === null || detail.id !== chosen ? (
              <section className="panel data-summary" aria-label="Chosen dataset">
                <p className="muted">Loading the dataset…</p>
              </section>
            ) : (
              <DatasetSummaryPanel projectId={projectId} dataset={detail} hint={outputHint(output, detail.classes.length)} inputShape={output.inputShape} />
            )}
          </div>
        )}
      </div>
    </div>
  );
}

function DatasetSummaryPanel({
  projectId,
  dataset: d,
  hint,
  inputShape,
}: {
  projectId: string;
  dataset: Dataset;
  hint: ReturnType<typeof outputHint>;
  inputShape: (number | null)[] | null;
}) {
  const [shown, setShown] = useState(EXAMPLE_CLASSES);
  const max = Math.max(1, ...d.classes.map((c) => c.count));
  const stats = d.image_stats;
  const total = d.split_counts.train + d.split_counts.validation + d.split_counts.test;
  return (
    <section className="panel data-summary" aria-labelledby="summary-title" data-testid="data-summary">
      <div className="panel-head">
        <h2 id="summary-title">{d.name}</h2>
        <a href={`/datasets/${d.id}/`} onClick={linkClick}>
          Open dataset ›
        </a>
      </div>
      <p className="summary-facts">
        {plural(d.classes.length, "class", "classes")} · {plural(d.image_count, "image")}
        {stats.width && stats.height && (
          <>
            {" "}
            · typically {formatCount(Math.round(stats.width.median))} × {formatCount(Math.round(stats.height.median))} px
          </>
        )}
      </p>
      <div className={`output-hint hint-${hint.kind}`} role={hint.kind === "mismatch" ? "alert" : "status"} data-testid="output-hint">
        <span className="hint-mark" aria-hidden="true">
          {hint.kind === "ok" ? "✓" : hint.kind === "mismatch" ? "!" : "?"}
        </span>
        <div>
          {hint.message}
          {hint.kind === "mismatch" && (
            <>
              {" "}
              {hint.fix}{" "}
              <a href={projectUrl(projectId, "model")} onClick={linkClick}>
                Open the Model tab
              </a>
            </>
          )}
          {inputShape && inputShape.length === 3 && (
            <div className="muted small">
              Images are resized to {inputShape[0]} × {inputShape[1]} px, the model's input.
            </div>
          )}
        </div>
      </div>
      <div className="summary-split">
        <h3>
          Split <span className="muted">(seed {d.split.seed})</span>
        </h3>
        <SplitBar shares={d.split} />
        <ul className="split-counts" aria-label="Images per split">
          {SPLIT_NAMES.map((s) => (
            <li key={s}>
              <span className={`split-swatch swatch-${s}`} aria-hidden="true" />
              {SPLIT_LABELS[s]} <strong>{formatCount(d.split_counts[s])}</strong>{" "}
              <span className="muted">({d.split[s]}%)</span>
            </li>
          ))}
          <li className="muted">of {formatCount(total)}</li>
        </ul>
        <a href={`/datasets/${d.id}/`} onClick={linkClick} className="small">
          Change the split on the dataset page
        </a>
      </div>
      <div className="summary-classes">
        <h3>Classes</h3>
        <ul className="class-rows" aria-label="Classes with example images">
          {d.classes.slice(0, shown).map((c) => (
            <li key={c.name}>
              <span className="class-row-name">
                <strong title={c.name}>{c.name}</strong>
                <small>
                  {plural(c.count, "image")} · {formatShare(c.count, d.image_count)}
                </small>
              </span>
              <span className="bar-track" aria-hidden="true">
                <span className="bar" style={{ width: `${(c.count / max) * 100}%` }} />
              </span>
              <span className="example-thumbs">
                {c.examples.map((url, i) => (
                  <img key={url} src={url} alt={`${c.name} example ${i + 1}`} loading="lazy" decoding="async" width={52} height={52} />
                ))}
              </span>
            </li>
          ))}
        </ul>
        {d.classes.length > shown && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setShown(d.classes.length)}>
            Show all {formatCount(d.classes.length)} classes
          </button>
        )}
      </div>
    </section>
  );
}
