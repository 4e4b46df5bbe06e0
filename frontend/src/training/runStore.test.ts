import { describe, expect, it } from "vitest";
import type { RunMessage } from "../api/types";
import { baseMetricNames, estimateEta, RunStore, secondsPerEpoch } from "./runStore";

const T0 = Date.parse("2025-03-01T10:00:00Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

/** A run's stored history: queued, running, `epochs` epochs of `steps` batches (each 1 s), succeeded. */
function history(epochs = 3, steps = 4, { val = true, total = epochs } = {}): RunMessage[] {
  const out: RunMessage[] = [];
  let seq = 0;
  let t = 0;
  const push = (type: string, payload: Record<string, unknown>) => out.push({ seq: ++seq, type, time: at(t), ...payload });
  push("status", { status: "queued", message: "Waiting for a worker." });
  t += 1;
  push("status", { status: "running", message: "Training on w1 (CPU).", worker: "w1", devices: ["CPU"], attempt: 1 });
  push("log", { message: "Training process 12 on CPU." });
  for (let e = 1; e <= epochs; e++) {
    for (let s = 1; s <= steps; s++) {
      t += 1;
      push("batch", { epoch: e, step: s, steps, loss: 1 / (e + s / steps), accuracy: 0.5 + e * 0.05 });
    }
    push("epoch", {
      epoch: e,
      epochs: total,
      loss: 1 / e,
      accuracy: 0.5 + e * 0.1,
      ...(val ? { val_loss: 1.2 / e + (e === 3 ? 0.5 : 0), val_accuracy: 0.4 + e * 0.1 } : {}),
      learning_rate: 0.001 / e,
      seconds: steps,
      samples_per_second: 8,
    });
  }
  if (epochs === total) {
    t += 1;
    push("status", { status: "succeeded", message: `Trained ${total} epochs. Kept the best weights.` });
  }
  return out;
}

function shuffle<T>(items: T[], seed = 7): T[] {
  const a = [...items];
  let s = seed;
  for (let i = a.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Everything a page draws, to compare two stores. */
function snapshot(s: RunStore) {
  return {
    lastSeq: s.lastSeq,
    status: s.status?.status,
    epochs: s.epochs.map((r) => [r.epoch, r.values]),
    batches: s.batches.map((b) => [b.x, b.values.loss]),
    logs: s.logs.map((l) => l.seq),
    loss: s.chartData("loss"),
    accuracy: s.chartData("accuracy"),
    lr: s.learningRateData(),
  };
}

describe("RunStore.apply", () => {
  it("uses messages in seq order, each once", () => {
    const msgs = history();
    const s = new RunStore();
    const r = s.apply(msgs);
    expect(r).toEqual({ added: msgs.length, duplicates: 0, gap: false, after: msgs.length });
    const again = s.apply(msgs.slice(3, 10));
    expect(again).toMatchObject({ added: 0, duplicates: 7, gap: false });
    expect(s.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(s.batches).toHaveLength(12);
    expect(s.status?.status).toBe("succeeded");
  });

  it("holds messages after a hole back until the hole is filled, and says where to fetch from", () => {
    const msgs = history();
    const s = new RunStore();
    s.apply(msgs.slice(0, 5));
    const hole = s.apply(msgs.slice(7, 12));
    expect(hole).toEqual({ added: 0, duplicates: 0, gap: true, after: 5 });
    expect(s.hasGap).toBe(true);
    expect(s.batches).toHaveLength(2); // nothing beyond the hole is drawn yet
    const filled = s.apply(msgs.slice(5, 7)); // the HTTP catch-up
    expect(filled).toMatchObject({ added: 7, gap: false, after: 12 });
    expect(s.hasGap).toBe(false);
  });

  it("draws the same history however the messages arrive: shuffled, overlapping, replayed", () => {
    const msgs = history(5, 6);
    const inOrder = new RunStore();
    inOrder.apply(msgs);

    const messy = new RunStore();
    // A socket replay, a reconnect replaying from an older seq, an HTTP page, all out of order.
    const parts = [msgs.slice(0, 20), msgs.slice(10, 30), shuffle(msgs.slice(25)), msgs.slice(0, 3)];
    for (const p of shuffle(parts, 3)) messy.apply(p);
    expect(snapshot(messy)).toEqual(snapshot(inOrder));

    const oneByOne = new RunStore();
    for (const m of shuffle(msgs, 11)) oneByOne.apply([m]);
    expect(snapshot(oneByOne)).toEqual(snapshot(inOrder));
  });

  it("a page opened mid-run, then following, equals one that saw it all", () => {
    const msgs = history(4, 5);
    const full = new RunStore();
    full.apply(msgs);
    const reloaded = new RunStore();
    reloaded.apply(msgs.slice(0, 17)); // first page load (socket replay)
    const afterReload = new RunStore(); // the reload: a fresh store, replay from 0
    afterReload.apply(msgs.slice(0, 17));
    afterReload.apply(msgs.slice(12)); // the live stream overlapping the replay
    expect(snapshot(afterReload)).toEqual(snapshot(full));
  });

  it("ignores messages without a usable seq", () => {
    const s = new RunStore();
    const r = s.apply([{ type: "error", message: "x" } as unknown as RunMessage, { seq: 0, type: "log", time: at(0) }]);
    expect(r).toMatchObject({ added: 0, gap: false });
    expect(s.version).toBe(0);
  });

  it("bumps its version only when something was used", () => {
    const s = new RunStore();
    const msgs = history(1, 2);
    s.apply(msgs.slice(0, 2));
    const v = s.version;
    s.apply(msgs.slice(0, 2));
    expect(s.version).toBe(v);
    s.apply(msgs.slice(2, 3));
    expect(s.version).toBe(v + 1);
  });
});

describe("resumed runs", () => {
  it("batches that go back in time replace the ones they repeat; an epoch's latest message wins", () => {
    const s = new RunStore();
    const msgs: RunMessage[] = [
      { seq: 1, type: "status", time: at(0), status: "running" },
      { seq: 2, type: "batch", time: at(1), epoch: 1, step: 2, steps: 2, loss: 0.9 },
      { seq: 3, type: "epoch", time: at(2), epoch: 1, epochs: 3, loss: 0.9, seconds: 2 },
      { seq: 4, type: "batch", time: at(3), epoch: 2, step: 1, steps: 2, loss: 0.8 },
      { seq: 5, type: "batch", time: at(4), epoch: 2, step: 2, steps: 2, loss: 0.7 },
      // the worker died before epoch 2's checkpoint; the run resumes after epoch 1
      { seq: 6, type: "status", time: at(10), status: "queued", message: "Worker w1 stopped responding" },
      { seq: 7, type: "status", time: at(11), status: "running", attempt: 2 },
      { seq: 8, type: "epoch", time: at(12), epoch: 1, epochs: 3, loss: 0.85, seconds: 2 },
      { seq: 9, type: "batch", time: at(13), epoch: 2, step: 1, steps: 2, loss: 0.75 },
    ];
    s.apply(msgs);
    expect(s.batches.map((b) => [b.x, b.values.loss])).toEqual([
      [1, 0.9],
      [1.5, 0.75],
    ]);
    expect(s.epochs).toHaveLength(1);
    expect(s.epochs[0].values.loss).toBe(0.85);
    expect(s.startedAt).toBe(T0);
    expect(s.attemptStartedAt).toBe(T0 + 11000);
  });
});

describe("derived series", () => {
  it("aligns batch points and epoch ends on one epoch axis", () => {
    const s = new RunStore();
    s.apply(history(2, 2));
    const [x, batch, train, val] = s.chartData("loss");
    expect(x).toEqual([0.5, 1, 1.5, 2]);
    expect(batch).toEqual([1 / 1.5, 1 / 2, 1 / 2.5, 1 / 3]);
    expect(train).toEqual([null, 1, null, 0.5]);
    expect(val).toEqual([null, 1.2, null, 0.6]);
    const [ax, abatch, atrain] = s.chartData("accuracy");
    expect(ax).toEqual([1, 2]);
    expect(abatch).toEqual([null, null]);
    expect(atrain).toEqual([0.6, 0.7]);
  });

  it("memoises series until something changes", () => {
    const s = new RunStore();
    const msgs = history(2, 2);
    s.apply(msgs.slice(0, 6));
    const a = s.chartData("loss");
    expect(s.chartData("loss")).toBe(a);
    s.apply(msgs.slice(6));
    expect(s.chartData("loss")).not.toBe(a);
  });

  it("names metrics loss first, then accuracy, then the rest", () => {
    expect(baseMetricNames(["val_top_5_accuracy", "accuracy", "val_loss", "loss", "top_5_accuracy"])).toEqual([
      "loss",
      "accuracy",
      "top_5_accuracy",
    ]);
    const s = new RunStore();
    s.apply(history(1, 1));
    expect(s.metricNames()).toEqual(["loss", "accuracy"]);
    expect(s.hasValidation()).toBe(true);
  });

  it("finds the best epoch by the run's monitor", () => {
    const s = new RunStore();
    s.apply(history(3, 1));
    // val_loss: 1.2, 0.6, 0.9 -> epoch 2; val_accuracy rises -> epoch 3
    expect(s.monitor()).toBe("val_loss");
    expect(s.best("val_loss")).toEqual({ epoch: 2, value: 0.6 });
    expect(s.best("val_accuracy")?.epoch).toBe(3);
    expect(s.monitor("loss")).toBe("loss");
    expect(s.monitor(undefined, { monitor: "val_accuracy" })).toBe("val_accuracy");
    const noVal = new RunStore();
    noVal.apply(history(2, 1, { val: false }));
    expect(noVal.monitor()).toBe("loss");
  });
});

describe("progress and time left", () => {
  it("averages the last epochs' durations, leaving out the first", () => {
    expect(secondsPerEpoch([])).toBeNull();
    expect(secondsPerEpoch([30])).toBe(30);
    expect(secondsPerEpoch([30, 10, 12])).toBe(11);
    expect(secondsPerEpoch([30, 10, 10, 12, 14])).toBe(12);
    expect(secondsPerEpoch([null, 10])).toBe(10);
  });

  it("estimates from epoch durations, less what the current epoch has run", () => {
    // 10 epochs of 10 s, 3 done, 4 s into the 4th: 6 s + 6 epochs * 10 s
    expect(estimateEta({ epochs: 10, lastEpoch: 3, durations: [10, 10, 10], inEpoch: 0.4, sinceEpochStart: 4 })).toBe(66);
    // a slow current epoch: its batches say 80% left after 8 s -> 32 s, capped at one epoch (10)
    expect(estimateEta({ epochs: 10, lastEpoch: 3, durations: [10, 10, 10], inEpoch: 0.2, sinceEpochStart: 8 })).toBe(70);
    expect(estimateEta({ epochs: 3, lastEpoch: 3, durations: [10, 10, 10], inEpoch: 0, sinceEpochStart: 0 })).toBe(0);
  });

  it("uses the first epoch's pace before any epoch has ended, else says unknown", () => {
    expect(estimateEta({ epochs: 4, lastEpoch: 0, durations: [], inEpoch: 0.25, sinceEpochStart: 5 })).toBe(75);
    expect(estimateEta({ epochs: 4, lastEpoch: 0, durations: [], inEpoch: 0, sinceEpochStart: 5 })).toBeNull();
  });

  it("reports epoch, step, speed, elapsed and time left of a running run", () => {
    const s = new RunStore();
    const msgs = history(2, 4, { total: 5 }); // 2 of 5 epochs done, still running
    s.apply(msgs);
    s.apply([{ seq: msgs.length + 1, type: "batch", time: at(10), epoch: 3, step: 1, steps: 4, loss: 0.4 }]);
    // now = server time 11 s (1 s after the 3rd epoch's first batch; epoch 2 ended at 9 s)
    const p = s.progress(T0 + 11000);
    expect(p).toMatchObject({ status: "running", epoch: 3, epochs: 5, step: 1, steps: 4, secondsPerEpoch: 4, samplesPerSecond: 8 });
    expect(p.fraction).toBeCloseTo((2 + 0.25) / 5);
    expect(p.elapsedSeconds).toBe(10);
    // 4 s epochs: 2 s since epoch 2 ended -> current by clock 2 s, by batches (2/0.25)*0.75 = 6 capped 4 -> 4 + 2 * 4
    expect(p.etaSeconds).toBe(12);
  });

  it("corrects for a client clock that differs from the server's", () => {
    const s = new RunStore();
    const msgs = history(1, 2, { total: 4 });
    const skew = 60_000; // the client is a minute ahead
    s.apply(msgs, T0 + msgs.length * 1000 + skew);
    expect(s.clockOffset).toBeGreaterThanOrEqual(skew);
    const later = s.progress(T0 + 4000 + skew);
    expect(later.elapsedSeconds).toBeLessThan(10);
  });

  it("stops the clock when the run ends", () => {
    const s = new RunStore();
    s.apply(history(3, 2));
    const p = s.progress(T0 + 10 ** 7);
    expect(p.status).toBe("succeeded");
    expect(p.fraction).toBe(1);
    expect(p.etaSeconds).toBeNull();
    expect(p.elapsedSeconds).toBe(7); // running at 1 s, succeeded at 8 s
  });
});
