/**
 * What a project trains with, shared by the Hyper-parameters and Training tabs: the dataset chosen
 * in the Data tab (frontend/src/datasets/projectDataset.ts) and the hyper-parameter form kept in this
 * browser. Both tabs follow changes made in another tab of the browser too (storage events).
 */
import { useCallback, useEffect, useState } from "react";
import type { DatasetSummary } from "../api/types";
import { datasetsApi } from "../datasets/api";
import { getProjectDataset, PROJECT_DATASET_EVENT, projectDatasetKey, setProjectDataset } from "../datasets/projectDataset";
import { HP_EVENT, hpKey, loadForm, saveForm, type HpForm } from "./hyperparams";

export function useProjectDatasetChoice(projectId: string) {
  const [datasetId, setId] = useState<number | null>(() => getProjectDataset(projectId));
  const [datasets, setDatasets] = useState<DatasetSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const update = () => setId(getProjectDataset(projectId));
    const onStorage = (e: StorageEvent) => e.key === projectDatasetKey(projectId) && update();
    window.addEventListener(PROJECT_DATASET_EVENT, update);
    window.addEventListener("storage", onStorage);
    return () => {
      window.removeEventListener(PROJECT_DATASET_EVENT, update);
      window.removeEventListener("storage", onStorage);
    };
  }, [projectId]);

  useEffect(() => {
    const ctrl = new AbortController();
    datasetsApi
      .list()
      .then((list) => !ctrl.signal.aborted && setDatasets(list))
      .catch((e: Error) => !ctrl.signal.aborted && setError(`Your datasets could not be loaded: ${e.message}`));
    return () => ctrl.abort();
  }, []);

  const choose = useCallback((id: number | null) => setProjectDataset(projectId, id), [projectId]);
  const dataset = datasets?.find((d) => d.id === datasetId) ?? null;
  return { datasetId: dataset ? datasetId : datasets === null ? datasetId : null, dataset, datasets, error, choose };
}

export function useHyperparameterForm(projectId: string) {
  const [form, setForm] = useState<HpForm>(() => loadForm(projectId));
  useEffect(() => {
    const update = (e: Event) => {
      const detail = (e as CustomEvent<{ projectId: string }>).detail;
      if (!detail || detail.projectId === String(projectId)) setForm(loadForm(projectId));
    };
    const onStorage = (e: StorageEvent) => e.key === hpKey(projectId) && setForm(loadForm(projectId));
    window.addEventListener(HP_EVENT, update);
    window.addEventListener("storage", onStorage);
    return () => {
      window.removeEventListener(HP_EVENT, update);
      window.removeEventListener("storage", onStorage);
    };
  }, [projectId]);
  const change = useCallback(
    (next: HpForm) => {
      setForm(next);
      saveForm(projectId, next);
    },
    [projectId],
  );
  return { form, change };
}
