import { describe, expect, it } from "vitest";
import type { Run } from "../api/types";
import { alignedSeries, comparableMetrics, hyperparameterRows, metricRows, parseCompare } from "./compare";
import { formatClock, formatDuration, formatMetric, formatMetricFor, formatSeconds, metricLabel } from "./format";
import { defaultForm, toHyperparameters } from "./hyperparams";
import type { EpochRow } from "./runStore";

const hp = (extra: Record<string, unknown> = {}) =>
  ({
    ...toHyperparameters(defaultForm()),
    momentum: 0,
    weight_decay: 0,
    lr_step_epochs: 3,
    lr_decay_factor: 0.5,
    lr_patience: 2,
    seed: 1,
    split: "dataset",
    keep: "best",
    initial_run: null,
    ...extra,
  }) as unknown as Run["hyperparameters"];

const row = (epoch: number, values: Record<string, number | null>): EpochRow => ({
  epoch,
  epochs: 3,
  values,
  learningRate: 0.001,
  seconds: 1,
  samplesPerSecond: 10,
  partial: false,
  time: 0,
  seq: epoch,
});

describe("settings side by side", () => {
  it("marks the settings that differ and hides ones that apply to no run", () => {
    const rows = hyperparameterRows(
      [
        { hyperparameters: hp(), dataset: 1 },
        { hyperparameters: hp({ learning_rate: 0.01, seed: 2 }), dataset: 1 },
      ],
      (id) => `ds${id}`,
    );
    const by = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(by.learning_rate).toMatchObject({ values: ["0.001", "0.01"], differs: true });
    expect(by.seed.differs).toBe(true);
    expect(by.optimizer).toMatchObject({ values: ["adam", "adam"], differs: false });
    expect(by.dataset.values).toEqual(["ds1", "ds1"]);
    expect(by.momentum).toBeUndefined(); // Adam: momentum does not apply
    expect(by.augmentation.values).toEqual(["none", "none"]);
    expect(by.early_stopping.values).toEqual(["off", "off"]);
    expect(by.initial_run).toBeUndefined(); // started from nothing in both
  });

  it("shows momentum when one run uses SGD", () => {
    const rows = hyperparameterRows([
      { hyperparameters: hp(), dataset: 1 },
      { hyperparameters: hp({ optimizer: "sgd", momentum: 0.9 }), dataset: 1 },
    ]);
    expect(rows.find((r) => r.key === "momentum")).toMatchObject({ values: ["—", "0.9"], differs: true });
  });
});

describe("best metrics side by side", () => {
  it("marks the best run per metric: lowest loss, highest accuracy", () => {
    const rows = metricRows([
      { best: { val_loss: 0.5, val_accuracy: 0.8, loss: 0.4, accuracy: 0.85, epoch: 3, monitor: "val_loss" }, final: { test_accuracy: 0.7 } },
      { best: { val_loss: 0.4, val_accuracy: 0.75, loss: 0.45, accuracy: 0.9, epoch: 5, monitor: "val_loss" }, final: {} },
    ]);
    const by = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(rows.map((r) => r.key)).toEqual(["val_loss", "val_accuracy", "loss", "accuracy", "test_accuracy", "best_epoch"]);
    expect(by.val_loss.bestIndex).toBe(1);
    expect(by.val_accuracy.bestIndex).toBe(0);
    expect(by.val_accuracy.shown).toEqual(["80.0%", "75.0%"]);
    expect(by.test_accuracy).toMatchObject({ values: [0.7, null], bestIndex: null });
    expect(by.best_epoch).toMatchObject({ shown: ["3", "5"], bestIndex: null });
    expect(by.val_loss.label).toBe("Best validation loss");
  });
});

describe("curves side by side", () => {
  it("aligns runs of different lengths on one epoch axis", () => {
    const a = [row(1, { val_loss: 1 }), row(2, { val_loss: 0.5 })];
    const b = [row(1, { val_loss: 0.9 }), row(2, { val_loss: 0.6 }), row(3, { val_loss: 0.4 })];
    expect(alignedSeries([a, b], "val_loss")).toEqual([
      [1, 2, 3],
      [1, 0.5, null],
      [0.9, 0.6, 0.4],
    ]);
    expect(comparableMetrics([a, [row(1, { loss: 1, accuracy: 0.5, val_accuracy: null })]])).toEqual(["val_loss", "loss", "accuracy"]);
  });

  it("reads the runs to compare from the URL", () => {
    expect(parseCompare("3,5,x,3,0,-1,7")).toEqual([3, 5, 7]);
    expect(parseCompare(null)).toEqual([]);
    expect(parseCompare("1,2,3,4,5,6,7,8,9,10")).toHaveLength(8);
  });
});

describe("formatting", () => {
  it("formats durations, clocks and metrics", () => {
    expect(formatDuration(42.4)).toBe("42 s");
    expect(formatDuration(185)).toBe("3 min 05 s");
    expect(formatDuration(3720)).toBe("1 h 02 min");
    expect(formatDuration(null)).toBe("—");
    expect(formatSeconds(0.0843)).toBe("0.084 s");
    expect(formatSeconds(4.56)).toBe("4.6 s");
    expect(formatSeconds(75)).toBe("1 min 15 s");
    expect(formatClock(7)).toBe("0:07");
    expect(formatClock(3723)).toBe("1:02:03");
    expect(formatMetric(0.123456)).toBe("0.1235");
    expect(formatMetric(0.0001)).toBe("1.00e-4");
    expect(formatMetric(null)).toBe("—");
    expect(formatMetricFor("val_accuracy", 0.8125)).toBe("81.3%");
    expect(metricLabel("val_top_5_accuracy")).toBe("Validation top-5 accuracy");
    expect(metricLabel("test_loss")).toBe("Test loss");
  });
});
