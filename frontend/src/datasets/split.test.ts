import { describe, expect, it } from "vitest";
import { emptySplits, normaliseShares, parseSeed, randomSeed, sameSplit, setShare, shareBounds } from "./split";

const base = { train: 70, validation: 15, test: 15, seed: 42 };
const sum = (s: { train: number; validation: number; test: number }) => s.train + s.validation + s.test;

describe("setShare", () => {
  it("resizes validation and test in proportion when training changes", () => {
    expect(setShare(base, "train", 80)).toEqual({ train: 80, validation: 10, test: 10, seed: 42 });
    expect(setShare(base, "train", 90)).toEqual({ train: 90, validation: 5, test: 5, seed: 42 });
    expect(setShare({ ...base, validation: 20, test: 10 }, "train", 40)).toEqual({ ...base, train: 40, validation: 40, test: 20 });
  });

  it("gives an odd leftover to validation, never losing a percent", () => {
    const s = setShare(base, "train", 75);
    expect(s).toMatchObject({ train: 75, validation: 13, test: 12 });
    expect(sum(s)).toBe(100);
  });

  it("takes from (or gives to) training first when validation or test changes", () => {
    expect(setShare(base, "validation", 20)).toMatchObject({ train: 65, validation: 20, test: 15 });
    expect(setShare(base, "test", 0)).toMatchObject({ train: 85, validation: 15, test: 0 });
    expect(setShare(base, "test", 40)).toMatchObject({ train: 45, validation: 15, test: 40 });
  });

  it("keeps at least 1% for training, taking the rest from the other share", () => {
    expect(setShare(base, "test", 95)).toMatchObject({ train: 1, validation: 4, test: 95 });
    expect(setShare(base, "validation", 100)).toMatchObject({ train: 1, validation: 99, test: 0 });
    expect(setShare(base, "train", 0)).toMatchObject({ train: 1 });
  });

  it("gives training everything, and the rest to validation when both others are 0", () => {
    expect(setShare(base, "train", 100)).toMatchObject({ train: 100, validation: 0, test: 0 });
    expect(setShare({ train: 100, validation: 0, test: 0, seed: 1 }, "train", 90)).toMatchObject({ validation: 10, test: 0 });
  });

  it("rounds fractions, clamps out-of-range values and ignores what is not a number", () => {
    expect(setShare(base, "validation", 20.4)).toMatchObject({ validation: 20 });
    expect(setShare(base, "train", 250)).toMatchObject({ train: 100 });
    expect(setShare(base, "test", -5)).toMatchObject({ test: 0, train: 85 });
    expect(setShare(base, "train", Number.NaN)).toBe(base);
  });

  it("always adds up to 100 with whole numbers, whatever the edit", () => {
    let s = { ...base };
    const names = ["train", "validation", "test"] as const;
    for (let i = 0; i < 500; i++) {
      s = setShare(s, names[i % 3], (i * 37) % 103);
      expect(sum(s)).toBe(100);
      expect(s.train).toBeGreaterThanOrEqual(1);
      for (const n of names) expect(Number.isInteger(s[n])).toBe(true);
    }
  });

  it("keeps the proportions while a number is typed digit by digit from the same base", () => {
    const typed8 = setShare(base, "train", 8);
    expect(sum(typed8)).toBe(100);
    expect(setShare(base, "train", 80)).toMatchObject({ validation: 10, test: 10 });
  });
});

describe("normaliseShares", () => {
  it("scales any numbers to whole percentages adding up to 100", () => {
    expect(normaliseShares({ train: 7, validation: 1.5, test: 1.5 })).toEqual({ train: 70, validation: 15, test: 15 });
    expect(normaliseShares({ train: 1, validation: 1, test: 1 })).toEqual({ train: 34, validation: 33, test: 33 });
    expect(normaliseShares({ train: 0.6, validation: 0.2, test: 0.2 })).toEqual({ train: 60, validation: 20, test: 20 });
  });
  it("treats missing, negative and bad values as 0, and nothing at all as all-training", () => {
    expect(normaliseShares({})).toEqual({ train: 100, validation: 0, test: 0 });
    expect(normaliseShares({ train: -3, validation: Number.NaN, test: 50 })).toEqual({ train: 1, validation: 0, test: 99 });
  });
});

describe("bounds, seeds and comparisons", () => {
  it("allows training 1..100 and the others 0..99", () => {
    expect(shareBounds("train")).toEqual({ min: 1, max: 100 });
    expect(shareBounds("test")).toEqual({ min: 0, max: 99 });
  });
  it("accepts whole-number seeds in the server's range only", () => {
    expect(parseSeed("42")).toBe(42);
    expect(parseSeed(" 0 ")).toBe(0);
    expect(parseSeed("2147483647")).toBe(2147483647);
    expect(parseSeed("2147483648")).toBeNull();
    expect(parseSeed("-1")).toBeNull();
    expect(parseSeed("4.5")).toBeNull();
    expect(parseSeed("")).toBeNull();
    expect(parseSeed("1e3")).toBeNull();
  });
  it("draws seeds as whole numbers", () => {
    expect(randomSeed(() => 0.5)).toBe(500000);
    expect(randomSeed(() => 0)).toBe(0);
  });
  it("compares splits including the seed", () => {
    expect(sameSplit(base, { ...base })).toBe(true);
    expect(sameSplit(base, { ...base, seed: 43 })).toBe(false);
  });
});

describe("emptySplits", () => {
  it("lists classes that get no image in a split that was asked for", () => {
    const classes = [
      { name: "cats", train: 7, validation: 2, test: 1 },
      { name: "dogs", train: 1, validation: 0, test: 0 },
    ];
    expect(emptySplits({ train: 70, validation: 15, test: 15 }, classes)).toEqual([
      { name: "dogs", split: "validation" },
      { name: "dogs", split: "test" },
    ]);
    expect(emptySplits({ train: 85, validation: 15, test: 0 }, classes)).toEqual([{ name: "dogs", split: "validation" }]);
  });
});
