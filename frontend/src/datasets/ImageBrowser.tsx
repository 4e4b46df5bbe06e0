/**
 * Thumbnails of one class at a time (tabs), optionally one split, a page at a time ("Show more").
 * Thumbnails load lazily; each opens the stored image.
 */
import { useEffect, useRef, useState } from "react";
import type { DatasetClass, DatasetImage, SplitName } from "../api/types";
import { datasetsApi } from "./api";
import { formatCount } from "./format";
import { SPLIT_LABELS, SPLIT_NAMES } from "./split";

export const PAGE_SIZE = 32;

interface Props {
  datasetId: number;
  classes: DatasetClass[];
  /** Changes when the split is saved, so the split marks and filter reload. */
  splitKey: string;
}

interface Loaded {
  images: DatasetImage[];
  count: number;
  page: number;
}

export function ImageBrowser({ datasetId, classes, splitKey }: Props) {
  const [active, setActive] = useState(0);
  const [split, setSplit] = useState<SplitName | "">("");
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const current = classes[Math.min(active, classes.length - 1)];

  const fetchPage = (page: number, signal?: AbortSignal) =>
    datasetsApi.images(datasetId, { className: current?.name, split: split || null, page, pageSize: PAGE_SIZE }, signal);

  useEffect(() => {
    if (!current) return;
    const ctrl = new AbortController();
    setLoaded(null);
    setLoading(true);
    setError(null);
    fetchPage(1, ctrl.signal)
      .then((p) => setLoaded({ images: p.results, count: p.count, page: 1 }))
      .catch((e: Error) => {
        // An empty split of a class has no page 1: the server answers 404; show it as empty.
        if (e.name === "AbortError") return;
        if ((e as { status?: number }).status === 404) setLoaded({ images: [], count: 0, page: 1 });
        else setError(e.message);
      })
      .finally(() => !ctrl.signal.aborted && setLoading(false));
    return () => ctrl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [datasetId, current?.name, split, splitKey]);

  const more = async () => {
    if (!loaded) return;
    setLoading(true);
    try {
      const p = await fetchPage(loaded.page + 1);
      setLoaded({ images: [...loaded.images, ...p.results], count: p.count, page: loaded.page + 1 });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  };

  const onTabKey = (e: React.KeyboardEvent, index: number) => {
    const last = classes.length - 1;
    const next = e.key === "ArrowRight" ? (index === last ? 0 : index + 1) : e.key === "ArrowLeft" ? (index === 0 ? last : index - 1) : e.key === "Home" ? 0 : e.key === "End" ? last : null;
    if (next === null) return;
    e.preventDefault();
    setActive(next);
    tabs.current[next]?.focus();
  };

  if (!current) return null;
  const panelId = `class-panel-${datasetId}`;
  return (
    <section className="panel image-browser" aria-labelledby="images-title">
      <div className="panel-head">
        <h2 id="images-title">Images</h2>
        <div className="field inline-field">
          <label htmlFor="image-split-filter">Split</label>
          <select id="image-split-filter" value={split} onChange={(e) => setSplit(e.target.value as SplitName | "")}>
            <option value="">All splits</option>
            {SPLIT_NAMES.map((s) => (
              <option key={s} value={s}>
                {SPLIT_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="class-tabs" role="tablist" aria-label="Classes">
        {classes.map((c, i) => (
          <button
            key={c.name}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`class-tab-${i}`}
            aria-selected={c === current}
            aria-controls={panelId}
            tabIndex={c === current ? 0 : -1}
            className="class-tab"
            onClick={() => setActive(i)}
            onKeyDown={(e) => onTabKey(e, i)}
          >
            {c.name} <span className="count">{formatCount(split ? c.splits[split] : c.count)}</span>
          </button>
        ))}
      </div>
      <div role="tabpanel" id={panelId} aria-labelledby={`class-tab-${classes.indexOf(current)}`} className="class-panel">
        {error && (
          <p className="field-error" role="alert">
            The images could not be loaded: {error}
          </p>
        )}
        {loaded && loaded.count === 0 && (
          <p className="muted">
            No {split ? `${SPLIT_LABELS[split].toLowerCase()} ` : ""}images in “{current.name}”.
          </p>
        )}
        {loaded && loaded.images.length > 0 && (
          <ul className="thumb-grid" aria-label={`Images of ${current.name}`} data-testid="thumb-grid">
            {loaded.images.map((img) => (
              <li key={img.id} className="thumb">
                <a href={img.image_url} target="_blank" rel="noreferrer" title={`${img.file} · ${img.width}×${img.height} · ${img.split}`}>
                  <img src={img.thumbnail_url} alt={img.file} loading="lazy" decoding="async" width={112} height={112} />
                  {!split && (
                    <span className={`thumb-split swatch-${img.split}`} aria-hidden="true">
                      {img.split === "train" ? "" : img.split === "validation" ? "val" : "test"}
                    </span>
                  )}
                </a>
              </li>
            ))}
          </ul>
        )}
        {!loaded && loading && <p className="muted">Loading images…</p>}
        {loaded && loaded.count > 0 && (
          <div className="thumb-foot">
            <span className="muted" aria-live="polite">
              Showing {formatCount(loaded.images.length)} of {formatCount(loaded.count)}
            </span>
            {loaded.images.length < loaded.count && (
              <button type="button" className="btn btn-sm" onClick={() => void more()} disabled={loading}>
                {loading ? "Loading…" : `Show more`}
              </button>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
