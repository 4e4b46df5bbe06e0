/** One project card in the list, with inline rename and its actions. */
import { useState } from "react";
import type { ProjectSummary } from "../api/types";
import { linkClick, projectUrl } from "../router";

interface Props {
  project: ProjectSummary;
  onRename: (name: string) => Promise<void>;
  onDuplicate: () => void;
  onDelete: () => void;
}

function when(iso?: string): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function ProjectRow({ project, onRename, onDuplicate, onDelete }: Props) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(project.name);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (name.trim() && name.trim() !== project.name) await onRename(name.trim());
    setEditing(false);
  };

  return (
    <li className="project-card">
      {editing ? (
        <form className="rename-form" onSubmit={submit}>
          <label className="sr-only" htmlFor={`rename-${project.id}`}>
            New name for {project.name}
          </label>
          <input
            id={`rename-${project.id}`}
            value={name}
            autoFocus
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => e.key === "Escape" && (setName(project.name), setEditing(false))}
          />
          <button type="submit" className="btn btn-primary btn-sm">
            Save
          </button>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => (setName(project.name), setEditing(false))}>
            Cancel
          </button>
        </form>
      ) : (
        <a className="project-open" href={projectUrl(project.id)} onClick={linkClick}>
          <span className="project-name">{project.name}</span>
          <span className="project-meta">
            {project.layers !== undefined && `${project.layers} layer${project.layers === 1 ? "" : "s"} · `}
            edited {when(project.updated)}
          </span>
        </a>
      )}
      <div className="project-actions">
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setEditing(true)} aria-label={`Rename ${project.name}`}>
          Rename
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onDuplicate} aria-label={`Duplicate ${project.name}`}>
          Duplicate
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-sm btn-danger"
          aria-label={`Delete ${project.name}`}
          onClick={() => {
            if (window.confirm(`Delete “${project.name}”? This cannot be undone.`)) onDelete();
          }}
        >
          Delete
        </button>
      </div>
    </li>
  );
}
