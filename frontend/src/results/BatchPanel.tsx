/** Batch prediction: a zip of images in, a CSV (one row per file: top classes, probabilities, errors) out. */
import { useEffect, useRef, useState } from "react";
import type { Checkpoint } from "../api/types";
import { type BatchCsv, predictBatch } from "./api";
import { parseCsv } from "./format";

interface Props {
  runId: number;
  checkpoint: Checkpoint | null;
  k: number;
}

const PREVIEW_ROWS = 6;

export function BatchPanel({ runId, checkpoint, k }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<(BatchCsv & { url: string; zip: string }) | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => () => {
    if (result) URL.revokeObjectURL(result.url);
  }, [result]);

  async function send(zip: File) {
    setBusy(true);
    setError(null);
    try {
      const csv = await predictBatch(runId, zip, k, checkpoint);
      setResult({ ...csv, url: URL.createObjectURL(csv.blob), zip: zip.name });
    } catch (e) {
      setResult(null);
      setError((e as Error).message);
    } finally {
      setBusy(false);
      if (input.current) input.current.value = "";
    }
  }

  const rows = result ? parseCsv(result.text, PREVIEW_ROWS + 1) : [];
  return (
    <section className="rs-card" aria-labelledby="batch-title" data-testid="batch">
      <h2 id="batch-title">Batch: a zip of images → CSV</h2>
      <p className="muted small rs-card-intro">
        Every image in the zip (folders included) gets a row: file, status, the top {k} classes with their probabilities, and an
        error for files that are not usable images.
      </p>
      <label className={`btn${busy ? " is-busy" : ""}`}>
        <input
          ref={input}
          type="file"
          accept=".zip,application/zip"
          className="sr-only"
          disabled={busy}
          onChange={(e) => {
            const zip = e.target.files?.[0];
            if (zip) void send(zip);
          }}
        />
        {busy ? "Scoring…" : "Choose a .zip"}
      </label>
      {error && (
        <p className="field-error rs-batch-error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <div className="rs-batch-result" role="status">
          <p>
            <a className="btn btn-primary btn-sm" href={result.url} download={result.filename}>
              Download {result.filename}
            </a>{" "}
            <span className="muted small">
              {result.files} file{result.files === 1 ? "" : "s"} from {result.zip}
              {result.errors ? `, ${result.errors} not usable` : ""}
            </span>
          </p>
          {rows.length > 1 && (
            <div className="rs-table-scroll">
              <table className="rs-table rs-csv">
                <thead>
                  <tr>
                    {rows[0].map((h) => (
                      <th scope="col" key={h}>
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {rows.slice(1).map((r, i) => (
                    // eslint-disable-next-line react/no-array-index-key -- rows have no id
                    <tr key={i}>
                      {r.map((cell, j) => (
                        <td key={j}>{cell}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
              {result.files > PREVIEW_ROWS && <p className="muted small">First {PREVIEW_ROWS} of {result.files} rows.</p>}
            </div>
          )}
        </div>
      )}
    </section>
  );
}
