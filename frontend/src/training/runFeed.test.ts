import { describe, expect, it } from "vitest";
import type { RunMessage } from "../api/types";
import { backoffDelay, IDLE_CHECK_MS, RunFeed, socketUrl, type FeedDeps, type SocketLike } from "./runFeed";
import { RunStore } from "./runStore";

class FakeSocket implements SocketLike {
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  closed = false;
  readyState = 0;
  constructor(readonly url: string) {}
  close() {
    this.closed = true;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  send(...messages: RunMessage[]) {
    for (const m of messages) this.onmessage?.({ data: JSON.stringify(m) });
  }
  drop(code = 1006) {
    this.onclose?.({ code });
  }
}

/** The server's stored messages, a fake clock and fake sockets. */
function setup(stored: RunMessage[]) {
  const sockets: FakeSocket[] = [];
  const timers: { at: number; fn: () => void; id: number }[] = [];
  const fetches: number[] = [];
  let now = 0;
  let nextId = 1;
  let failFetch = false;
  const deps: FeedDeps = {
    openSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    fetchAfter: async (after, limit) => {
      fetches.push(after);
      if (failFetch) throw new Error("offline");
      return stored.filter((m) => m.seq > after).slice(0, limit);
    },
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    now: () => now,
    random: () => 0.5,
  };
  const store = new RunStore();
  let changes = 0;
  const feed = new RunFeed(store, deps, (after) => `ws://x/ws/runs/1/?after=${after}`, () => changes++);
  const advance = (ms: number) => {
    now += ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers.splice(timers.indexOf(due), 1);
      due.fn();
    }
  };
  const flush = () => new Promise((r) => setTimeout(r, 0));
  return {
    store,
    feed,
    sockets,
    fetches,
    advance,
    flush,
    timers,
    get changes() {
      return changes;
    },
    setFailFetch: (v: boolean) => (failFetch = v),
  };
}

const msg = (seq: number, type = "log", extra: Record<string, unknown> = {}): RunMessage => ({
  seq,
  type,
  time: new Date(1_700_000_000_000 + seq * 1000).toISOString(),
  message: `m${seq}`,
  ...extra,
});
const run = (n: number, final = false) =>
  Array.from({ length: n }, (_, i) =>
    i === n - 1 && final ? msg(i + 1, "status", { status: "succeeded" }) : i === 0 ? msg(1, "status", { status: "running" }) : msg(i + 1),
  );

describe("RunFeed", () => {
  it("opens the socket after the store's seq and applies what it sends", () => {
    const t = setup(run(5));
    t.feed.start();
    expect(t.sockets[0].url).toBe("ws://x/ws/runs/1/?after=0");
    t.sockets[0].open();
    expect(t.feed.state).toBe("live");
    t.sockets[0].send(...run(5));
    expect(t.store.lastSeq).toBe(5);
    expect(t.fetches).toEqual([]); // no hole, first connect: nothing fetched
  });

  it("fills a hole in seq over HTTP", async () => {
    const stored = run(6);
    const t = setup(stored);
    t.feed.start();
    t.sockets[0].open();
    t.sockets[0].send(stored[0], stored[1], stored[4]); // 3 and 4 were dropped
    expect(t.store.lastSeq).toBe(2);
    await t.flush();
    expect(t.fetches).toEqual([2]);
    expect(t.store.lastSeq).toBe(6);
    t.sockets[0].send(stored[5]); // the late push of 6: a duplicate
    expect(t.store.lastSeq).toBe(6);
  });

  it("reconnects with backoff after a drop, naming the last seq, and catches up over HTTP", async () => {
    const stored = run(8);
    const t = setup(stored);
    t.feed.start();
    t.sockets[0].open();
    t.sockets[0].send(...stored.slice(0, 3));
    t.sockets[0].drop();
    expect(t.feed.state).toBe("reconnecting");
    expect(t.sockets).toHaveLength(1);
    t.advance(backoffDelay(0, () => 0.5));
    expect(t.sockets).toHaveLength(2);
    expect(t.sockets[1].url).toBe("ws://x/ws/runs/1/?after=3");
    // The server is still down: the next try waits longer.
    t.sockets[1].drop();
    t.advance(backoffDelay(0, () => 0.5));
    expect(t.sockets).toHaveLength(2);
    t.advance(backoffDelay(1, () => 0.5));
    expect(t.sockets).toHaveLength(3);
    t.sockets[2].open();
    await t.flush();
    expect(t.fetches).toEqual([3]);
    expect(t.store.lastSeq).toBe(8);
    // The socket's replay overlaps: nothing is used twice.
    t.sockets[2].send(...stored.slice(3));
    expect(t.store.logs.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("resets the backoff once messages flow again", () => {
    const t = setup(run(4));
    t.feed.start();
    t.sockets[0].drop();
    t.advance(backoffDelay(0, () => 0.5));
    t.sockets[1].drop();
    t.advance(backoffDelay(1, () => 0.5));
    t.sockets[2].open();
    t.sockets[2].send(msg(1, "status", { status: "running" }));
    t.sockets[2].drop();
    t.advance(backoffDelay(0, () => 0.5) - 1);
    expect(t.sockets).toHaveLength(3);
    t.advance(1); // the first delay again, not the third
    expect(t.sockets).toHaveLength(4);
  });

  it("checks the stored messages when a live socket stays silent (a lost last message)", async () => {
    const stored = run(5, true);
    const t = setup(stored);
    t.feed.start();
    t.sockets[0].open();
    t.sockets[0].send(...stored.slice(0, 4)); // the final status (5) never comes over the socket
    t.advance(IDLE_CHECK_MS - 1);
    expect(t.fetches).toEqual([]);
    t.advance(1);
    await t.flush();
    expect(t.fetches).toEqual([4]);
    expect(t.store.status?.status).toBe("succeeded");
    expect(t.feed.state).toBe("done");
    expect(t.sockets[0].closed).toBe(true);
    expect(t.timers).toHaveLength(0); // nothing left running
  });

  it("keeps checking a silent socket while the run is active, and stops when the feed stops", async () => {
    const stored = run(3);
    const t = setup(stored);
    t.feed.start();
    t.sockets[0].open();
    t.sockets[0].send(...stored);
    t.advance(IDLE_CHECK_MS);
    await t.flush();
    t.advance(IDLE_CHECK_MS);
    await t.flush();
    expect(t.fetches).toEqual([3, 3]);
    t.feed.stop();
    expect(t.timers).toHaveLength(0);
  });

  it("closes the socket once the final status has arrived with nothing missing", () => {
    const stored = run(4, true);
    const t = setup(stored);
    t.feed.start();
    t.sockets[0].open();
    t.sockets[0].send(...stored);
    expect(t.feed.state).toBe("done");
    expect(t.sockets[0].closed).toBe(true);
  });

  it("fetches a finished run's history without a socket", async () => {
    const stored = run(7, true);
    const t = setup(stored);
    t.feed.start(true);
    await t.flush();
    await t.flush();
    expect(t.sockets).toHaveLength(0);
    expect(t.store.lastSeq).toBe(7);
    expect(t.feed.state).toBe("done");
  });

  it("gives up on 4403 and 4404", () => {
    const t = setup([]);
    t.feed.start();
    t.sockets[0].drop(4404);
    expect(t.feed.state).toBe("denied");
    expect(t.feed.problem).toMatch(/does not exist/);
    t.advance(60_000);
    expect(t.sockets).toHaveLength(1);
  });

  it("stops cleanly: no reconnect after stop", () => {
    const t = setup([]);
    t.feed.start();
    t.sockets[0].drop();
    t.feed.stop();
    t.advance(60_000);
    expect(t.sockets).toHaveLength(1);
    expect(t.feed.state).toBe("stopped");
  });

  it("closes a socket that is still connecting only once it opens (browsers log an error otherwise)", () => {
    const t = setup([]);
    t.feed.start();
    t.feed.stop();
    expect(t.sockets[0].closed).toBe(false);
    t.sockets[0].open();
    expect(t.sockets[0].closed).toBe(true);
    expect(t.store.lastSeq).toBe(0);
  });

  it("ignores non-run messages on the socket", () => {
    const t = setup([]);
    t.feed.start();
    t.sockets[0].open();
    t.sockets[0].onmessage?.({ data: '{"type": "error", "message": "?"}' });
    t.sockets[0].onmessage?.({ data: "not json" });
    expect(t.store.lastSeq).toBe(0);
  });
});

describe("helpers", () => {
  it("backs off by doubling up to 15 s with jitter", () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, () => 0.5))).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000]);
    expect(backoffDelay(0, () => 0)).toBe(400);
    expect(backoffDelay(0, () => 1)).toBe(600);
  });

  it("builds socket URLs for http and https pages", () => {
    expect(socketUrl(4, 10, { protocol: "http:", host: "h:8000" })).toBe("ws://h:8000/ws/runs/4/?after=10");
    expect(socketUrl(4, 0, { protocol: "https:", host: "h" })).toBe("wss://h/ws/runs/4/?after=0");
  });
});
