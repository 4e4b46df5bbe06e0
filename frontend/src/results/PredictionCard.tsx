/** One image on the Inference tab: its preview, and its top classes as probability bars (or why not). */
import { useState } from "react";
import { percent } from "./format";
import type { Item } from "./predictions";

export function PredictionCard({ item, onRemove }: { item: Item; onRemove: () => void }) {
  const top = item.predictions[0];
  const [broken, setBroken] = useState(false);
  const extension = /\.([^.]{1,5})$/.exec(item.file.name)?.[1]?.toUpperCase() ?? "?";
  return (
    <li className={`rs-pred is-${item.status}`} data-testid="prediction" data-status={item.status}>
      {broken ? (
        <span className="rs-pred-img rs-pred-noimg" aria-hidden="true">
          {extension}
        </span>
      ) : (
        <img src={item.url} alt={item.file.name} className="rs-pred-img" onError={() => setBroken(true)} />
      )}
      <div className="rs-pred-body">
        <div className="rs-pred-head">
          <span className="rs-pred-file" title={item.file.name}>
            {item.file.name}
          </span>
          <button type="button" className="btn btn-ghost btn-xs" onClick={onRemove} aria-label={`Remove ${item.file.name}`}>
            ×
          </button>
        </div>
        {item.status === "pending" && <p className="muted small">Predicting…</p>}
        {item.status === "error" && (
          <p className="field-error" role="alert">
            {item.error}
          </p>
        )}
        {item.status === "done" && top && (
          <>
            <p className="rs-pred-top" data-testid="top-class">
              {top.class} <span className="muted">{percent(top.probability)}</span>
            </p>
            <ol className="rs-bars" aria-label={`Top ${item.predictions.length} classes of ${item.file.name}`}>
              {item.predictions.map((p, i) => (
                <li key={p.class}>
                  <span className="rs-bar-label" title={p.class}>
                    {p.class}
                  </span>
                  <span className="rs-bar" aria-hidden="true">
                    <span className={i === 0 ? "is-top" : undefined} style={{ width: `${Math.max(0.5, p.probability * 100)}%` }} />
                  </span>
                  <span className="rs-bar-value">{percent(p.probability)}</span>
                </li>
              ))}
            </ol>
          </>
        )}
      </div>
    </li>
  );
}
