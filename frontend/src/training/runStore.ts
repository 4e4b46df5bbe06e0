/**
 * A run's live history, pure (no DOM, no network): the messages the server stored for the run
 * (status, batch, epoch, log), applied in seq order exactly once, and what the page draws from them.
 *
 * The server numbers a run's messages 1, 2, 3, ... without gaps. Messages may arrive twice (a socket
 * replay after a reconnect overlaps what the page already has, an HTTP catch-up overlaps the socket)
 * or out of order / with holes (channel layers drop messages). So `apply` keeps every message it has
 * not seen, but only *uses* them in seq order: a message after a hole waits in `pending` until the
 * hole is filled, and `apply` answers `gap: true` with the seq to fetch after. The result is the same
 * history however the messages arrived: a page opened mid-run, reloaded, or reconnected after a
 * server restart draws exactly what the server stored, with no gap and no duplicate.
 *
 * A run that lost its worker resumes from its last checkpoint (a new attempt) and may send batches
 * of an epoch again, and the epoch's message again: batches that go back in time replace the ones
 * they repeat, and an epoch's latest message wins.
 */
import type { RunMessage, RunStatus } from "../api/types";

export const FINISHED_STATUSES: readonly RunStatus[] = ["succeeded", "failed", "stopped"];
export const ACTIVE_STATUSES: readonly RunStatus[] = ["queued", "running", "stopping"];

export const isFinished = (status: string | null | undefined) => FINISHED_STATUSES.includes(status as RunStatus);
export const isActive = (status: string | null | undefined) => ACTIVE_STATUSES.includes(status as RunStatus);

/** Keys of an epoch message that are not metrics. */
const EPOCH_META = new Set(["seq", "type", "time", "epoch", "epochs", "learning_rate", "seconds", "samples_per_second", "partial"]);
const BATCH_META = new Set(["seq", "type", "time", "epoch", "step", "steps"]);

export interface EpochRow {
  epoch: number;
  epochs: number | null;
  /** Metrics as logged: loss, accuracy, val_loss, val_accuracy, ... (null where not finite). */
  values: Record<string, number | null>;
  learningRate: number | null;
  seconds: number | null;
  samplesPerSecond: number | null;
  /** Stopped during the epoch: its metrics cover the batches it ran. */
  partial: boolean;
  /** Server time, ms since the epoch. */
  time: number;
  seq: number;
}

export interface BatchPoint {
  /** Position on the epoch axis: epoch 3, step 5 of 10 is 2.5 (the last step of epoch 3 is 3). */
  x: number;
  epoch: number;
  step: number;
  steps: number;
  values: Record<string, number | null>;
  time: number;
}

export interface StatusInfo {
  status: RunStatus;
  message: string;
  attempt: number | null;
  worker: string | null;
  devices: string[] | null;
  time: number;
  seq: number;
}

export interface LogLine {
  seq: number;
  time: number;
  kind: "status" | "log";
  status?: RunStatus;
  text: string;
}

export interface ApplyResult {
  /** Messages used now (including earlier ones a hole was holding back). */
  added: number;
  /** Messages already seen (dropped). */
  duplicates: number;
  /** A hole: some seq after `after` is missing; fetch the messages after it. */
  gap: boolean;
  after: number;
}

export interface Progress {
  status: RunStatus | null;
  epoch: number;
  epochs: number | null;
  step: number | null;
  steps: number | null;
  /** 0..1 of all epochs. */
  fraction: number;
  etaSeconds: number | null;
  elapsedSeconds: number | null;
  secondsPerEpoch: number | null;
  samplesPerSecond: number | null;
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const parseTime = (iso: unknown): number => {
  const t = typeof iso === "string" ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? t : 0;
};

function metricsOf(m: RunMessage, meta: Set<string>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(m)) {
    if (meta.has(k)) continue;
    if (typeof v === "number" || v === null) out[k] = num(v);
  }
  return out;
}

/** Metric names without the val_ prefix, loss first, then accuracy, then the rest alphabetically. */
export function baseMetricNames(keys: Iterable<string>): string[] {
  const names = new Set<string>();
  for (const k of keys) names.add(k.startsWith("val_") ? k.slice(4) : k);
  const rank = (n: string) => (n === "loss" ? 0 : n === "accuracy" ? 1 : 2);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Whether a bigger value of the metric is better (accuracies) or a smaller one (losses). */
export const higherIsBetter = (metric: string) => !metric.endsWith("loss");

/**
 * Seconds one epoch takes, from the finished epochs' durations: the mean of the last three, leaving
 * out the first epoch once there are others (it also builds the model and warms up).
 */
export function secondsPerEpoch(durations: (number | null)[]): number | null {
  let known = durations.filter((s): s is number => s !== null && s > 0);
  if (known.length === 0) return null;
  if (known.length > 1) known = known.slice(1);
  const last = known.slice(-3);
  return last.reduce((a, b) => a + b, 0) / last.length;
}

export interface EtaInput {
  /** Epochs the run trains in all. */
  epochs: number;
  /** The last finished epoch (0 before the first one). */
  lastEpoch: number;
  /** Durations of the finished epochs in seconds. */
  durations: (number | null)[];
  /** Fraction of the current epoch done (from the latest batch), 0 when unknown. */
  inEpoch: number;
  /** Seconds since the current epoch started (the last epoch's end, or training's start). */
  sinceEpochStart: number | null;
}

/**
 * Seconds left: epochs still to train times the seconds an epoch takes, less what the current epoch
 * has already run. Before the first epoch ends, the current epoch's pace (time / fraction done)
 * stands in for the epoch duration; with no pace yet, null (unknown).
 */
export function estimateEta({ epochs, lastEpoch, durations, inEpoch, sinceEpochStart }: EtaInput): number | null {
  if (lastEpoch >= epochs) return 0;
  let perEpoch = secondsPerEpoch(durations);
  const since = sinceEpochStart !== null && sinceEpochStart > 0 ? sinceEpochStart : 0;
  if (perEpoch === null) {
    if (inEpoch <= 0 || since <= 0) return null;
    perEpoch = since / inEpoch;
  }
  const rest = epochs - lastEpoch - 1; // whole epochs after the current one
  // The current epoch: what its usual length leaves, or (when it runs long) what its batches say.
  const byClock = perEpoch - since;
  const byBatches = inEpoch > 0 ? (since / inEpoch) * (1 - inEpoch) : byClock;
  const current = Math.max(0, Math.min(Math.max(byClock, byBatches), perEpoch));
  return Math.max(0, rest * perEpoch + current);
}

export class RunStore {
  /** Every message 1..lastSeq has been used. */
  lastSeq = 0;
  /** Messages beyond a hole, waiting. */
  readonly pending = new Map<number, RunMessage>();
  /** Bumped whenever something visible changed (for React and memoised series). */
  version = 0;

  status: StatusInfo | null = null;
  readonly statuses: StatusInfo[] = [];
  readonly epochs: EpochRow[] = [];
  readonly batches: BatchPoint[] = [];
  readonly logs: LogLine[] = [];
  /** Total epochs as the epoch messages say (the run's hyper-parameters say it too). */
  epochsTotal: number | null = null;
  /** When training first started (the first "running"), and when the latest attempt did. */
  startedAt: number | null = null;
  attemptStartedAt: number | null = null;
  /** When the run ended (a final status). */
  endedAt: number | null = null;
  /** Client clock minus server clock, ms (estimated from when live messages arrived). */
  clockOffset: number | null = null;

  private metricKeys = new Set<string>();
  private memo = new Map<string, { version: number; value: unknown }>();

  /** Use messages in seq order, each once; see the module's comment. */
  apply(messages: readonly RunMessage[], receivedAt?: number): ApplyResult {
    let duplicates = 0;
    for (const m of messages) {
      if (!m || typeof m.seq !== "number" || !Number.isSafeInteger(m.seq) || m.seq < 1) continue;
      if (m.seq <= this.lastSeq || this.pending.has(m.seq)) {
        duplicates += 1;
        continue;
      }
      this.pending.set(m.seq, m);
      if (receivedAt !== undefined) {
        const t = parseTime(m.time);
        if (t) {
          const offset = receivedAt - t;
          if (this.clockOffset === null || offset < this.clockOffset) this.clockOffset = offset;
        }
      }
    }
    let added = 0;
    for (let next = this.pending.get(this.lastSeq + 1); next; next = this.pending.get(this.lastSeq + 1)) {
      this.pending.delete(next.seq);
      this.use(next);
      this.lastSeq = next.seq;
      added += 1;
    }
    if (added) this.version += 1;
    return { added, duplicates, gap: this.pending.size > 0, after: this.lastSeq };
  }

  get hasGap(): boolean {
    return this.pending.size > 0;
  }

  private use(m: RunMessage): void {
    const time = parseTime(m.time);
    if (m.type === "status") {
      const info: StatusInfo = {
        status: String(m.status) as RunStatus,
        message: typeof m.message === "string" ? m.message : "",
        attempt: num(m.attempt),
        worker: typeof m.worker === "string" ? m.worker : null,
        devices: Array.isArray(m.devices) ? m.devices.map(String) : null,
        time,
        seq: m.seq,
      };
      this.status = info;
      this.statuses.push(info);
      if (info.status === "running") {
        if (this.startedAt === null) this.startedAt = time;
        this.attemptStartedAt = time;
        this.endedAt = null;
      } else if (info.status === "queued") {
        this.endedAt = null;
      } else if (isFinished(info.status)) {
        this.endedAt = time;
      }
      this.logs.push({ seq: m.seq, time, kind: "status", status: info.status, text: info.message || info.status });
    } else if (m.type === "batch") {
      const epoch = num(m.epoch) ?? 1;
      const steps = Math.max(1, num(m.steps) ?? 1);
      const step = num(m.step) ?? steps;
      const x = epoch - 1 + step / steps;
      // A resumed attempt repeats batches: drop what it goes back over.
      while (this.batches.length && this.batches[this.batches.length - 1].x >= x) this.batches.pop();
      const values = metricsOf(m, BATCH_META);
      for (const k of Object.keys(values)) this.metricKeys.add(k);
      this.batches.push({ x, epoch, step, steps, values, time });
    } else if (m.type === "epoch") {
      const epoch = num(m.epoch);
      if (epoch === null) return;
      const values = metricsOf(m, EPOCH_META);
      for (const k of Object.keys(values)) this.metricKeys.add(k);
      const row: EpochRow = {
        epoch,
        epochs: num(m.epochs),
        values,
        learningRate: num(m.learning_rate),
        seconds: num(m.seconds),
        samplesPerSecond: num(m.samples_per_second),
        partial: m.partial === true,
        time,
        seq: m.seq,
      };
      if (row.epochs !== null) this.epochsTotal = row.epochs;
      const at = this.epochs.findIndex((r) => r.epoch >= epoch);
      if (at === -1) this.epochs.push(row);
      else if (this.epochs[at].epoch === epoch) this.epochs[at] = row;
      else this.epochs.splice(at, 0, row);
    } else if (m.type === "log") {
      this.logs.push({ seq: m.seq, time, kind: "log", text: typeof m.message === "string" ? m.message : JSON.stringify(m) });
    }
  }

  private memoized<T>(key: string, compute: () => T): T {
    const hit = this.memo.get(key);
    if (hit && hit.version === this.version) return hit.value as T;
    const value = compute();
    this.memo.set(key, { version: this.version, value });
    return value;
  }

  /** Base metric names seen so far (loss, accuracy, top_5_accuracy, ...). */
  metricNames(): string[] {
    return this.memoized("names", () => baseMetricNames(this.metricKeys));
  }

  /** Whether validation metrics were measured (some epoch has a val_ value). */
  hasValidation(): boolean {
    return this.epochs.some((r) => Object.entries(r.values).some(([k, v]) => k.startsWith("val_") && v !== null));
  }

  /**
   * Chart data for one metric on the epoch axis, aligned for uPlot: [x, per batch (training), training
   * per epoch, validation per epoch]. Batch positions and epoch ends share one sorted x axis (an
   * epoch's last batch sits exactly on its epoch); series are null where they have no point.
   */
  chartData(metric: string, withBatches = metric === "loss"): [number[], (number | null)[], (number | null)[], (number | null)[]] {
    return this.memoized(`chart:${metric}:${withBatches}`, () => {
      const points = new Map<number, [number | null, number | null, number | null]>();
      const at = (x: number) => {
        let p = points.get(x);
        if (!p) points.set(x, (p = [null, null, null]));
        return p;
      };
      if (withBatches) for (const b of this.batches) if (metric in b.values) at(b.x)[0] = b.values[metric];
      for (const r of this.epochs) {
        const p = at(r.epoch);
        p[1] = r.values[metric] ?? null;
        p[2] = r.values[`val_${metric}`] ?? null;
      }
      const xs = [...points.keys()].sort((a, b) => a - b);
      const batch: (number | null)[] = [];
      const train: (number | null)[] = [];
      const val: (number | null)[] = [];
      for (const x of xs) {
        const [b, t, v] = points.get(x)!;
        batch.push(b);
        train.push(t);
        val.push(v);
      }
      return [xs, batch, train, val];
    });
  }

  /** [epochs, learning rate at the end of each]. */
  learningRateData(): [number[], (number | null)[]] {
    return this.memoized("lr", () => [this.epochs.map((r) => r.epoch), this.epochs.map((r) => r.learningRate)]);
  }

  /** The monitor's best epoch so far: lowest loss, highest accuracy (the first of equals). */
  best(monitor: string): { epoch: number; value: number } | null {
    let best: { epoch: number; value: number } | null = null;
    const higher = higherIsBetter(monitor);
    for (const r of this.epochs) {
      const v = r.values[monitor];
      if (v === null || v === undefined) continue;
      if (!best || (higher ? v > best.value : v < best.value)) best = { epoch: r.epoch, value: v };
    }
    return best;
  }

  /** The metric the run picks its best epoch by: as the run says, else val_loss with validation, else loss. */
  monitor(runMonitor?: unknown, earlyStopping?: { monitor?: string } | null): string {
    if (typeof runMonitor === "string" && runMonitor) return runMonitor;
    if (earlyStopping?.monitor) return earlyStopping.monitor;
    return this.hasValidation() ? "val_loss" : "loss";
  }

  /** Where the run is and how long it has left; `now` is the client's clock (ms). */
  progress(now: number, epochsFromSettings?: number | null): Progress {
    const serverNow = now - (this.clockOffset ?? 0);
    const epochs = this.epochsTotal ?? epochsFromSettings ?? null;
    const lastRow = this.epochs[this.epochs.length - 1];
    const lastEpoch = lastRow ? (lastRow.partial ? lastRow.epoch - 1 : lastRow.epoch) : 0;
    const batch = this.batches[this.batches.length - 1];
    const current = batch && batch.epoch > lastEpoch ? batch : null;
    const inEpoch = current ? Math.min(1, current.step / current.steps) : 0;
    const status = this.status?.status ?? null;
    const running = status === "running" || status === "stopping";
    const epochStart = Math.max(lastRow?.time ?? 0, this.attemptStartedAt ?? 0) || null;
    const finishedEnd = this.endedAt;
    const elapsed =
      this.startedAt === null ? null : Math.max(0, ((finishedEnd ?? (running || status === "queued" ? serverNow : this.startedAt)) - this.startedAt) / 1000);
    let fraction = epochs ? Math.min(1, (lastEpoch + inEpoch) / epochs) : 0;
    if (status === "succeeded") fraction = 1;
    const eta =
      running && epochs
        ? estimateEta({
            epochs,
            lastEpoch,
            durations: this.epochs.filter((r) => !r.partial).map((r) => r.seconds),
            inEpoch,
            sinceEpochStart: epochStart === null ? null : (serverNow - epochStart) / 1000,
          })
        : null;
    return {
      status,
      epoch: current ? current.epoch : lastEpoch,
      epochs,
      step: current ? current.step : null,
      steps: current ? current.steps : (batch?.steps ?? null),
      fraction,
      etaSeconds: eta,
      elapsedSeconds: elapsed,
      secondsPerEpoch: lastRow?.seconds ?? null,
      samplesPerSecond: lastRow?.samplesPerSecond ?? null,
    };
  }
}
