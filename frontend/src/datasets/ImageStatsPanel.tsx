/** Image sizes (width and height: min, median, max, mean), colour modes and file formats of a dataset's originals. */
import type { ImageStats } from "../api/types";
import { formatCount, formatPixels, modeName } from "./format";

export function ImageStatsPanel({ stats }: { stats: ImageStats }) {
  const { width, height } = stats;
  const modes = Object.entries(stats.modes ?? {});
  const formats = Object.entries(stats.formats ?? {});
  if (!width || !height) return <p className="muted">No image statistics for this dataset.</p>;
  return (
    <div className="image-stats" data-testid="image-stats">
      <table className="stats-table">
        <caption className="sr-only">Image size in pixels</caption>
        <thead>
          <tr>
            <td />
            <th scope="col">Min</th>
            <th scope="col">Median</th>
            <th scope="col">Max</th>
            <th scope="col">Mean</th>
          </tr>
        </thead>
        <tbody>
          {(
            [
              ["Width", width],
              ["Height", height],
            ] as const
          ).map(([label, s]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{formatPixels(s.min)}</td>
              <td>
                <strong>{formatPixels(s.median)}</strong>
              </td>
              <td>{formatPixels(s.max)}</td>
              <td>{formatPixels(s.mean)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">Pixels, as uploaded. Training resizes every image to the model's input size.</p>
      <div className="stat-chip-row">
        {modes.length > 0 && (
          <div className="stat-chips">
            <h3>Colour modes</h3>
            <ul aria-label="Colour modes">
              {modes.map(([mode, n]) => (
                <li key={mode}>
                  {modeName(mode)} <span className="count">{formatCount(n)}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
        {formats.length > 0 && (
          <div className="stat-chips">
            <h3>File formats</h3>
            <ul aria-label="File formats">
              {formats.map(([format, n]) => (
                <li key={format}>
                  {format || "unknown"} <span className="count">{formatCount(n)}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </div>
  );
}
