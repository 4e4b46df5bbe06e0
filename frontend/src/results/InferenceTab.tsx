/**
 * A project's Inference tab: drop images (or choose them) and see each one's top classes with
 * probability bars, from a finished run's best or last weights; or score a zip of images into a CSV.
 * Changing the run, the weights or k predicts the images on the page again.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Checkpoint } from "../api/types";
import { linkClick, projectUrl } from "../router";
import { setSearchParams } from "../training/useSearch";
import { resultsApi } from "./api";
import { BatchPanel } from "./BatchPanel";
import { PredictionCard } from "./PredictionCard";
import { applyResults, chunks, failItems, type Item, newItems } from "./predictions";
import { useFinishedRuns } from "./useFinishedRuns";
import "../styles/results.css";

export function InferenceTab({ projectId }: { projectId: string }) {
  const { runs, total, error, run, search } = useFinishedRuns(projectId);
  const checkpoint: Checkpoint | null =
    search.get("checkpoint") === "best" || search.get("checkpoint") === "last" ? (search.get("checkpoint") as Checkpoint) : null;
  const classes = run?.classes.length ?? 0;
  const k = Math.min(Math.max(1, Number(search.get("k")) || 3), Math.max(1, classes));

  const [items, setItems] = useState<Item[]>([]);
  const [over, setOver] = useState(false);
  const itemsRef = useRef(items);
  itemsRef.current = items;
  const generation = useRef(0);

  useEffect(() => () => itemsRef.current.forEach((i) => URL.revokeObjectURL(i.url)), []);

  const predict = useCallback(
    async (targets: Item[]) => {
      if (!run || targets.length === 0) return;
      const mine = generation.current;
      for (const group of chunks(targets)) {
        const sent = group.map((i) => i.key);
        try {
          const answer = await resultsApi.predict(run.id, group.map((i) => i.file), k, checkpoint);
          if (generation.current === mine) setItems((now) => applyResults(now, sent, answer.results));
        } catch (e) {
          // Every file failing is a 4xx whose body still lists each file's reason.
          const body = (e as { body?: { results?: { file: string; error?: string }[] } }).body;
          if (generation.current !== mine) return;
          if (body?.results?.length === group.length) setItems((now) => applyResults(now, sent, body.results ?? []));
          else setItems((now) => failItems(now, sent, (e as Error).message));
        }
      }
    },
    [run, k, checkpoint],
  );

  // A new run, weights or k: everything on the page is predicted again.
  useEffect(() => {
    generation.current += 1;
    const again = itemsRef.current.map((i) => ({ ...i, status: "pending" as const, predictions: [], error: null }));
    if (again.length) {
      setItems(again);
      void predict(again);
    }
  }, [predict]);

  function add(files: File[]) {
    if (!files.length) return;
    const fresh = newItems(files, (f) => URL.createObjectURL(f));
    setItems((now) => [...fresh, ...now]);
    void predict(fresh);
  }

  function remove(key: string) {
    setItems((now) => {
      const gone = now.find((i) => i.key === key);
      if (gone) URL.revokeObjectURL(gone.url);
      return now.filter((i) => i.key !== key);
    });
  }

  function clear() {
    items.forEach((i) => URL.revokeObjectURL(i.url));
    setItems([]);
  }

  if (error) {
    return (
      <p className="alert alert-error rs-inner" role="alert">
        {error}
      </p>
    );
  }
  if (runs === null) return <p className="loading">Loading runs…</p>;
  if (!run) {
    return (
      <section className="empty-state" aria-labelledby="no-model">
        <h1 id="no-model">No trained model yet</h1>
        <p>
          {total ? "None of this project's runs has finished with trained weights yet." : "This project has no training runs yet."}{" "}
          Once a run finishes, drop images here to see what it predicts.
        </p>
        <a className="btn btn-primary" href={projectUrl(projectId, "training")} onClick={linkClick}>
          Go to Training
        </a>
      </section>
    );
  }

  return (
    <div className="rs-page">
      <div className="rs-inner">
        <header className="rs-head">
          <div>
            <h1>Inference</h1>
            <p className="muted small">
              Try a trained model on new images. They are resized to the model&apos;s input as in training; nothing is stored.
            </p>
          </div>
          <div className="rs-controls">
            <label className="field">
              <span className="field-label">Run</span>
              <select value={run.id} onChange={(e) => setSearchParams({ run: e.target.value }, { replace: true })}>
                {runs.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span className="field-label">Weights</span>
              <select
                value={checkpoint ?? ""}
                onChange={(e) => setSearchParams({ checkpoint: e.target.value || null }, { replace: true })}
              >
                <option value="">Kept ({run.hyperparameters.keep})</option>
                <option value="best">Best epoch{run.best?.epoch ? ` (${run.best.epoch})` : ""}</option>
                <option value="last">Last epoch ({run.epoch})</option>
              </select>
            </label>
            <label className="field">
              <span className="field-label">Top</span>
              <select value={k} onChange={(e) => setSearchParams({ k: e.target.value }, { replace: true })}>
                {[1, 3, 5, 10].filter((n) => n <= Math.max(1, classes)).map((n) => (
                  <option key={n} value={n}>
                    {n} class{n === 1 ? "" : "es"}
                  </option>
                ))}
                {classes > 0 && ![1, 3, 5, 10].includes(classes) && <option value={classes}>all {classes}</option>}
              </select>
            </label>
          </div>
        </header>

        <section className="rs-card" aria-labelledby="images-title">
          <div className="rs-card-head">
            <h2 id="images-title">Images</h2>
            {items.length > 0 && (
              <button type="button" className="btn btn-ghost btn-sm" onClick={clear}>
                Clear
              </button>
            )}
          </div>
          <div
            className={`rs-drop${over ? " is-over" : ""}`}
            data-testid="image-drop"
            onDragOver={(e) => {
              e.preventDefault();
              setOver(true);
            }}
            onDragLeave={() => setOver(false)}
            onDrop={(e) => {
              e.preventDefault();
              setOver(false);
              add(Array.from(e.dataTransfer.files));
            }}
          >
            <p className="rs-drop-text">Drop images here</p>
            <p className="muted small">
              or{" "}
              <label className="link-button">
                choose files
                <input
                  type="file"
                  multiple
                  accept="image/*"
                  className="sr-only"
                  onChange={(e) => {
                    add(Array.from(e.target.files ?? []));
                    e.target.value = "";
                  }}
                />
              </label>{" "}
              · JPEG, PNG, GIF, BMP, WebP, TIFF
            </p>
          </div>
          {items.length > 0 && (
            <ul className="rs-preds" aria-label="Predictions">
              {items.map((item) => (
                <PredictionCard key={item.key} item={item} onRemove={() => remove(item.key)} />
              ))}
            </ul>
          )}
        </section>

        <BatchPanel runId={run.id} checkpoint={checkpoint} k={k} />
      </div>
    </div>
  );
}
