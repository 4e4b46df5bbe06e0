/**
 * A line chart of per-epoch (and per-batch) values, drawn with uPlot: fast enough to redraw many
 * times a second with tens of thousands of batch points. The canvas is hidden from screen readers;
 * the figure's caption and summary say what it shows (the epoch table has every number).
 */
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface SeriesSpec {
  label: string;
  color: string;
  width?: number;
  dash?: number[];
  /** Draw a dot at each value (epoch values); off for dense per-batch lines. */
  points?: boolean;
  format?: (v: number) => string;
}

interface Props {
  title: string;
  /** [x, series 1, series 2, ...] aligned, null where a series has no value. */
  data: uPlot.AlignedData;
  series: SeriesSpec[];
  /** Keep the x axis at least this wide (the run's epochs, so it fills in as training goes). */
  xMax?: number | null;
  yFormat?: (v: number) => string;
  /** Offer a log-scale y axis (on by itself when positive values span more than two decades). */
  allowLog?: boolean;
  /** In words, for screen readers (latest values, best epoch). */
  summary: string;
  height?: number;
  testId?: string;
  /** Epoch points drawn so far (exposed for tests and styles). */
  points?: number;
  empty?: string;
  className?: string;
}

export function Chart({ title, data, series, xMax, yFormat, allowLog = false, summary, height = 210, testId, points, empty, className }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const logId = useId();
  const [userLog, setUserLog] = useState<boolean | null>(null);
  const span = useMemo(() => positiveSpan(data), [data]);
  const logOk = allowLog && span !== null;
  const logY = logOk && (userLog ?? (span !== null && span.max / span.min > 100));
  // A log axis cannot show 0 or less (a loss may reach exactly 0): such values are left out.
  const shown = useMemo(() => (logY ? positiveOnly(data) : data), [data, logY]);
  const plot = useRef<uPlot | null>(null);
  const xMaxRef = useRef(xMax);
  xMaxRef.current = xMax;
  const dataRef = useRef<uPlot.AlignedData>(data);

  // Rebuild the chart only when what it draws changes shape (series, scale kind), not for new values.
  const shape = useMemo(
    () => JSON.stringify([series.map((s) => [s.label, s.color, s.width, s.dash, s.points]), logY, height]),
    [series, logY, height],
  );
  const formats = useRef({ series, yFormat });
  formats.current = { series, yFormat };

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const fmtY = (v: number) => (formats.current.yFormat ? formats.current.yFormat(v) : formatTick(v));
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      pxAlign: 0,
      legend: { live: true },
      cursor: { drag: { x: true, y: false }, points: { size: 7 } },
      scales: {
        x: {
          time: false,
          range: (_u, min, max) => {
            const hi = Math.max(xMaxRef.current ?? 0, Number.isFinite(max) ? max : 1, 1);
            const lo = Number.isFinite(min) ? Math.min(0, min) : 0;
            return [lo, hi];
          },
        },
        y: logY ? { distr: 3 } : { range: (_u, min, max) => padRange(min, max) },
      },
      axes: [
        {
          stroke: "#5b6776",
          grid: { stroke: "#eef1f4", width: 1 },
          ticks: { stroke: "#dfe3e8", width: 1 },
          incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000],
          values: (_u, vals) => vals.map((v) => (Number.isInteger(v) ? String(v) : "")),
          font: "11px system-ui, sans-serif",
        },
        {
          stroke: "#5b6776",
          grid: { stroke: "#eef1f4", width: 1, ...(logY ? { filter: decades } : {}) },
          ticks: { stroke: "#dfe3e8", width: 1, ...(logY ? { filter: decades } : {}) },
          ...(logY ? { filter: decades } : {}),
          size: (_u, values) => (values ? Math.max(28, ...values.map((v) => v.length * 6.4)) + 16 : 50),
          values: (_u, vals) => vals.map((v) => (v === null ? "" : fmtY(v))),
          font: "11px system-ui, sans-serif",
        },
      ],
      series: [
        { label: "Epoch", value: (_u, v) => (v === null || v === undefined ? "—" : Number.isInteger(v) ? String(v) : v.toFixed(2)) },
        ...series.map(
          (s, i): uPlot.Series => ({
            label: s.label,
            stroke: s.color,
            width: s.width ?? 2,
            dash: s.dash,
            spanGaps: true,
            // Dots while there is room for them; a long run's curve is a plain line.
            points: s.points ? { size: 6, width: 1.5, fill: "#fff", show: roomForDots } : { show: false },
            value: (_u, v) => {
              if (v === null || v === undefined) return "—";
              const f = formats.current.series[i]?.format ?? fmtY;
              return f(v);
            },
          }),
        ),
      ],
    };
    opts.hooks = {
      // Without a cursor on the chart, the legend shows each series' latest value.
      setCursor: [(self) => self.cursor.idx == null && showLatest(self)],
      draw: [(self) => self.cursor.idx == null && showLatest(self)],
    };
    const u = new uPlot(opts, dataRef.current, el);
    plot.current = u;
    showLatest(u);
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (Math.abs(w - u.width) > 1) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);

  dataRef.current = shown;
  useEffect(() => {
    plot.current?.setData(shown);
  }, [shown, xMax]);

  const hasData = data[0].length > 0;
  return (
    <figure className={className ? `chart ${className}` : "chart"} data-testid={testId} data-points={points ?? undefined} aria-labelledby={testId ? `${testId}-title` : undefined}>
      <div className="chart-head">
        <figcaption id={testId ? `${testId}-title` : undefined} className="chart-title">
          {title}
        </figcaption>
        {allowLog && (
          <label className="chart-log" htmlFor={logId}>
            <input id={logId} type="checkbox" checked={logY} disabled={!logOk} onChange={(e) => setUserLog(e.target.checked)} />
            Log scale
          </label>
        )}
      </div>
      <p className="sr-only">{summary}</p>
      <div className="chart-box" ref={box} aria-hidden="true" />
      {!hasData && <p className="chart-empty">{empty ?? "No values yet."}</p>}
    </figure>
  );
}

/** On a log axis, only the powers of ten (when there are at least two), so lines and labels stay sparse. */
function decades(_u: uPlot, splits: number[]): (number | null)[] {
  const isDecade = (v: number) => v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
  return splits.filter(isDecade).length >= 2 ? splits.map((v) => (isDecade(v) ? v : null)) : splits;
}

/** Tick labels: short numbers, exponent form for tiny ones (0.00095 -> 9.5e-4). */
export function formatTick(v: number): string {
  if (v === 0) return "0";
  const abs = Math.abs(v);
  if (abs < 1e-3 || abs >= 1e5) return v.toExponential(1).replace(".0e", "e").replace("e+", "e");
  return String(Number(v.toPrecision(3)));
}

/** The smallest and largest positive value of all series (not x), null when there is none. */
function positiveSpan(data: uPlot.AlignedData): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 1; i < data.length; i++) {
    for (const v of data[i] as (number | null | undefined)[]) {
      if (v === null || v === undefined || v <= 0) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min <= max ? { min, max } : null;
}

function positiveOnly(data: uPlot.AlignedData): uPlot.AlignedData {
  return [data[0], ...data.slice(1).map((col) => (col as (number | null)[]).map((v) => (v !== null && v !== undefined && v > 0 ? v : null)))] as uPlot.AlignedData;
}

/** Dots on a series while each has about 9 px (counting its values, not the shared x axis's). */
function roomForDots(u: uPlot, seriesIdx: number, idx0: number, idx1: number): boolean {
  const values = u.data[seriesIdx] as (number | null | undefined)[];
  let count = 0;
  for (let i = idx0; i <= idx1; i++) if (values[i] !== null && values[i] !== undefined) count++;
  return count <= 1 || u.bbox.width / (window.devicePixelRatio || 1) / count >= 9;
}

/** Point the legend at each series' last value. */
function showLatest(u: uPlot) {
  const idxs = u.data.map((col, si) => {
    const values = col as (number | null | undefined)[];
    if (si === 0) return values.length ? values.length - 1 : null;
    for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== undefined) return i;
    return null;
  });
  if (idxs[0] !== null) u.setLegend({ idxs });
}

/** A little room above and below the values so lines do not touch the frame. */
function padRange(min: number | null, max: number | null): [number, number] {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) {
    const d = Math.abs(min) * 0.1 || 0.1;
    return [min - d, max + d];
  }
  const pad = (max - min) * 0.08;
  return [min >= 0 && min - pad < 0 ? 0 : min - pad, max + pad];
}
