/** The page frame (header with navigation and the signed-in user) and the route switch. */
import { AppHeader } from "./components/AppHeader";
import { DatasetsPage } from "./pages/DatasetsPage";
import { ProjectListPage } from "./pages/ProjectListPage";
import { lazy, Suspense } from "react";
import { linkClick, useRoute } from "./router";

// The editor (React Flow, dagre) loads only when a project is opened.
const ProjectPage = lazy(() => import("./pages/ProjectPage").then((m) => ({ default: m.ProjectPage })));

export function App({ user }: { user: string }) {
  const route = useRoute();
  if (route.name === "project") {
    // The project page draws its own header (project name and tabs).
    return (
      <Suspense fallback={<p className="loading">Loading editor…</p>}>
        <ProjectPage key={route.id} id={route.id} tab={route.tab} user={user} />
      </Suspense>
    );
  }
  return (
    <div className="app">
      <AppHeader user={user} section={route.name === "datasets" || route.name === "dataset" ? "datasets" : "projects"} />
      <main className="page" id="main">
        {route.name === "projects" && <ProjectListPage />}
        {(route.name === "datasets" || route.name === "dataset") && <DatasetsPage id={route.name === "dataset" ? route.id : null} />}
        {route.name === "notfound" && (
          <section className="empty-state">
            <h1>Page not found</h1>
            <p>
              Nothing lives at <code>{route.path}</code>.{" "}
              <a href="/" onClick={linkClick}>
                Back to your projects
              </a>
              .
            </p>
          </section>
        )}
      </main>
    </div>
  );
}
