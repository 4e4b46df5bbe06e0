/**
 * The counts a draft split would give, per split and per class: asked from the server (POST
 * preview: true) a moment after the last change, stale answers dropped. The saved split needs no
 * request: its counts come with the dataset.
 */
import { useEffect, useState } from "react";
import type { Dataset, SplitAnswer, SplitSpec } from "../api/types";
import { datasetsApi } from "./api";
import { sameSplit } from "./split";

export const PREVIEW_DELAY_MS = 250;

/** The dataset's stored split as a split answer. */
export function savedAnswer(dataset: Dataset): SplitAnswer {
  return {
    split: dataset.split,
    counts: dataset.split_counts,
    classes: dataset.classes.map((c) => ({ name: c.name, ...c.splits })),
  };
}

export interface SplitPreview {
  answer: SplitAnswer;
  /** A newer answer is on its way. */
  pending: boolean;
  error: string | null;
}

export function useSplitPreview(dataset: Dataset, draft: SplitSpec): SplitPreview {
  const [state, setState] = useState<SplitPreview>(() => ({ answer: savedAnswer(dataset), pending: false, error: null }));
  const key = JSON.stringify(draft);

  useEffect(() => {
    if (sameSplit(draft, dataset.split)) {
      setState({ answer: savedAnswer(dataset), pending: false, error: null });
      return;
    }
    const ctrl = new AbortController();
    setState((s) => ({ ...s, pending: true }));
    const timer = setTimeout(() => {
      datasetsApi
        .previewSplit(dataset.id, draft, ctrl.signal)
        .then((answer) => setState({ answer, pending: false, error: null }))
        .catch((e: Error) => {
          if (e.name !== "AbortError") setState((s) => ({ ...s, pending: false, error: e.message }));
        });
    }, PREVIEW_DELAY_MS);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
    // `key` stands for the draft's values.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, dataset]);

  return state;
}
