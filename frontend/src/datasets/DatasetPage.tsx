/** One dataset: classes (chart), image sizes, skipped files, the split editor and the images of each class. */
import { useCallback, useEffect, useState } from "react";
import type { Dataset, SplitAnswer } from "../api/types";
import { linkClick, navigate } from "../router";
import { datasetsApi } from "./api";
import { ClassChart } from "./ClassChart";
import { formatCount, formatDate, layoutName, plural } from "./format";
import { ImageBrowser } from "./ImageBrowser";
import { ImageStatsPanel } from "./ImageStatsPanel";
import { SkippedList } from "./SkippedList";
import { SplitEditor } from "./SplitEditor";
import { useRename } from "./useRename";
import "../styles/datasets.css";
import { Alert } from "../components/Alert";

export function DatasetPage({ id }: { id: string }) {
  const [dataset, setDataset] = useState<Dataset | null>(null);
  const [error, setError] = useState<{ message: string; status: number } | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    datasetsApi
      .get(id, ctrl.signal)
      .then(setDataset)
      .catch((e: Error & { status?: number }) => e.name !== "AbortError" && setError({ message: e.message, status: e.status ?? 0 }));
    return () => ctrl.abort();
  }, [id]);

  useEffect(() => {
    document.title = `${dataset ? dataset.name : "Dataset"} · Datasets · Keras Studio`;
  }, [dataset]);

  const onSplitSaved = useCallback((answer: SplitAnswer) => {
    setDataset((d) =>
      d && {
        ...d,
        split: answer.split,
        split_counts: answer.counts,
        classes: d.classes.map((c, i) => {
          const s = answer.classes[i];
          return s ? { ...c, splits: { train: s.train, validation: s.validation, test: s.test } } : c;
        }),
      },
    );
  }, []);

  if (error) {
    return (
      <section className="empty-state">
        <h1>{error.status === 404 ? "Dataset not found" : "This dataset could not be opened"}</h1>
        <p role="alert">{error.status === 404 ? "It may have been deleted, or it belongs to someone else." : error.message}</p>
        <a href="/datasets/" onClick={linkClick}>
          Back to your datasets
        </a>
      </section>
    );
  }
  if (!dataset) return <p className="loading">Loading dataset…</p>;
  const d = dataset;
  const stats = d.image_stats;

  const rename = async (name: string) => {
    const updated = await datasetsApi.rename(d.id, name);
    setDataset((cur) => cur && { ...cur, name: updated.name });
  };
  const remove = async () => {
    if (!window.confirm(`Delete the dataset “${d.name}” and its ${plural(d.image_count, "image")}? This cannot be undone.`)) return;
    try {
      await datasetsApi.remove(d.id);
      navigate("/datasets/");
    } catch (e) {
      setActionError((e as Error).message);
    }
  };

  return (
    <div className="dataset-page">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <a href="/datasets/" onClick={linkClick}>
          Datasets
        </a>{" "}
        <span aria-hidden="true">›</span>
      </nav>
      <DatasetHeader dataset={d} onRename={rename} onDelete={() => void remove()} />
      {actionError && (
        <Alert kind="error" onDismiss={() => setActionError(null)}>{actionError}</Alert>
      )}
      {d.status !== "ready" && (
        <div className={`alert ${d.status === "failed" ? "alert-error" : "alert-info"}`} role="status">
          {d.status === "failed" ? `This dataset failed to build: ${d.error || "no reason was recorded."}` : "This dataset is still being prepared."}
        </div>
      )}
      <dl className="stat-tiles">
        <div className="stat-tile">
          <dt>Images</dt>
          <dd data-testid="stat-images">{formatCount(d.image_count)}</dd>
        </div>
        <div className="stat-tile">
          <dt>Classes</dt>
          <dd data-testid="stat-classes">{formatCount(d.classes.length)}</dd>
        </div>
        <div className="stat-tile">
          <dt>Typical size</dt>
          <dd>
            {stats.width && stats.height ? (
              <>
                {formatCount(Math.round(stats.width.median))} × {formatCount(Math.round(stats.height.median))} <small>px</small>
              </>
            ) : (
              "–"
            )}
          </dd>
        </div>
        <div className={`stat-tile ${d.skipped_count ? "is-warn" : ""}`}>
          <dt>Skipped files</dt>
          <dd>{d.skipped_count ? <a href="#skipped-title">{formatCount(d.skipped_count)}</a> : "0"}</dd>
        </div>
      </dl>
      <div className="dataset-columns">
        <section className="panel" aria-labelledby="classes-title">
          <div className="panel-head">
            <h2 id="classes-title">Classes</h2>
            <span className="muted small">label order: the model's output index</span>
          </div>
          <ClassChart classes={d.classes} />
        </section>
        <section className="panel" aria-labelledby="sizes-title">
          <div className="panel-head">
            <h2 id="sizes-title">Image sizes</h2>
          </div>
          <ImageStatsPanel stats={stats} />
        </section>
      </div>
      <SplitEditor key={d.id} dataset={d} onSaved={onSplitSaved} />
      {d.skipped_count > 0 && (
        <section className="panel" aria-labelledby="skipped-title">
          <h2 id="skipped-title" className="sr-only">
            Skipped files
          </h2>
          <p className="muted panel-intro">These files in the upload were not used; the reason says why.</p>
          <SkippedList skipped={d.skipped} total={d.skipped_count} />
        </section>
      )}
      <ImageBrowser datasetId={d.id} classes={d.classes} splitKey={JSON.stringify(d.split)} />
      {d.description && (
        <section className="panel about" aria-labelledby="about-title">
          <h2 id="about-title">About this dataset</h2>
          <p>{d.description}</p>
        </section>
      )}
    </div>
  );
}

function DatasetHeader({ dataset: d, onRename, onDelete }: { dataset: Dataset; onRename: (name: string) => Promise<void>; onDelete: () => void }) {
  const { editing, name, setName, error, start, cancel, submit } = useRename(d.name, onRename);

  const source =
    d.source === "demo" ? "Demo dataset" : d.source_name ? `From ${d.source_name}` : d.source === "import" ? "Imported on the server" : "Uploaded";
  return (
    <div className="page-head dataset-head">
      <div className="dataset-head-text">
        {editing ? (
          <form className="rename-form title-rename" onSubmit={submit}>
            <label className="sr-only" htmlFor="dataset-title-input">
              Dataset name
            </label>
            <input
              id="dataset-title-input"
              type="text"
              value={name}
              autoFocus
              maxLength={200}
              aria-invalid={!!error}
              onChange={(e) => setName(e.target.value)}
              onKeyDown={(e) => e.key === "Escape" && cancel()}
            />
            <button type="submit" className="btn btn-primary btn-sm">
              Save
            </button>
            <button type="button" className="btn btn-ghost btn-sm" onClick={cancel}>
              Cancel
            </button>
          </form>
        ) : (
          <h1>{d.name}</h1>
        )}
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <p className="muted">
          {source}
          {d.layout && ` · ${layoutName(d.layout)}`} · added {formatDate(d.created)}
        </p>
      </div>
      <div className="dataset-head-actions">
        {!editing && (
          <button type="button" className="btn btn-sm" onClick={start}>
            Rename
          </button>
        )}
        <button type="button" className="btn btn-sm btn-danger" onClick={onDelete}>
          Delete
        </button>
      </div>
    </div>
  );
}
