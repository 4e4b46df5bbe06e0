/** The project list: open, create (from a starter, blank, or an imported Keras file), rename, duplicate, delete. */
import { useCallback, useEffect, useState } from "react";
import { api } from "../api/client";
import type { ProjectSummary } from "../api/types";
import { Icon } from "../components/Icon";
import { NewProjectDialog } from "../components/NewProjectDialog";
import { ProjectRow } from "../components/ProjectRow";
import { navigate, projectUrl } from "../router";
import { Alert } from "../components/Alert";

export function ProjectListPage() {
  const [projects, setProjects] = useState<ProjectSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const list = await api.projects();
      list.sort((a, b) => (b.updated ?? "").localeCompare(a.updated ?? ""));
      setProjects(list);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  useEffect(() => {
    document.title = "Projects · Keras Studio";
    void load();
  }, [load]);

  const run = async (what: () => Promise<unknown>, done?: string) => {
    try {
      await what();
      if (done) setNotice(done);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <div className="project-list-page">
      <div className="page-head">
        <div>
          <h1>Projects</h1>
          <p className="muted">Each project holds one network design; data, training runs and results come with it.</p>
        </div>
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
          <Icon name="plus" size={16} /> New project
        </button>
      </div>
      {error && (
        <Alert kind="error" onDismiss={() => setError(null)}>{error}</Alert>
      )}
      {notice && (
        <Alert kind="info" onDismiss={() => setNotice(null)}>{notice}</Alert>
      )}
      {projects === null && !error && <p className="muted">Loading projects…</p>}
      {projects && projects.length === 0 && (
        <section className="empty-state">
          <h2>No projects yet</h2>
          <p>Start from a ready-made network (VGG16 transfer learning is a good first one), a blank canvas, or a Keras file.</p>
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            Create your first project
          </button>
        </section>
      )}
      {projects && projects.length > 0 && (
        <ul className="project-grid" aria-label="Your projects">
          {projects.map((p) => (
            <ProjectRow
              key={p.id}
              project={p}
              onRename={(name) => run(() => api.renameProject(p.id, name))}
              onDuplicate={() => run(() => api.duplicateProject(p.id), `Duplicated “${p.name}”.`)}
              onDelete={() => run(() => api.deleteProject(p.id), `Deleted “${p.name}”.`)}
            />
          ))}
        </ul>
      )}
      {creating && (
        <NewProjectDialog
          onClose={() => setCreating(false)}
          onCreated={(p) => {
            setCreating(false);
            navigate(projectUrl(p.id));
          }}
        />
      )}
    </div>
  );
}
