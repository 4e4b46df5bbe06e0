/**
 * One run followed live: its row (GET /api/runs/{id}/, refreshed when its status changes or an
 * epoch ends) and its messages in a RunStore kept filled by a RunFeed (socket + HTTP catch-up).
 * Re-renders at most once per animation frame, however fast messages arrive.
 */
import { useEffect, useReducer, useRef, useState } from "react";
import type { Run } from "../api/types";
import { runsApi } from "./api";
import { RunFeed, socketUrl, type FeedState, type SocketLike } from "./runFeed";
import { isFinished, RunStore } from "./runStore";

export interface RunLive {
  run: Run | null;
  store: RunStore;
  feed: FeedState;
  problem: string | null;
  loadError: string | null;
  /** Replace the run's row (e.g. the answer of a stop request). */
  setRun: (run: Run) => void;
}

export function useRunLive(runId: number): RunLive {
  const [run, setRun] = useState<Run | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [store, setStore] = useState(() => new RunStore());
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const feedRef = useRef<RunFeed | null>(null);

  useEffect(() => {
    const s = new RunStore();
    setStore(s);
    setRun(null);
    setLoadError(null);
    let frame = 0;
    let alive = true;
    let lastStatusSeq = 0;
    let lastEpochs = 0;
    let refreshing = false;
    const refresh = () => {
      if (refreshing) return;
      refreshing = true;
      runsApi
        .get(runId)
        .then((r) => alive && setRun(r))
        .catch(() => undefined)
        .finally(() => {
          refreshing = false;
        });
    };
    const render = () => {
      if (frame || !alive) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (!alive) return;
        bump();
        // The run's row changes with its status (worker, devices, best, final) and epochs (cache, best).
        const st = s.status;
        if ((st && st.seq !== lastStatusSeq) || s.epochs.length !== lastEpochs) {
          const statusChanged = !!st && st.seq !== lastStatusSeq;
          lastStatusSeq = st?.seq ?? 0;
          lastEpochs = s.epochs.length;
          if (statusChanged || lastEpochs <= 2) refresh();
        }
      });
    };
    const feed = new RunFeed(
      s,
      {
        openSocket: (url) => new WebSocket(url) as unknown as SocketLike,
        fetchAfter: (after, limit) => runsApi.metrics(runId, after, limit),
        setTimeout: (fn, ms) => window.setTimeout(fn, ms),
        clearTimeout: (h) => window.clearTimeout(h as number),
        now: () => Date.now(),
        random: Math.random,
      },
      (after) => socketUrl(runId, after, window.location),
      render,
    );
    feedRef.current = feed;
    runsApi
      .get(runId)
      .then((r) => {
        if (!alive) return;
        setRun(r);
        feed.start(isFinished(r.status));
      })
      .catch((e: Error) => alive && setLoadError(e.message));
    return () => {
      alive = false;
      if (frame) cancelAnimationFrame(frame);
      feed.stop();
      feedRef.current = null;
    };
  }, [runId]);

  const feed = feedRef.current;
  return { run, store, feed: feed?.state ?? "idle", problem: feed?.problem ?? null, loadError, setRun };
}
