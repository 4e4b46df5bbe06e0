/** Inline renaming of a dataset: the field's state, its error, and save / cancel. */
import { useState } from "react";

export function useRename(current: string, onRename: (name: string) => Promise<void>) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(current);
  const [error, setError] = useState<string | null>(null);

  const start = () => {
    setName(current);
    setEditing(true);
  };
  const cancel = () => {
    setName(current);
    setError(null);
    setEditing(false);
  };
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const v = name.trim();
    if (!v) return setError("A dataset needs a name.");
    try {
      if (v !== current) await onRename(v);
      setEditing(false);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return { editing, name, setName, error, start, cancel, submit };
}
