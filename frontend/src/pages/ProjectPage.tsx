/** A project: its header (name, tabs) and the tab's content. The model editor state lives here so it survives tab switches. */
import { ReactFlowProvider } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import "../styles/editor.css";
import { useEffect } from "react";
import { AppHeader } from "../components/AppHeader";
import { ProjectTitle } from "../components/ProjectTitle";
import { DataTab } from "../datasets/DataTab";
import { ModelEditor } from "../editor/ModelEditor";
import { SaveIndicator } from "../editor/Toolbar";
import { useProjectEditor } from "../editor/useProjectEditor";
import { linkClick, projectUrl, TABS, type Tab } from "../router";
import { InferenceTab } from "../results/InferenceTab";
import { ResultsTab } from "../results/ResultsTab";
import { HyperparametersTab } from "../training/HyperparametersTab";
import { TrainingTab } from "../training/TrainingTab";

const TAB_LABELS: Record<Tab, string> = {
  data: "Data",
  model: "Model",
  hyperparameters: "Hyper-parameters",
  training: "Training",
  results: "Results",
  inference: "Inference",
};

export function ProjectPage({ id, tab, user }: { id: string; tab: Tab; user: string }) {
  const editor = useProjectEditor(id);
  const { project, loadError } = editor;

  useEffect(() => {
    document.title = `${project ? project.name : "Project"} · ${TAB_LABELS[tab]} · Keras Studio`;
  }, [project, tab]);

  return (
    <div className="app app-project">
      <AppHeader user={user} section={null}>
        {project && (
          <div className="project-head">
            <ProjectTitle name={project.name} onRename={editor.rename} />
            <SaveIndicator status={editor.saveStatus} />
            <button
              type="button"
              className={`btn btn-sm ${editor.dirty ? "btn-primary" : ""}`}
              onClick={() => void editor.save()}
              disabled={editor.saveStatus.kind === "saved" || editor.saveStatus.kind === "saving"}
              title="Save (Ctrl+S)"
            >
              Save
            </button>
          </div>
        )}
      </AppHeader>
      <nav className="tabs" aria-label="Project steps">
        {TABS.map((t) => (
          <a key={t} href={projectUrl(id, t)} onClick={linkClick} aria-current={t === tab ? "page" : undefined} className="tab">
            {TAB_LABELS[t]}
          </a>
        ))}
      </nav>
      <main className="project-main" id="main">
        {loadError && (
          <section className="empty-state">
            <h1>This project could not be opened</h1>
            <p role="alert">{loadError}</p>
            <a href="/" onClick={linkClick}>
              Back to your projects
            </a>
          </section>
        )}
        {!loadError && !editor.state && <p className="loading">Loading project…</p>}
        {!loadError && editor.state && tab === "model" && (
          <ReactFlowProvider>
            <ModelEditor editor={editor} />
          </ReactFlowProvider>
        )}
        {!loadError && editor.state && tab === "data" && (
          <DataTab projectId={id} graph={editor.state.graph} report={editor.validation.report} />
        )}
        {!loadError && editor.state && tab === "hyperparameters" && (
          <HyperparametersTab
            projectId={id}
            graph={editor.state.graph}
            report={editor.validation.report}
            dirty={editor.dirty}
            save={editor.save}
          />
        )}
        {!loadError && editor.state && project && tab === "training" && (
          <TrainingTab projectId={id} projectName={project.name} dirty={editor.dirty} save={editor.save} />
        )}
        {!loadError && editor.state && tab === "results" && <ResultsTab projectId={id} />}
        {!loadError && editor.state && tab === "inference" && <InferenceTab projectId={id} />}
      </main>
    </div>
  );
}
