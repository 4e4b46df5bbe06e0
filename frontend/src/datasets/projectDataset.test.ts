import { describe, expect, it } from "vitest";
import { getProjectDataset, projectDatasetKey, setProjectDataset } from "./projectDataset";

function memoryStore() {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

describe("project dataset choice", () => {
  it("remembers a dataset per project and forgets it on null", () => {
    const store = memoryStore();
    expect(getProjectDataset(7, store)).toBeNull();
    setProjectDataset(7, 3, store);
    setProjectDataset("8", 5, store);
    expect(getProjectDataset("7", store)).toBe(3);
    expect(getProjectDataset(8, store)).toBe(5);
    expect(store.data.get(projectDatasetKey(7))).toBe('{"dataset":3}');
    setProjectDataset(7, null, store);
    expect(getProjectDataset(7, store)).toBeNull();
    expect(getProjectDataset(8, store)).toBe(5);
  });

  it("reads damaged or foreign values as no choice", () => {
    const store = memoryStore();
    for (const raw of ["not json", '{"dataset":"3"}', '{"dataset":-1}', "null", '{"dataset":1.5}']) {
      store.setItem(projectDatasetKey(1), raw);
      expect(getProjectDataset(1, store)).toBeNull();
    }
    store.setItem(projectDatasetKey(1), "9");
    expect(getProjectDataset(1, store)).toBe(9);
  });

  it("never throws when storage is missing or refuses", () => {
    const broken = {
      getItem: () => {
        throw new Error("blocked");
      },
      setItem: () => {
        throw new Error("quota");
      },
      removeItem: () => {
        throw new Error("blocked");
      },
    };
    expect(getProjectDataset(1, broken)).toBeNull();
    expect(() => setProjectDataset(1, 2, broken)).not.toThrow();
    expect(getProjectDataset(1, null)).toBeNull();
  });
});
