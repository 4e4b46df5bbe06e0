/** Formatting for the dataset pages, pure (locale fixed to en for stable text and tests). */

const number = new Intl.NumberFormat("en");

export function formatCount(n: number): string {
  return number.format(n);
}

/** "1 image", "122 images"; `plural` defaults to the word + "s". */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : pluralWord}`;
}

/** Bytes as a person reads them: "912 bytes", "3.4 KB", "1.2 MB", "2.0 GB" (powers of 1000). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "";
  if (n < 1000) return `${Math.round(n)} byte${Math.round(n) === 1 ? "" : "s"}`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1000;
  let i = 0;
  while (v >= 999.95 && i < units.length - 1) {
    v /= 1000;
    i += 1;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** Upload progress: "40% · 1.2 MB of 3.0 MB". */
export function formatProgress(loaded: number, total: number): string {
  const pct = progressPercent(loaded, total);
  return `${pct}% · ${formatBytes(Math.min(loaded, total))} of ${formatBytes(total)}`;
}

export function progressPercent(loaded: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.max(0, Math.min(100, Math.floor((loaded / total) * 100)));
}

/** A percentage of a total, "0%" when the total is 0, at most one decimal below 10%. */
export function formatShare(part: number, total: number): string {
  if (!(total > 0)) return "0%";
  const p = (part / total) * 100;
  if (p > 0 && p < 10 && !Number.isInteger(p)) return `${p.toFixed(1)}%`;
  return `${Math.round(p)}%`;
}

export function formatDate(iso: string | undefined | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleDateString("en", { dateStyle: "medium" });
}

/** A size in pixels: "224 × 224"; medians may be halves ("160.5"). */
export function formatPixels(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "–";
  return Number.isInteger(n) ? formatCount(n) : n.toFixed(1);
}

/** Pillow's mode names in words. */
const MODE_NAMES: Record<string, string> = {
  RGB: "colour (RGB)",
  RGBA: "colour with transparency (RGBA)",
  L: "greyscale (L)",
  LA: "greyscale with transparency (LA)",
  P: "palette (P)",
  "1": "black and white (1)",
  CMYK: "CMYK",
  "I;16": "16-bit greyscale (I;16)",
  I: "32-bit greyscale (I)",
  F: "floating point (F)",
};

export function modeName(mode: string): string {
  return MODE_NAMES[mode] ?? mode;
}

/** "how the upload was laid out", from the dataset's `layout`. */
export function layoutName(layout: string): string {
  if (layout === "folders") return "class folders";
  if (layout === "csv") return "CSV of file, label";
  return layout;
}

/** A file's name without folders and extension, the default dataset name for an upload. */
export function fileStem(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(0, dot) : base;
}

export function isZipName(name: string): boolean {
  return /\.zip$/i.test(name.trim());
}
