/**
 * One parameter's form control, generated from its spec. Bad input is refused in the form with
 * the reason (the last good value stays in the model); errors from the server show on the field.
 */
import { useEffect, useId, useState } from "react";
import type { ParamSpec } from "../api/types";
import { formatCount, paramToText, parseParamInput } from "../graph/params";

interface Props {
  spec: ParamSpec;
  value: unknown;
  serverError?: string;
  onCommit: (value: unknown) => void;
}

const NULL = "__null__";

function rangeHint(spec: ParamSpec): string {
  const lo = spec.min ?? null;
  const hi = spec.max ?? null;
  const fmt = (n: number) => (Math.abs(n) >= 10000 ? formatCount(n) : String(n));
  const range = lo !== null && hi !== null ? `${fmt(lo)} to ${fmt(hi)}` : lo !== null ? `at least ${fmt(lo)}` : hi !== null ? `at most ${fmt(hi)}` : "";
  if (spec.kind === "ints") {
    const len = spec.lengths?.length
      ? `${spec.lengths.join(" or ")} numbers`
      : spec.min_length !== undefined && spec.min_length === spec.max_length
        ? `${spec.min_length} numbers`
        : spec.min_length !== undefined || spec.max_length !== undefined
          ? `${spec.min_length ?? 0}–${spec.max_length ?? "∞"} numbers`
          : "numbers";
    return [`${len}, comma-separated`, range && `each ${range}`, spec.null_items && "None = any size", spec.scalar_ok && "one number for all"]
      .filter(Boolean)
      .join("; ");
  }
  return range;
}

export function label(name: string): string {
  return name.replace(/_/g, " ");
}

function choiceText(v: unknown, kind: string): string {
  if (v === null) return kind === "weights" ? "none (random initial weights)" : "none";
  if (kind === "weights" && v === "imagenet") return "ImageNet (pre-trained)";
  return String(v);
}

export function ParamField({ spec, value, serverError, onCommit }: Props) {
  const id = useId();
  const [draft, setDraft] = useState(() => paramToText(value));
  const [clientError, setClientError] = useState<string | null>(null);

  // Follow outside changes (undo, paste) unless the draft already means the same value.
  useEffect(() => {
    const parsed = parseParamInput(spec, draft);
    if (!parsed.ok || JSON.stringify(parsed.value) !== JSON.stringify(value)) {
      setDraft(paramToText(value));
      setClientError(null);
    }
  }, [value]);

  const error = clientError ?? serverError ?? null;
  const hint = rangeHint(spec);
  const describedBy = `${id}-help${error ? ` ${id}-err` : ""}`;
  const common = { id, "aria-describedby": describedBy, "aria-invalid": error ? true : undefined, name: spec.name };

  let control: React.ReactNode;
  if (spec.kind === "bool") {
    control = <input type="checkbox" {...common} checked={value === true} onChange={(e) => onCommit(e.target.checked)} />;
  } else if (spec.kind === "choice" || spec.kind === "weights") {
    const choices = [...(spec.choices ?? [])];
    if (spec.optional && !choices.includes(null)) choices.push(null);
    const isFile = value !== null && typeof value === "object";
    const current = isFile ? "__file__" : value === null ? NULL : String(value);
    control = (
      <select
        {...common}
        value={current}
        onChange={(e) => {
          const v = e.target.value;
          if (v === "__file__") return;
          onCommit(v === NULL ? null : (choices.find((c) => String(c) === v) ?? v));
        }}
      >
        {choices.map((c) => (
          <option key={String(c)} value={c === null ? NULL : String(c)}>
            {choiceText(c, spec.kind)}
          </option>
        ))}
        {isFile && <option value="__file__">weights file #{String((value as { file: unknown }).file)}</option>}
        {!isFile && !choices.some((c) => (c === null ? NULL : String(c)) === current) && (
          <option value={current}>{current} (not allowed)</option>
        )}
      </select>
    );
  } else if (spec.kind === "layers") {
    const on = new Set(Array.isArray(value) ? (value as string[]) : []);
    control = (
      <div className="layers-checklist" role="group" aria-describedby={describedBy}>
        {(spec.choices as string[]).map((c) => (
          <label key={c} className="check">
            <input
              type="checkbox"
              checked={on.has(c)}
              onChange={(e) => onCommit((spec.choices as string[]).filter((x) => (x === c ? e.target.checked : on.has(x))))}
            />
            {c}
          </label>
        ))}
      </div>
    );
  } else {
    control = (
      <input
        {...common}
        type="text"
        inputMode={spec.kind === "float" ? "decimal" : spec.kind === "ints" ? "text" : "numeric"}
        autoComplete="off"
        spellCheck={false}
        value={draft}
        placeholder={spec.optional ? "none" : undefined}
        onChange={(e) => {
          setDraft(e.target.value);
          const parsed = parseParamInput(spec, e.target.value);
          if (parsed.ok) {
            setClientError(null);
            onCommit(parsed.value);
          } else setClientError(parsed.error);
        }}
        onBlur={() => {
          if (clientError) {
            setDraft(paramToText(value));
            setClientError(null);
          }
        }}
      />
    );
  }

  return (
    <div className={`field param-field kind-${spec.kind}${error ? " has-error" : ""}`}>
      {spec.kind === "bool" ? (
        <label className="check" htmlFor={id}>
          {control}
          <span className="field-label">{label(spec.name)}</span>
        </label>
      ) : (
        <>
          <label className="field-label" htmlFor={spec.kind === "layers" ? undefined : id}>
            {label(spec.name)}
          </label>
          {control}
        </>
      )}
      {error && (
        <p className="field-error" id={`${id}-err`} role="alert">
          {clientError ? `Not applied: ${clientError}` : error}
        </p>
      )}
      <p className="field-help" id={`${id}-help`}>
        {spec.help}
        {hint && <span className="field-hint"> ({hint})</span>}
      </p>
    </div>
  );
}
