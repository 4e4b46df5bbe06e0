/** Datasets: a placeholder until the datasets work lands (upload, classes, splits). */
import { useEffect } from "react";
import { linkClick } from "../router";

export function DatasetsPage({ id }: { id: string | null }) {
  useEffect(() => {
    document.title = "Datasets · Keras Studio";
  }, []);
  return (
    <section className="empty-state">
      <h1>{id ? `Dataset ${id}` : "Datasets"}</h1>
      <p>
        Here you will upload image datasets (a zip of one folder per class, or a CSV with images), see their classes,
        counts and image sizes, and choose train/validation splits.
      </p>
      <p className="muted">
        This page is coming soon. Meanwhile, design your network in a{" "}
        <a href="/" onClick={linkClick}>
          project
        </a>
        .
      </p>
    </section>
  );
}
