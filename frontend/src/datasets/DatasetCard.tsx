/** One dataset in the list: cover, name, classes and counts; open, rename (inline) and delete (confirmed). */
import type { DatasetSummary } from "../api/types";
import { linkClick } from "../router";
import { formatDate, plural } from "./format";
import { useRename } from "./useRename";

interface Props {
  dataset: DatasetSummary;
  onRename: (name: string) => Promise<void>;
  onDelete: () => void;
}

const CHIPS = 4;

export function DatasetCard({ dataset: d, onRename, onDelete }: Props) {
  const { editing, name, setName, error, start, cancel, submit } = useRename(d.name, onRename);

  return (
    <li className="dataset-card" data-dataset-id={d.id}>
      <a className="dataset-cover" href={`/datasets/${d.id}/`} onClick={linkClick} tabIndex={-1} aria-hidden="true">
        {d.cover_url ? <img src={d.cover_url} alt="" loading="lazy" decoding="async" /> : <span className="cover-empty" />}
      </a>
      <div className="dataset-body">
        {editing ? (
          <form className="rename-form" onSubmit={submit}>
            <label className="sr-only" htmlFor={`rename-dataset-${d.id}`}>
              New name for {d.name}
            </label>
            <input
              id={`rename-dataset-${d.id}`}
              type="text"
              value={name}
              autoFocus
              maxLength={200}
              aria-invalid={!!error}
              aria-describedby={error ? `rename-dataset-error-${d.id}` : undefined}
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
          <a className="dataset-open" href={`/datasets/${d.id}/`} onClick={linkClick}>
            <span className="dataset-name">{d.name}</span>
            {d.source === "demo" && <span className="chip">demo</span>}
          </a>
        )}
        {error && (
          <p className="field-error" id={`rename-dataset-error-${d.id}`} role="alert">
            {error}
          </p>
        )}
        <p className="dataset-meta">
          {plural(d.classes.length, "class", "classes")} · {plural(d.image_count, "image")} · added {formatDate(d.created)}
          {d.status !== "ready" && <span className={`status-chip status-${d.status}`}>{d.status}</span>}
        </p>
        <ul className="class-chips" aria-label={`Classes of ${d.name}`}>
          {d.classes.slice(0, CHIPS).map((c) => (
            <li key={c.name}>
              {c.name} <span className="count">{c.count}</span>
            </li>
          ))}
          {d.classes.length > CHIPS && <li className="more">+{d.classes.length - CHIPS} more</li>}
        </ul>
      </div>
      <div className="dataset-actions">
        <button type="button" className="btn btn-ghost btn-sm" onClick={start} aria-label={`Rename ${d.name}`}>
          Rename
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-sm btn-danger"
          aria-label={`Delete ${d.name}`}
          onClick={() => {
            if (window.confirm(`Delete the dataset “${d.name}” and its ${plural(d.image_count, "image")}? This cannot be undone.`)) onDelete();
          }}
        >
          Delete
        </button>
      </div>
    </li>
  );
}
