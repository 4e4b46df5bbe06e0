/** How the canvas frames a model: readable first, complete second. */
import type { useReactFlow } from "@xyflow/react";

/** Below this zoom, cards are hard to read: a tall model opens at its top instead of fitting. */
const READABLE_ZOOM = 0.7;

/** The view a model opens with: all of it if that stays readable, else its top, centred. */
export function openView(flow: ReturnType<typeof useReactFlow>, el: HTMLElement | null) {
  const nodes = flow.getNodes();
  if (!nodes.length || !el) return;
  const b = flow.getNodesBounds(nodes);
  const pad = 40;
  const fit = Math.min((el.clientWidth - 2 * pad) / b.width, (el.clientHeight - 2 * pad) / b.height, 1);
  if (fit >= READABLE_ZOOM) {
    void flow.fitView({ padding: 0.15, maxZoom: 1 });
    return;
  }
  const zoom = Math.min(0.85, Math.max(READABLE_ZOOM, (el.clientWidth - 2 * pad) / b.width));
  void flow.setViewport({ x: el.clientWidth / 2 - (b.x + b.width / 2) * zoom, y: pad - b.y * zoom, zoom });
}
