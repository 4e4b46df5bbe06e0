/** The project name in the header; click to rename. */
import { useState } from "react";

export function ProjectTitle({ name, onRename }: { name: string; onRename: (name: string) => Promise<void> }) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(name);
  const [error, setError] = useState<string | null>(null);

  if (!editing) {
    return (
      <button
        type="button"
        className="project-title"
        title="Rename project"
        aria-label={`Project ${name}, rename`}
        onClick={() => {
          setValue(name);
          setEditing(true);
        }}
      >
        <span className="project-title-text">{name}</span>
        <span aria-hidden="true" className="pencil">
          ✎
        </span>
      </button>
    );
  }
  const finish = async () => {
    const v = value.trim();
    if (v && v !== name) {
      try {
        await onRename(v);
      } catch (e) {
        setError((e as Error).message);
        return;
      }
    }
    setError(null);
    setEditing(false);
  };
  return (
    <form
      className="project-title-form"
      onSubmit={(e) => {
        e.preventDefault();
        void finish();
      }}
    >
      <label htmlFor="project-title-input" className="sr-only">
        Project name
      </label>
      <input
        id="project-title-input"
        value={value}
        autoFocus
        maxLength={200}
        aria-invalid={!!error}
        title={error ?? undefined}
        onChange={(e) => setValue(e.target.value)}
        onBlur={() => void finish()}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            setError(null);
            setEditing(false);
          }
        }}
      />
    </form>
  );
}
