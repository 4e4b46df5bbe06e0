/**
 * Keeps a RunStore filled from the server: the WebSocket /ws/runs/{id}/?after=SEQ for live messages,
 * GET /api/runs/{id}/metrics/?after=SEQ to fill holes, and reconnects with backoff.
 *
 * - Every (re)connect names the last seq the store has used, so the server replays only what is missing.
 * - A hole in seq (a channel layer dropped a message) and every reconnect also fetch the stored
 *   messages over HTTP: the database is the source of truth, the store drops what it already has.
 * - A finished run needs no socket: its history is fetched once, and the socket is closed once the
 *   final status has arrived with nothing missing.
 * - A socket that stays silent for a while during a run is checked against the stored messages too
 *   (a dropped *last* message leaves no later seq to reveal the hole).
 * - Close codes 4403 (signed out) and 4404 (not found) end the feed: retrying cannot help.
 *
 * Timers, sockets and fetching are injected, so the logic is unit-tested without a browser.
 */
import type { RunMessage } from "../api/types";
import { isFinished, type RunStore } from "./runStore";

export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  /** 0 while connecting (WebSocket's CONNECTING). */
  readonly readyState?: number;
  close(code?: number): void;
}

export interface FeedDeps {
  openSocket(url: string): SocketLike;
  /** GET /api/runs/{id}/metrics/?after=SEQ (at most `limit` messages, in seq order). */
  fetchAfter(after: number, limit: number): Promise<RunMessage[]>;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
  random(): number;
}

export type FeedState = "idle" | "connecting" | "live" | "reconnecting" | "done" | "denied" | "stopped";

export const PAGE = 5000;
/** A live socket silent this long while the run is active: fetch what the server stored meanwhile. */
export const IDLE_CHECK_MS = 10_000;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

/** Delay before reconnect attempt `n` (0-based): doubling up to 15 s, ±20% jitter so clients spread out. */
export function backoffDelay(n: number, random: () => number = Math.random): number {
  const base = BACKOFF_MS[Math.min(n, BACKOFF_MS.length - 1)];
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function socketUrl(runId: number | string, after: number, loc: { protocol: string; host: string }): string {
  const scheme = loc.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${loc.host}/ws/runs/${runId}/?after=${after}`;
}

export class RunFeed {
  state: FeedState = "idle";
  /** Why the feed ended or is retrying, in words (null while fine). */
  problem: string | null = null;
  private socket: SocketLike | null = null;
  private retries = 0;
  private retryTimer: unknown = null;
  private idleTimer: unknown = null;
  private catchingUp = false;
  private catchUpAgain = false;
  private stopped = false;

  constructor(
    private readonly store: RunStore,
    private readonly deps: FeedDeps,
    private readonly urlFor: (after: number) => string,
    /** Called after the store or the feed's state changed. */
    private readonly onChange: () => void,
  ) {}

  /** Follow the run; `finished` says the run had ended when the page loaded (no socket needed). */
  start(finished = false): void {
    this.stopped = false;
    if (finished) {
      this.setState("connecting");
      void this.catchUp().then(() => {
        // The run ended before the page opened: nothing more will come unless the history says otherwise.
        if (this.stopped) return;
        if (this.ended()) this.setState("done");
        else this.connect();
      });
      return;
    }
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearRetry();
    this.clearIdle();
    this.closeSocket();
    this.setState("stopped");
  }

  private ended(): boolean {
    return isFinished(this.store.status?.status) && !this.store.hasGap;
  }

  private setState(state: FeedState, problem: string | null = this.problem): void {
    this.state = state;
    this.problem = problem;
    this.onChange();
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) this.deps.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private clearIdle(): void {
    if (this.idleTimer !== null) this.deps.clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /** (Re)start the silence check of a live socket. */
  private armIdle(): void {
    this.clearIdle();
    if (this.stopped || !this.socket || this.ended()) return;
    this.idleTimer = this.deps.setTimeout(() => {
      this.idleTimer = null;
      if (!this.socket || this.stopped) return;
      void this.catchUp().then(() => this.armIdle());
    }, IDLE_CHECK_MS);
  }

  private closeSocket(): void {
    this.clearIdle();
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onmessage = s.onerror = s.onclose = null;
      if (s.readyState === 0) {
        // Closing a socket that is still connecting makes browsers log an error: close it once open.
        s.onopen = () => s.close(1000);
        return;
      }
      s.onopen = null;
      try {
        s.close(1000);
      } catch {
        // already closed
      }
    }
  }

  private connect(): void {
    if (this.stopped) return;
    this.clearRetry();
    this.closeSocket();
    const reconnect = this.retries > 0;
    this.setState(reconnect ? "reconnecting" : "connecting");
    let socket: SocketLike;
    try {
      socket = this.deps.openSocket(this.urlFor(this.store.lastSeq));
    } catch {
      this.scheduleReconnect("The live connection could not be opened.");
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.setState("live", null);
      this.armIdle();
      // After a drop the server replays from our seq, but what was stored while we were away is
      // also fetched over HTTP (the store drops duplicates): no hole even if the replay is cut short.
      if (reconnect) void this.catchUp();
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      let message: RunMessage;
      try {
        message = JSON.parse(String(ev.data)) as RunMessage;
      } catch {
        return;
      }
      if (typeof message?.seq !== "number") return; // e.g. {"type": "error"}: not a run message
      this.retries = 0;
      this.receive([message]);
      this.armIdle();
    };
    socket.onerror = () => {
      // A close event follows; it decides.
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearIdle();
      if (ev.code === 4403) {
        this.setState("denied", "You are signed out: sign in again to follow this run.");
      } else if (ev.code === 4404) {
        this.setState("denied", "This run does not exist (or is not yours).");
      } else if (this.ended()) {
        this.setState("done", null);
      } else {
        this.scheduleReconnect("The live connection dropped; reconnecting…");
      }
    };
  }

  private scheduleReconnect(problem: string): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.retries, this.deps.random);
    this.retries += 1;
    this.setState("reconnecting", problem);
    this.retryTimer = this.deps.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private receive(messages: RunMessage[]): void {
    const result = this.store.apply(messages, this.deps.now());
    if (result.added) this.onChange();
    if (result.gap) void this.catchUp();
    else if (this.ended() && this.socket) {
      this.closeSocket();
      this.setState("done", null);
    }
  }

  /** Fetch stored messages after the store's seq until none are missing; one fetch loop at a time. */
  async catchUp(): Promise<void> {
    if (this.catchingUp) {
      this.catchUpAgain = true;
      return;
    }
    this.catchingUp = true;
    try {
      do {
        this.catchUpAgain = false;
        for (;;) {
          const page = await this.deps.fetchAfter(this.store.lastSeq, PAGE);
          if (this.stopped) return;
          const result = this.store.apply(page);
          if (result.added) this.onChange();
          if (page.length < PAGE || result.added === 0) break;
        }
      } while (this.catchUpAgain && !this.stopped);
      if (this.ended() && this.socket) {
        this.closeSocket();
        this.setState("done", null);
      }
    } catch {
      // The server is unreachable: the socket's reconnect (or the next hole) tries again.
      if (!this.stopped && this.store.hasGap && !this.socket && this.retryTimer === null && this.state !== "done") {
        this.scheduleReconnect("The run's history could not be fetched; retrying…");
      }
    } finally {
      this.catchingUp = false;
    }
  }
}
