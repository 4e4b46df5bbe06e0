/** A gallery of evaluated images: thumbnail, true and predicted class, and the model's confidence. */
import type { EvaluationItem } from "../api/types";
import { percent } from "./format";

interface Props {
  id: string;
  title: string;
  intro: string;
  empty: string;
  items: EvaluationItem[];
  total: number;
}

export function Gallery({ id, title, intro, empty, items, total }: Props) {
  return (
    <section className="rs-card" aria-labelledby={`${id}-title`} data-testid={id}>
      <div className="rs-card-head">
        <h2 id={`${id}-title`}>
          {title} <span className="rs-count">{total}</span>
        </h2>
      </div>
      <p className="muted small rs-card-intro">{intro}</p>
      {items.length === 0 ? (
        <p className="muted small">{empty}</p>
      ) : (
        <ul className="rs-gallery">
          {items.map((item) => {
            const right = item.true === item.predicted;
            return (
              <li key={item.image_id}>
                <a href={item.image_url} target="_blank" rel="noreferrer" className="rs-shot">
                  <img
                    src={item.thumbnail_url}
                    alt={`A ${item.true_class} image, predicted ${item.predicted_class} (${percent(item.confidence, 0)})`}
                    loading="lazy"
                  />
                </a>
                <div className="rs-shot-text">
                  <span className="rs-shot-true" title="True class">
                    {item.true_class}
                  </span>
                  {!right && (
                    <span className="rs-shot-pred" title="Predicted class">
                      → {item.predicted_class}
                    </span>
                  )}
                  <span className="rs-conf" title="The model's probability for its prediction">
                    <span className="rs-conf-bar" aria-hidden="true">
                      <span className={right ? "is-right" : "is-wrong"} style={{ width: `${Math.round(item.confidence * 100)}%` }} />
                    </span>
                    {percent(item.confidence, 0)}
                  </span>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {items.length > 0 && items.length < total && (
        <p className="muted small">
          Showing {items.length} of {total}.
        </p>
      )}
    </section>
  );
}
