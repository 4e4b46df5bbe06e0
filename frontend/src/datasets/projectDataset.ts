/**
 * Which dataset a project trains on: chosen in the project's Data tab and read by the Training tab.
 *
 * Kept in this browser's localStorage, keyed by project id (the project API has no field for it
 * yet). Reading never throws: a missing, unreadable or blocked storage reads as "no choice".
 */

const PREFIX = "keras-studio:project-dataset:";
/** Fired on window (detail: {projectId, datasetId}) when this tab changes a project's choice. */
export const PROJECT_DATASET_EVENT = "studio:project-dataset";

export interface ProjectDatasetChange {
  projectId: string;
  datasetId: number | null;
}

type StorageLike = Pick<Storage, "getItem" | "setItem" | "removeItem">;

function storage(): StorageLike | null {
  try {
    return typeof window !== "undefined" ? window.localStorage : null;
  } catch {
    return null; // e.g. storage blocked by the browser's settings
  }
}

export function projectDatasetKey(projectId: number | string): string {
  return `${PREFIX}${projectId}`;
}

/** The dataset id chosen for a project, or null when none was chosen (in this browser). */
export function getProjectDataset(projectId: number | string, store: StorageLike | null = storage()): number | null {
  try {
    const raw = store?.getItem(projectDatasetKey(projectId));
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    const id = typeof parsed === "object" && parsed !== null ? (parsed as { dataset?: unknown }).dataset : parsed;
    return typeof id === "number" && Number.isSafeInteger(id) && id > 0 ? id : null;
  } catch {
    return null;
  }
}

/** Remember (or, with null, forget) the dataset a project trains on. */
export function setProjectDataset(
  projectId: number | string,
  datasetId: number | null,
  store: StorageLike | null = storage(),
): void {
  try {
    if (datasetId === null) store?.removeItem(projectDatasetKey(projectId));
    else store?.setItem(projectDatasetKey(projectId), JSON.stringify({ dataset: datasetId }));
  } catch {
    // Storage full or blocked: the choice lasts for this page only.
  }
  if (typeof window !== "undefined" && typeof CustomEvent !== "undefined") {
    const detail: ProjectDatasetChange = { projectId: String(projectId), datasetId };
    window.dispatchEvent(new CustomEvent(PROJECT_DATASET_EVENT, { detail }));
  }
}
