/** The project's runs that finished with weights, newest first, and which one the URL (?run=ID) shows. */
import { useCallback, useEffect, useState } from "react";
import type { Run } from "../api/types";
import { runsApi } from "../training/api";
import { useSearch } from "../training/useSearch";
import { finishedRuns, pickRun } from "./format";

export interface FinishedRuns {
  runs: Run[] | null;
  /** How many runs the project has in all (finished or not). */
  total: number;
  error: string | null;
  run: Run | null;
  search: URLSearchParams;
  reload: () => void;
}

export function useFinishedRuns(projectId: string): FinishedRuns {
  const search = useSearch();
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    runsApi
      .list(projectId, ctl.signal)
      .then((list) => {
        setTotal(list.length);
        setRuns(finishedRuns(list));
        setError(null);
      })
      .catch((e: Error) => {
        if (e.name !== "AbortError") setError(`The runs could not be loaded: ${e.message}`);
      });
    return () => ctl.abort();
  }, [projectId, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const run = runs ? pickRun(runs, Number(search.get("run")) || null) : null;
  return { runs, total, error, run, search, reload };
}
