import { describe, expect, it } from "vitest";
import { xhrError } from "./api";

describe("xhrError", () => {
  it("carries the server's detail, e.g. a 413 with the limit", () => {
    const e = xhrError(413, JSON.stringify({ detail: "The upload is 3.0 GiB; the limit is 2.0 GiB.", limit: 1 }), "application/json");
    expect(e.status).toBe(413);
    expect(e.message).toBe("The upload is 3.0 GiB; the limit is 2.0 GiB.");
  });
  it("reads field errors and falls back to the status", () => {
    expect(xhrError(400, JSON.stringify({ file: ["No file was submitted."] }), "application/json").message).toBe(
      "file: No file was submitted.",
    );
    expect(xhrError(502, "<html>Bad gateway</html>", "text/html").message).toContain("HTTP 502");
  });
});
