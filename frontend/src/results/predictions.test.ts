import { describe, expect, it } from "vitest";
import { applyResults, chunks, failItems, newItems } from "./predictions";

const file = (name: string) => new File(["x"], name, { type: "image/png" });

describe("inference items", () => {
  it("start pending with a preview URL each", () => {
    const items = newItems([file("a.png"), file("b.png")], (f) => `blob:${f.name}`);
    expect(items.map((i) => [i.file.name, i.url, i.status])).toEqual([
      ["a.png", "blob:a.png", "pending"],
      ["b.png", "blob:b.png", "pending"],
    ]);
    expect(new Set(items.map((i) => i.key)).size).toBe(2);
  });

  it("take the answers of the files that were sent, in order", () => {
    const [a, b, c] = newItems([file("a.png"), file("b.txt"), file("c.png")], () => "");
    const next = applyResults([a, b, c], [a.key, b.key], [
      { file: "a.png", predictions: [{ class: "cat", probability: 0.9 }] },
      { file: "b.txt", error: "not an image", code: "not_an_image" },
    ]);
    expect(next.map((i) => i.status)).toEqual(["done", "error", "pending"]);
    expect(next[0].predictions[0].class).toBe("cat");
    expect(next[1].error).toBe("not an image");
  });

  it("fail only the sent files when the request fails", () => {
    const [a, b] = newItems([file("a.png"), file("b.png")], () => "");
    expect(failItems([a, b], [b.key], "offline").map((i) => i.error)).toEqual([null, "offline"]);
  });

  it("go to the server in chunks", () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 2)).toEqual([]);
  });
});
