import { describe, expect, it } from "vitest";
import { parseRoute, projectUrl } from "./router";

describe("parseRoute", () => {
  it("maps page URLs to routes", () => {
    expect(parseRoute("/")).toEqual({ name: "projects" });
    expect(parseRoute("/projects/")).toEqual({ name: "projects" });
    expect(parseRoute("/projects/12/")).toEqual({ name: "project", id: "12", tab: "model" });
    expect(parseRoute("/projects/12/training/")).toEqual({ name: "project", id: "12", tab: "training" });
    expect(parseRoute("/datasets/")).toEqual({ name: "datasets" });
    expect(parseRoute("/datasets/3/")).toEqual({ name: "dataset", id: "3" });
  });
  it("does not guess at unknown URLs", () => {
    expect(parseRoute("/projects/12/bogus/")).toEqual({ name: "notfound", path: "/projects/12/bogus/" });
    expect(parseRoute("/projects/abc/")).toEqual({ name: "notfound", path: "/projects/abc/" });
  });
  it("builds project URLs", () => {
    expect(projectUrl(4)).toBe("/projects/4/model/");
    expect(projectUrl(4, "data")).toBe("/projects/4/data/");
  });
});
