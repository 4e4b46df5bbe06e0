/** Create a project: from a starter template, blank, or from an imported Keras model file. */
import { useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import type { Project, ProjectTemplate } from "../api/types";
import { emptyGraph } from "../graph/store";

interface Props {
  onClose: () => void;
  onCreated: (project: Project) => void;
}

type Choice = { kind: "template"; key: string } | { kind: "blank" } | { kind: "import" };

const choiceId = (c: Choice) => (c.kind === "template" ? `t-${c.key}` : c.kind);

export function NewProjectDialog({ onClose, onCreated }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const [templates, setTemplates] = useState<ProjectTemplate[] | null>(null);
  const [choice, setChoice] = useState<Choice>({ kind: "blank" });
  const [name, setName] = useState("");
  const [nameTouched, setNameTouched] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    api
      .templates()
      .then((list) => {
        setTemplates(list);
        if (list.length) pick({ kind: "template", key: list[0].key }, list);
      })
      .catch((e: Error) => setError(`Starter templates could not be loaded: ${e.message}`));
  }, []);

  const pick = (c: Choice, list = templates ?? []) => {
    setChoice(c);
    setError(null);
    if (nameTouched) return;
    if (c.kind === "template") setName(list.find((t) => t.key === c.key)?.name ?? "");
    else if (c.kind === "blank") setName("Untitled model");
    else setName(file ? file.name.replace(/\.(keras|h5|json)$/i, "") : "");
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const title = name.trim();
    if (!title) return setError("Give the project a name.");
    setBusy(true);
    setError(null);
    try {
      let project: Project;
      if (choice.kind === "template") project = await api.createProject({ name: title, template: choice.key });
      else if (choice.kind === "blank") project = await api.createProject({ name: title, graph: emptyGraph(title) });
      else {
        if (!file) throw new Error("Choose a .keras, .h5 or .json file to import.");
        const imported = await api.importModel(file);
        project = await api.createProject({ name: title, graph: { ...imported.graph, name: title } });
      }
      onCreated(project);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  const options: { choice: Choice; title: string; text: string }[] = [
    ...(templates ?? []).map((t) => ({ choice: { kind: "template", key: t.key } as Choice, title: t.name, text: t.description })),
    // The server may offer its own blank starter; otherwise offer an empty canvas.
    ...((templates ?? []).some((t) => t.key === "blank")
      ? []
      : [{ choice: { kind: "blank" } as Choice, title: "Blank", text: "An empty canvas: add layers from the palette." }]),
    { choice: { kind: "import" }, title: "Import a Keras model", text: "A .keras, .h5 or model .json file (no code runs)." },
  ];

  return (
    <dialog ref={ref} className="dialog" aria-labelledby="new-project-title" onClose={onClose} onCancel={onClose}>
      <form onSubmit={submit} className="dialog-body">
        <h2 id="new-project-title">New project</h2>
        <fieldset className="choice-list">
          <legend>Start from</legend>
          {templates === null && !error && <p className="muted">Loading starters…</p>}
          {options.map((o) => (
            <label key={choiceId(o.choice)} className={`choice ${choiceId(o.choice) === choiceId(choice) ? "is-checked" : ""}`}>
              <input
                type="radio"
                name="start"
                value={choiceId(o.choice)}
                checked={choiceId(o.choice) === choiceId(choice)}
                onChange={() => pick(o.choice)}
              />
              <span>
                <strong>{o.title}</strong>
                <small>{o.text}</small>
              </span>
            </label>
          ))}
        </fieldset>
        {choice.kind === "import" && (
          <div className="field">
            <label htmlFor="import-file">Keras model file</label>
            <input
              id="import-file"
              type="file"
              accept=".keras,.h5,.json"
              onChange={(e) => {
                const f = e.target.files?.[0] ?? null;
                setFile(f);
                if (f && !nameTouched) setName(f.name.replace(/\.(keras|h5|json)$/i, ""));
              }}
            />
          </div>
        )}
        <div className="field">
          <label htmlFor="project-name">Project name</label>
          <input
            id="project-name"
            value={name}
            maxLength={200}
            required
            onChange={(e) => {
              setName(e.target.value);
              setNameTouched(true);
            }}
          />
        </div>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? "Creating…" : "Create project"}
          </button>
        </div>
      </form>
    </dialog>
  );
}
