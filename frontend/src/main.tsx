/** Entry point: mounts the app into the Django shell page (templates/web/app.html). */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import "./styles/base.css";

const root = document.getElementById("app");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App user={root.dataset.username ?? ""} />
    </StrictMode>,
  );
}
