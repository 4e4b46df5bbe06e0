import { describe, expect, it } from "vitest";
import type { Run } from "../api/types";
import { decimal, defaultSplit, fileSize, filenameFromDisposition, finishedRuns, heat, parseCsv, percent, pickRun, rowShares } from "./format";

describe("numbers", () => {
  it("shows percentages, decimals and file sizes, and a dash for missing values", () => {
    expect(percent(0.8125)).toBe("81.3%");
    expect(percent(null)).toBe("—");
    expect(decimal(0.123456)).toBe("0.123");
    expect(decimal(Number.NaN)).toBe("—");
    expect(fileSize(512)).toBe("512 B");
    expect(fileSize(1536)).toBe("1.5 KB");
    expect(fileSize(58 * 1024 * 1024)).toBe("58 MB");
  });
});

describe("confusion matrix", () => {
  it("shades each cell by its share of the true class's row", () => {
    expect(rowShares([[3, 1], [0, 0]])).toEqual([[0.75, 0.25], [0, 0]]);
  });

  it("runs from near-white to dark blue with readable text", () => {
    expect(heat(0)).toEqual({ background: "rgb(247, 251, 255)", color: "#1b2430" });
    expect(heat(1)).toEqual({ background: "rgb(8, 48, 107)", color: "#fff" });
    expect(heat(7).background).toBe(heat(1).background);
  });
});

describe("filenameFromDisposition", () => {
  it("reads quoted, bare and RFC 5987 names", () => {
    expect(filenameFromDisposition('attachment; filename="veg_run-3_predictions.csv"', "x.csv")).toBe("veg_run-3_predictions.csv");
    expect(filenameFromDisposition("attachment; filename=model.onnx", "x")).toBe("model.onnx");
    expect(filenameFromDisposition("attachment; filename*=UTF-8''caf%C3%A9.csv", "x")).toBe("café.csv");
    expect(filenameFromDisposition(null, "fallback.csv")).toBe("fallback.csv");
  });
});

describe("runs", () => {
  const run = (id: number, status: Run["status"], epoch = 3) => ({ id, status, epoch }) as Run;

  it("keeps runs that finished with weights", () => {
    const runs = [run(1, "succeeded"), run(2, "running"), run(3, "stopped", 0), run(4, "stopped", 2), run(5, "failed")];
    expect(finishedRuns(runs).map((r) => r.id)).toEqual([1, 4]);
  });

  it("opens the test split unless the run held no test images out", () => {
    const withSplit = (split: unknown) => ({ hyperparameters: { split } }) as unknown as Run;
    expect(defaultSplit(withSplit("dataset"))).toBe("test");
    expect(defaultSplit(withSplit({ validation: 0.2, test: 0.1 }))).toBe("test");
    expect(defaultSplit(withSplit({ validation: 0.2, test: 0 }))).toBe("validation");
  });

  it("picks the requested run, else the newest", () => {
    const runs = [run(9, "succeeded"), run(4, "succeeded")];
    expect(pickRun(runs, 4)?.id).toBe(4);
    expect(pickRun(runs, 77)?.id).toBe(9);
    expect(pickRun([], null)).toBeNull();
  });
});

describe("parseCsv", () => {
  it("splits rows and cells, honouring quotes", () => {
    const text = 'file,status,error\n"a,b.png",ok,\n\'=x.png,error,"said ""no""\nand more"\n';
    expect(parseCsv(text)).toEqual([
      ["file", "status", "error"],
      ["a,b.png", "ok", ""],
      ["'=x.png", "error", 'said "no"\nand more'],
    ]);
    expect(parseCsv(text, 2)).toHaveLength(2);
  });
});
