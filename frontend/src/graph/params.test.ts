import { describe, expect, it } from "vitest";
import type { ParamSpec } from "../api/types";
import { spec } from "../test/fixtures";
import {
  checkParamValue,
  defaultParams,
  formatCompact,
  formatCount,
  formatShape,
  nodeSummary,
  paramToText,
  parseParamInput,
  paramValue,
} from "./params";

const param = (type: string, name: string): ParamSpec => spec(type).params.find((p) => p.name === name)!;

describe("defaults", () => {
  it("gives every param its catalog default", () => {
    expect(defaultParams(spec("Dense"))).toEqual({ units: 64, activation: "linear", use_bias: true });
  });

  it("reads a node's own value before the default", () => {
    const node = { id: "d", type: "Dense", params: { units: 3 } };
    expect(paramValue(node, param("Dense", "units"))).toBe(3);
    expect(paramValue(node, param("Dense", "activation"))).toBe("linear");
  });
});

describe("int params", () => {
  const units = param("Dense", "units");
  it("accepts whole numbers within limits", () => {
    expect(parseParamInput(units, " 128 ")).toEqual({ ok: true, value: 128 });
  });
  it("refuses numbers below min or above max with the limit", () => {
    expect(parseParamInput(units, "0")).toEqual({ ok: false, error: "Value must be at least 1." });
    expect(parseParamInput(units, "70000")).toEqual({ ok: false, error: "Value must be at most 65536." });
  });
  it("refuses fractions, words and empty input", () => {
    expect(parseParamInput(units, "1.5")).toEqual({ ok: false, error: "Enter a whole number." });
    expect(parseParamInput(units, "ten")).toEqual({ ok: false, error: "Enter a whole number." });
    expect(parseParamInput(units, "")).toEqual({ ok: false, error: "A value is required." });
  });
});

describe("float params", () => {
  const rate = param("Dropout", "rate");
  it("accepts decimals in range", () => {
    expect(parseParamInput(rate, "0.25")).toEqual({ ok: true, value: 0.25 });
    expect(parseParamInput(rate, ".5")).toEqual({ ok: true, value: 0.5 });
  });
  it("refuses out-of-range values", () => {
    expect(parseParamInput(rate, "1")).toEqual({ ok: false, error: "Value must be at most 0.99." });
    expect(parseParamInput(rate, "1e")).toEqual({ ok: false, error: "Enter a number." });
  });
});

describe("ints params", () => {
  const shape = param("Input", "shape");
  const kernel = param("Conv2D", "kernel_size");
  const strides = param("MaxPooling2D", "strides");
  it("parses comma, space or x separated lists, with brackets", () => {
    expect(parseParamInput(shape, "224, 224, 3")).toEqual({ ok: true, value: [224, 224, 3] });
    expect(parseParamInput(shape, "(32 32 3)")).toEqual({ ok: true, value: [32, 32, 3] });
    expect(parseParamInput(shape, "[28x28x1]")).toEqual({ ok: true, value: [28, 28, 1] });
  });
  it("allows unknown dimensions only where the spec allows null items", () => {
    expect(parseParamInput(shape, "None, 10")).toEqual({ ok: true, value: [null, 10] });
    expect(parseParamInput(kernel, "None, 3")).toEqual({ ok: false, error: "Item 1 is empty: every dimension needs a size here." });
  });
  it("accepts a single int where Keras does", () => {
    expect(parseParamInput(kernel, "5")).toEqual({ ok: true, value: 5 });
    expect(parseParamInput(kernel, "[5]")).toEqual({ ok: false, error: "Enter at least 2 numbers." });
  });
  it("checks lengths and item limits", () => {
    expect(parseParamInput(kernel, "3,3,3")).toEqual({ ok: false, error: "Enter at most 2 numbers." });
    expect(parseParamInput(kernel, "3,0")).toEqual({ ok: false, error: "Item 2 must be at least 1." });
    expect(parseParamInput(kernel, "3,a")).toEqual({ ok: false, error: '"a" is not a whole number.' });
  });
  it("accepts only the listed lengths where the spec lists them", () => {
    const padding: ParamSpec = { name: "padding", kind: "ints", default: [1, 1], help: "", min: 0, max: 9, min_length: 1, max_length: 4, lengths: [1, 2, 4] };
    expect(parseParamInput(padding, "1, 2, 3")).toEqual({ ok: false, error: "Enter 1, 2 or 4 numbers." });
    expect(parseParamInput(padding, "1, 2, 3, 4")).toEqual({ ok: true, value: [1, 2, 3, 4] });
  });
  it("maps empty input to null for optional params", () => {
    expect(parseParamInput(strides, "")).toEqual({ ok: true, value: null });
    expect(parseParamInput(kernel, "")).toEqual({ ok: false, error: "A value is required." });
  });
  it("shows lists as editable text", () => {
    expect(paramToText([null, 28, 1])).toBe("None, 28, 1");
    expect(paramToText(3)).toBe("3");
    expect(paramToText(null)).toBe("");
  });
});

describe("checkParamValue", () => {
  it("checks choices, bools, layers and weights", () => {
    expect(checkParamValue(param("Dense", "activation"), "relu")).toBeNull();
    expect(checkParamValue(param("Dense", "activation"), "gelu2")).toMatch(/Choose one of/);
    expect(checkParamValue(param("Dense", "use_bias"), "yes")).toMatch(/true or false/);
    expect(checkParamValue(param("VGG16", "trainable_layers"), ["block5_conv1"])).toBeNull();
    expect(checkParamValue(param("VGG16", "trainable_layers"), ["block9_conv1"])).toBe("Unknown layer: block9_conv1.");
    expect(checkParamValue(param("VGG16", "weights"), null)).toBeNull();
    expect(checkParamValue(param("VGG16", "weights"), { file: 3 })).toBeNull();
    expect(checkParamValue(param("VGG16", "weights"), "places365")).toMatch(/weights/);
  });
});

describe("formatting", () => {
  it("summarises the params a layer type names", () => {
    const node = { id: "c", type: "Conv2D", params: { filters: 64, kernel_size: [3, 3], activation: "relu" } };
    expect(nodeSummary(node, spec("Conv2D"))).toEqual(["filters 64", "kernel size 3×3", "relu"]);
    expect(nodeSummary({ id: "v", type: "VGG16", params: { weights: null } }, spec("VGG16"))).toEqual(["none"]);
    expect(nodeSummary(node, undefined)).toEqual([]);
  });
  it("writes shapes the way Keras prints them", () => {
    expect(formatShape([null, 28, 28, 1])).toBe("(None, 28, 28, 1)");
    expect(formatShape([null])).toBe("(None,)");
    expect(formatShape([[null, 2], [null, 3]])).toBe("(None, 2), (None, 3)");
    expect(formatShape(null)).toBe("");
  });
  it("writes counts", () => {
    expect(formatCount(14714688)).toBe("14,714,688");
    expect(formatCount(null)).toBe("–");
    expect(formatCompact(14714688)).toBe("14.7M");
    expect(formatCompact(131328)).toBe("131.3k");
    expect(formatCompact(999)).toBe("999");
  });
});
