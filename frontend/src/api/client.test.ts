import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, describeError, getCookie, request } from "./client";

describe("getCookie", () => {
  it("finds a cookie by name", () => {
    expect(getCookie("csrftoken", "a=1; csrftoken=abc%3D; b=2")).toBe("abc=");
    expect(getCookie("missing", "a=1")).toBe("");
  });
});

describe("describeError", () => {
  it("prefers the server's detail", () => {
    expect(describeError(400, { detail: "Name is taken." }).message).toBe("Name is taken.");
  });
  it("collects field errors and names the first one", () => {
    const r = describeError(400, { name: ["This field may not be blank."] });
    expect(r.fields).toEqual({ name: "This field may not be blank." });
    expect(r.message).toBe("name: This field may not be blank.");
  });
  it("reads graph error lists", () => {
    expect(describeError(400, { errors: [{ code: "x", message: "Lambda layers are refused." }] }).message).toBe(
      "Lambda layers are refused.",
    );
  });
  it("falls back to a message per status, never an HTML page", () => {
    expect(describeError(500, "<html>Server Error</html>").message).toMatch(/server failed/);
    expect(describeError(403, null).message).toMatch(/Sign in/);
    expect(describeError(0, null).message).toMatch(/cannot be reached/);
  });
});

describe("request", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("sends JSON with the CSRF token and parses the answer", async () => {
    vi.stubGlobal("document", { cookie: "csrftoken=tok" });
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ id: 1 }), { status: 201, headers: { "Content-Type": "application/json" } }));
    vi.stubGlobal("fetch", fetchMock);
    const out = await request("/api/projects/", { method: "POST", body: { name: "x" } });
    expect(out).toEqual({ id: 1 });
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/projects/");
    expect(init.headers).toMatchObject({ "X-CSRFToken": "tok", "Content-Type": "application/json" });
    expect(init.body).toBe('{"name":"x"}');
  });

  it("throws an ApiError with the server's message", async () => {
    vi.stubGlobal("document", { cookie: "" });
    vi.stubGlobal("fetch", async () => new Response('{"detail": "Too big."}', { status: 413, headers: { "Content-Type": "application/json" } }));
    const err = (await request("/api/x/", { method: "PUT", body: {} }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe("Too big.");
    expect(err.status).toBe(413);
  });
});
