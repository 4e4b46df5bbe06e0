/** Datasets: the list (/datasets/) or one dataset (/datasets/<id>/); the pages live in src/datasets/. */
import { DatasetListPage } from "../datasets/DatasetListPage";
import { DatasetPage } from "../datasets/DatasetPage";

export function DatasetsPage({ id }: { id: string | null }) {
  return id ? <DatasetPage key={id} id={id} /> : <DatasetListPage />;
}
