import { describe, expect, it } from "vitest";
import {
  fileStem,
  formatBytes,
  formatCount,
  formatPixels,
  formatProgress,
  formatShare,
  isZipName,
  layoutName,
  modeName,
  plural,
  progressPercent,
} from "./format";

describe("format", () => {
  it("counts with separators and plurals", () => {
    expect(formatCount(12345)).toBe("12,345");
    expect(plural(1, "image")).toBe("1 image");
    expect(plural(122, "image")).toBe("122 images");
    expect(plural(1, "class", "classes")).toBe("1 class");
    expect(plural(4, "class", "classes")).toBe("4 classes");
    expect(plural(0, "file")).toBe("0 files");
  });

  it("writes sizes in bytes, KB, MB and GB", () => {
    expect(formatBytes(0)).toBe("0 bytes");
    expect(formatBytes(1)).toBe("1 byte");
    expect(formatBytes(999)).toBe("999 bytes");
    expect(formatBytes(1500)).toBe("1.5 KB");
    expect(formatBytes(999_960)).toBe("1.0 MB");
    expect(formatBytes(3_400_000)).toBe("3.4 MB");
    expect(formatBytes(2_000_000_000)).toBe("2.0 GB");
    expect(formatBytes(-1)).toBe("");
  });

  it("reports upload progress as a whole percentage that never passes 100", () => {
    expect(progressPercent(0, 0)).toBe(0);
    expect(progressPercent(50, 200)).toBe(25);
    expect(progressPercent(199, 200)).toBe(99);
    expect(progressPercent(300, 200)).toBe(100);
    expect(formatProgress(1_200_000, 3_000_000)).toBe("40% · 1.2 MB of 3.0 MB");
  });

  it("writes shares of a total", () => {
    expect(formatShare(1, 4)).toBe("25%");
    expect(formatShare(1, 3)).toBe("33%");
    expect(formatShare(1, 30)).toBe("3.3%");
    expect(formatShare(0, 0)).toBe("0%");
  });

  it("writes pixel sizes, modes and layouts in words", () => {
    expect(formatPixels(224)).toBe("224");
    expect(formatPixels(160.5)).toBe("160.5");
    expect(formatPixels(undefined)).toBe("–");
    expect(modeName("L")).toBe("greyscale (L)");
    expect(modeName("YCbCr")).toBe("YCbCr");
    expect(layoutName("folders")).toBe("class folders");
    expect(layoutName("csv")).toBe("CSV of file, label");
  });

  it("knows a zip by its name and takes a file's stem", () => {
    expect(isZipName("flowers.ZIP")).toBe(true);
    expect(isZipName("flowers.tar.gz")).toBe(false);
    expect(fileStem("flowers-2024.zip")).toBe("flowers-2024");
    expect(fileStem("C:\\data\\cats.v2.zip")).toBe("cats.v2");
    expect(fileStem(".hidden")).toBe(".hidden");
  });
});
