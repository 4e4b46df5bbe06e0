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

const COMING: Record<Exclude<Tab, "model">, string> = {
  data: "Pick a dataset for this project, see its classes and image sizes, and choose the train / validation split and how images are resized and augmented.",
  hyperparameters:
    "Set the optimizer, learning rate, loss, metrics, batch size, number of epochs and seed for a training run.",
  training:
    "Start and stop training runs and watch loss and accuracy stream in live, batch by batch and epoch by epoch.",
  results:
    "Compare runs side by side: curves, best and final metrics, timings; download trained models as .keras, .h5, SavedModel, TFLite or ONNX.",
  inference: "Upload an image and see the model's top predicted classes with their probabilities.",
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
        {!loadError && editor.state && (tab === "results" || tab === "inference") && (
          <section className="empty-state coming-soon" aria-labelledby="coming-title">
            <h1 id="coming-title">{TAB_LABELS[tab]}</h1>
            <p>{COMING[tab]}</p>
            <p className="muted">
              Coming soon. The network design is in the{" "}
              <a href={projectUrl(id, "model")} onClick={linkClick}>
                Model
              </a>{" "}
              tab.
            </p>
          </section>
        )}
      </main>
    </div>
  );
}
