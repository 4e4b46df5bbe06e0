/**
 * The layer palette, built only from GET /api/layers/: grouped by category, searchable. Drag an
 * entry onto the canvas, or press Enter / click to add it (after the selected layer, if one is).
 */
import { useMemo, useState } from "react";
import type { Catalog, LayerSpec } from "../api/types";
import { LAYER_MIME } from "./Canvas";
import { categoryColor } from "./colors";

interface Props {
  catalog: Catalog;
  onAdd: (type: string) => void;
}

export function matches(spec: LayerSpec, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return [spec.type, spec.category, spec.help].some((s) => s.toLowerCase().includes(q));
}

export function Palette({ catalog, onAdd }: Props) {
  const [query, setQuery] = useState("");
  const [closed, setClosed] = useState<Set<string>>(new Set());

  const groups = useMemo(() => {
    const cats = [...catalog.categories];
    for (const l of catalog.layers) if (!cats.includes(l.category)) cats.push(l.category);
    return cats
      .map((c) => ({ category: c, layers: catalog.layers.filter((l) => l.category === c && matches(l, query)) }))
      .filter((g) => g.layers.length > 0);
  }, [catalog, query]);

  const toggle = (c: string) =>
    setClosed((s) => {
      const n = new Set(s);
      if (n.has(c)) n.delete(c);
      else n.add(c);
      return n;
    });

  return (
    <aside className="palette" aria-label="Layer palette">
      <div className="palette-search">
        <label htmlFor="palette-search" className="sr-only">
          Search layers
        </label>
        <input
          id="palette-search"
          type="search"
          placeholder="Search layers…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          autoComplete="off"
        />
      </div>
      <div className="palette-groups">
        {groups.length === 0 && <p className="muted palette-empty">No layer matches “{query}”.</p>}
        {groups.map(({ category, layers }) => {
          const open = query.trim() !== "" || !closed.has(category);
          const id = `palette-${category.replace(/\W+/g, "-")}`;
          return (
            <section key={category} className="palette-group" style={{ "--cat": categoryColor(category) } as React.CSSProperties}>
              <h3>
                <button type="button" aria-expanded={open} aria-controls={id} onClick={() => toggle(category)}>
                  <span className="chev" aria-hidden="true">
                    {open ? "▾" : "▸"}
                  </span>
                  {category}
                  <span className="count">{layers.length}</span>
                </button>
              </h3>
              {open && (
                <ul id={id}>
                  {layers.map((l) => (
                    <li key={l.type}>
                      <button
                        type="button"
                        className="palette-item"
                        draggable
                        data-layer-type={l.type}
                        title={`${l.help}\nDrag onto the canvas, or press Enter to add.`}
                        aria-label={`Add ${l.type} layer: ${l.help}`}
                        onDragStart={(e) => {
                          e.dataTransfer.setData(LAYER_MIME, l.type);
                          e.dataTransfer.setData("text/plain", l.type);
                          e.dataTransfer.effectAllowed = "copy";
                        }}
                        onClick={() => onAdd(l.type)}
                      >
                        <span className="swatch" aria-hidden="true" />
                        <span className="palette-item-text">
                          <span className="palette-item-name">{l.type}</span>
                          <span className="palette-item-help">{l.help}</span>
                        </span>
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          );
        })}
      </div>
    </aside>
  );
}
