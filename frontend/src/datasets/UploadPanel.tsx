/**
 * Upload a dataset: drop a .zip on the page (or choose one), watch the upload's real progress, then
 * see what the server made of it (classes with counts, skipped files with reasons) or why it refused.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Dataset } from "../api/types";
import { linkClick } from "../router";
import { uploadDataset, type UploadHandle } from "./api";
import { formatBytes, formatProgress, isZipName, plural, progressPercent } from "./format";
import { SkippedList } from "./SkippedList";

type UploadState =
  | { kind: "idle" }
  | { kind: "uploading"; file: File; loaded: number; total: number }
  | { kind: "processing"; file: File }
  | { kind: "done"; file: File; dataset: Dataset }
  | { kind: "error"; file: File | null; message: string };

interface Props {
  /** A dataset was created (the list reloads). */
  onUploaded: (dataset: Dataset) => void;
}

/** Files dropped anywhere on the page come here (the page forwards them). */
export interface UploadPanelApi {
  start: (file: File) => void;
  /** Bring the panel into view and open the file chooser. */
  choose: () => void;
}

export function UploadPanel({ onUploaded, apiRef }: Props & { apiRef?: React.MutableRefObject<UploadPanelApi | null> }) {
  const [state, setState] = useState<UploadState>({ kind: "idle" });
  const [name, setName] = useState("");
  const [over, setOver] = useState(false);
  const handle = useRef<UploadHandle | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const panel = useRef<HTMLElement>(null);
  const busy = state.kind === "uploading" || state.kind === "processing";

  const start = useCallback(
    (file: File) => {
      if (handle.current) return; // one upload at a time
      if (!isZipName(file.name)) {
        setState({
          kind: "error",
          file,
          message: `“${file.name}” is not a .zip file. Put the class folders (or the images and a CSV) in a zip archive and upload that.`,
        });
        return;
      }
      setState({ kind: "uploading", file, loaded: 0, total: file.size });
      panel.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
      const h = uploadDataset(file, name, ({ loaded, total }) => {
        setState((s) =>
          s.kind === "uploading" && s.file === file
            ? loaded >= total
              ? { kind: "processing", file }
              : { ...s, loaded, total }
            : s,
        );
      });
      handle.current = h;
      h.promise
        .then((dataset) => {
          setState({ kind: "done", file, dataset });
          setName("");
          onUploaded(dataset);
        })
        .catch((e: Error) => {
          if (e.name === "AbortError") setState({ kind: "idle" });
          else setState({ kind: "error", file, message: e.message });
        })
        .finally(() => {
          handle.current = null;
          if (input.current) input.current.value = "";
        });
    },
    [name, onUploaded],
  );

  useEffect(() => {
    if (apiRef)
      apiRef.current = {
        start,
        choose: () => {
          panel.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
          input.current?.click();
        },
      };
  }, [apiRef, start]);
  // Leaving the page cancels an upload in flight.
  useEffect(() => () => handle.current?.abort(), []);

  const onDrop = (e: React.DragEvent) => {
    e.preventDefault(); // handled: the page's own drop handler leaves it alone
    setOver(false);
    const file = e.dataTransfer.files?.[0];
    if (file && !busy) start(file);
  };

  return (
    <section className="panel upload-panel" aria-labelledby="upload-title" id="upload" ref={panel}>
      <div className="upload-main">
        <h2 id="upload-title">Upload a dataset</h2>
        <div
          className={`dropzone${over ? " is-over" : ""}${busy ? " is-busy" : ""}`}
          data-testid="dropzone"
          onDragEnter={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragOver={(e) => {
            e.preventDefault();
            e.dataTransfer.dropEffect = busy ? "none" : "copy";
          }}
          onDragLeave={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
          }}
          onDrop={onDrop}
        >
          <svg viewBox="0 0 24 24" width="30" height="30" aria-hidden="true" className="dropzone-icon">
            <path
              d="M12 15V4M7 9l5-5 5 5M4 15v4a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-4"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.8"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
          <p className="dropzone-text">
            <strong>Drop a .zip here</strong> or{" "}
            <button type="button" className="link-button" onClick={() => input.current?.click()} disabled={busy}>
              choose a file
            </button>
          </p>
          <label className="sr-only" htmlFor="dataset-file">
            Dataset .zip file
          </label>
          <input
            ref={input}
            id="dataset-file"
            className="sr-only"
            type="file"
            accept=".zip,application/zip"
            tabIndex={-1}
            disabled={busy}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) start(f);
            }}
          />
        </div>
        <div className="field upload-name">
          <label htmlFor="dataset-name">
            Name <span className="field-hint">(optional; the file's name otherwise)</span>
          </label>
          <input
            id="dataset-name"
            type="text"
            value={name}
            maxLength={200}
            disabled={busy}
            placeholder="e.g. flowers"
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <UploadStatus state={state} onCancel={() => handle.current?.abort()} onDismiss={() => setState({ kind: "idle" })} />
      </div>
      <aside className="upload-help" aria-labelledby="layouts-title">
        <h3 id="layouts-title">What the zip can hold</h3>
        <div className="layout-option">
          <p>
            <strong>One folder per class</strong>: the folder's name is the label.
          </p>
          <pre className="file-tree" aria-label="Example: class folders">
            {"flowers.zip\n├─ daisy/   001.jpg 002.jpg …\n├─ rose/    101.png …\n└─ tulip/   …"}
          </pre>
        </div>
        <div className="layout-option">
          <p>
            <strong>Images and a CSV</strong> of <code>file,label</code> rows.
          </p>
          <pre className="file-tree" aria-label="Example: images and a CSV">
            {"flowers.zip\n├─ labels.csv\n└─ img/    001.jpg 002.jpg …"}
          </pre>
          <p className="csv-example">
            One row per image, like <code>img/001.jpg,daisy</code>; a <code>file,label</code> header is optional.
          </p>
        </div>
        <p className="muted small">
          JPEG, PNG, GIF, BMP, TIFF or WebP. Files that are not usable images are skipped and listed with the reason.
        </p>
      </aside>
    </section>
  );
}

function UploadStatus({ state, onCancel, onDismiss }: { state: UploadState; onCancel: () => void; onDismiss: () => void }) {
  if (state.kind === "idle") return null;
  if (state.kind === "uploading" || state.kind === "processing") {
    const uploading = state.kind === "uploading";
    const pct = uploading ? progressPercent(state.loaded, state.total) : 100;
    return (
      <div className="upload-status" role="status" aria-live="polite">
        <div className="upload-status-head">
          <span className="upload-file" title={state.file.name}>
            {uploading ? "Uploading" : "Checking the images of"} <strong>{state.file.name}</strong>
          </span>
          {uploading && (
            <button type="button" className="btn btn-ghost btn-sm" onClick={onCancel}>
              Cancel
            </button>
          )}
        </div>
        <div
          className={`progress${uploading ? "" : " is-indeterminate"}`}
          role="progressbar"
          aria-label="Upload progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={uploading ? pct : undefined}
          aria-valuetext={uploading ? `${pct}%` : "Upload complete; the server is checking the images"}
          data-testid="upload-progress"
        >
          <span className="progress-bar" style={{ width: `${pct}%` }} />
        </div>
        <p className="upload-progress-text" data-testid="upload-progress-text">
          {uploading
            ? formatProgress(state.loaded, state.total)
            : `Uploaded ${formatBytes(state.file.size)}. The server is checking each image and making thumbnails…`}
        </p>
      </div>
    );
  }
  if (state.kind === "error") {
    return (
      <div className="alert alert-error upload-error" role="alert">
        <div>
          <strong>{state.file ? `“${state.file.name}” was not added.` : "The upload failed."}</strong> {state.message}
        </div>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onDismiss} aria-label="Dismiss">
          ✕
        </button>
      </div>
    );
  }
  const d = state.dataset;
  return (
    <div className="upload-result" role="status" data-testid="upload-result">
      <div className="upload-result-head">
        <span className="ok-mark" aria-hidden="true">
          ✓
        </span>
        <div>
          <strong>Added “{d.name}”</strong>: {plural(d.classes.length, "class", "classes")}, {plural(d.image_count, "image")}
          {d.skipped_count > 0 && <>, {plural(d.skipped_count, "file")} skipped</>}.
        </div>
      </div>
      <ul className="class-count-list" aria-label="Classes found">
        {d.classes.map((c) => (
          <li key={c.name}>
            <span className="class-name">{c.name}</span> <span className="count">{c.count}</span>
          </li>
        ))}
      </ul>
      {d.skipped.length > 0 && <SkippedList skipped={d.skipped} total={d.skipped_count} compact />}
      <div className="upload-result-actions">
        <a className="btn btn-primary btn-sm" href={`/datasets/${d.id}/`} onClick={linkClick}>
          Open “{d.name}”
        </a>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onDismiss}>
          Upload another
        </button>
      </div>
    </div>
  );
}
