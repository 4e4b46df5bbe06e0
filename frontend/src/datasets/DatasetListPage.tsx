/** The datasets page: the person's datasets, the demo dataset on offer, and uploading a .zip (dropped anywhere on the page). */
import { useCallback, useEffect, useRef, useState } from "react";
import type { DatasetSummary, DemoInfo } from "../api/types";
import { navigate } from "../router";
import { datasetsApi } from "./api";
import { DatasetCard } from "./DatasetCard";
import { plural } from "./format";
import { UploadPanel, type UploadPanelApi } from "./UploadPanel";
import "../styles/datasets.css";
import { Alert } from "../components/Alert";

export function DatasetListPage() {
  const [datasets, setDatasets] = useState<DatasetSummary[] | null>(null);
  const [demo, setDemo] = useState<DemoInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [addingDemo, setAddingDemo] = useState(false);
  const [dragging, setDragging] = useState(false);
  const upload = useRef<UploadPanelApi | null>(null);

  const load = useCallback(async () => {
    try {
      const [list, info] = await Promise.all([datasetsApi.list(), datasetsApi.demo()]);
      setDatasets(list);
      setDemo(info);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  useEffect(() => {
    document.title = "Datasets · Keras Studio";
    void load();
  }, [load]);

  // A file dropped anywhere on the page uploads; outside the drop targets the browser would
  // otherwise open the zip in place of the app.
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes("Files");
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth += 1;
      setDragging(true);
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const over = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const reset = () => {
      depth = 0;
      setDragging(false);
    };
    // The drop zone handles its own drops (and marks them handled); the rest of the page lands here.
    const drop = (e: DragEvent) => {
      if (!hasFiles(e) || e.defaultPrevented) return;
      e.preventDefault();
      const file = e.dataTransfer?.files?.[0];
      if (file) upload.current?.start(file);
    };
    window.addEventListener("dragenter", enter);
    window.addEventListener("dragleave", leave);
    window.addEventListener("dragover", over);
    window.addEventListener("drop", reset, true);
    window.addEventListener("drop", drop);
    return () => {
      window.removeEventListener("dragenter", enter);
      window.removeEventListener("dragleave", leave);
      window.removeEventListener("dragover", over);
      window.removeEventListener("drop", reset, true);
      window.removeEventListener("drop", drop);
    };
  }, []);

  const run = async (what: () => Promise<unknown>, done?: string) => {
    try {
      await what();
      if (done) setNotice(done);
      setError(null);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const addDemo = async () => {
    setAddingDemo(true);
    try {
      const d = await datasetsApi.addDemo();
      navigate(`/datasets/${d.id}/`);
    } catch (e) {
      setError(`The demo dataset could not be added: ${(e as Error).message}`);
      setAddingDemo(false);
    }
  };

  const showDemo = demo !== null && demo.available && demo.dataset === null;
  const empty = datasets !== null && datasets.length === 0;

  return (
    <div className="datasets-page">
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <p>Drop the .zip to upload it</p>
        </div>
      )}
      <div className="page-head">
        <div>
          <h1>Datasets</h1>
          <p className="muted">Labelled images your projects train on. Each dataset keeps its classes, image sizes and its train / validation / test split.</p>
        </div>
        <button type="button" className="btn btn-primary" onClick={() => upload.current?.choose()}>
          Upload a .zip
        </button>
      </div>
      {error && (
        <Alert kind="error" onDismiss={() => setError(null)}>{error}</Alert>
      )}
      {notice && (
        <Alert kind="info" onDismiss={() => setNotice(null)}>{notice}</Alert>
      )}
      {showDemo && (
        <section className={`demo-offer${empty ? " is-prominent" : ""}`} aria-labelledby="demo-title">
          <div className="demo-thumbs" aria-hidden="true">
            {demo.classes.slice(0, 4).map((c, i) => (
              <span key={c} className={`demo-thumb demo-thumb-${i}`}>
                {c.replace(/_/g, " ")}
              </span>
            ))}
          </div>
          <div className="demo-text">
            <h2 id="demo-title">{empty ? "Start with the demo dataset" : "Add the demo dataset"}</h2>
            <p>
              122 real photos in {plural(demo.classes.length, "class", "classes")} ({demo.classes.map((c) => c.replace(/_/g, " ")).join(", ")}), all
              Public Domain or CC0: enough to train a VGG16 transfer-learning model in a few minutes.
            </p>
          </div>
          <button type="button" className="btn btn-primary" onClick={() => void addDemo()} disabled={addingDemo}>
            {addingDemo ? "Adding…" : "Add the demo dataset"}
          </button>
        </section>
      )}
      {!empty && (
        <section className="dataset-list-section" aria-labelledby="your-datasets">
          <h2 id="your-datasets">
            Your data {datasets && datasets.length > 0 && <span className="count-badge">{datasets.length}</span>}
          </h2>
          {datasets === null && !error && <p className="muted">Loading datasets…</p>}
          {datasets && datasets.length > 0 && (
            <ul className="dataset-grid" aria-label="Your datasets">
              {datasets.map((d) => (
                <DatasetCard
                  key={d.id}
                  dataset={d}
                  onRename={async (name) => {
                    await datasetsApi.rename(d.id, name);
                    await load();
                  }}
                  onDelete={() => void run(() => datasetsApi.remove(d.id), `Deleted “${d.name}”.`)}
                />
              ))}
            </ul>
          )}
        </section>
      )}
      {/* Always at this place in the tree, so an upload in flight survives the list appearing above it. */}
      <UploadPanel apiRef={upload} onUploaded={() => void load()} />
    </div>
  );
}
