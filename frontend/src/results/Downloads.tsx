/**
 * Download the trained model: every format the server lists (with its one-line description and,
 * once exported, its size), the bundle, and a resumable .keras with the optimizer state. Links, so
 * the browser streams the file; the server exports and checks a format the first time it is asked.
 */
import type { Checkpoint, ModelFormats } from "../api/types";
import { modelUrl } from "./api";
import { fileSize } from "./format";

const LABELS: Record<string, string> = {
  keras: "Keras",
  h5: "HDF5",
  savedmodel: "SavedModel",
  tflite: "TensorFlow Lite",
  onnx: "ONNX",
  bundle: "Bundle",
};

interface Props {
  runId: number;
  formats: ModelFormats;
  checkpoint: Checkpoint;
}

export function Downloads({ runId, formats, checkpoint }: Props) {
  const chosen = formats.checkpoints.find((c) => c.name === checkpoint);
  const which = chosen?.epoch ? `${checkpoint} weights (epoch ${chosen.epoch})` : `${checkpoint} weights`;
  return (
    <section className="rs-card" aria-labelledby="downloads-title" data-testid="downloads">
      <h2 id="downloads-title">Download the model</h2>
      <p className="muted small rs-card-intro">
        The {which}. Each file is exported once, checked against the model in its own runtime, then kept: the first
        download of a format takes a few seconds.
      </p>
      <ul className="rs-downloads">
        {formats.formats.map((f) => {
          const exported = f.exported && checkpoint === formats.kept ? f.exported : null;
          return (
            <li key={f.name} className={f.available ? undefined : "is-unavailable"}>
              <div className="rs-dl-text">
                <span className="rs-dl-name">
                  {LABELS[f.name] ?? f.name} <code>{f.name === "bundle" ? ".zip" : f.extension}</code>
                  {exported && <span className="muted small"> · {fileSize(exported.bytes)}</span>}
                </span>
                <span className="muted small">{f.available ? f.description : f.unavailable_reason}</span>
              </div>
              {f.available ? (
                <a className="btn btn-sm" href={modelUrl(runId, f.name, checkpoint)} download data-format={f.name}>
                  Download
                </a>
              ) : (
                <span className="muted small">Unavailable</span>
              )}
            </li>
          );
        })}
        <li className={formats.optimizer_state ? undefined : "is-unavailable"}>
          <div className="rs-dl-text">
            <span className="rs-dl-name">
              Resumable Keras <code>.keras</code>
            </span>
            <span className="muted small">
              {formats.optimizer_state
                ? "The last epoch's weights with the optimizer's state, compiled: load it and call fit() to continue training."
                : "This run's optimizer state was not kept (it trained before the studio kept it)."}
            </span>
          </div>
          {formats.optimizer_state ? (
            <a className="btn btn-sm" href={modelUrl(runId, "keras", "last", true)} download data-format="keras-resumable">
              Download
            </a>
          ) : (
            <span className="muted small">Unavailable</span>
          )}
        </li>
      </ul>
    </section>
  );
}
