/** Labelled form controls of the Hyper-parameters tab: every control has a label, help and its error tied to it. */
import { useEffect, useId, useRef, useState, type ReactNode } from "react";

interface Common {
  label: string;
  /** Take two columns of the row (long choices). */
  wide?: boolean;
  help?: ReactNode;
  error?: string | null;
  name: string;
}

function Described({ id, help, error }: { id: string; help?: ReactNode; error?: string | null }) {
  return (
    <>
      {help && (
        <p className="field-help" id={`${id}-help`}>
          {help}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </>
  );
}

const describedBy = (id: string, help: unknown, error: unknown) =>
  [help ? `${id}-help` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;

/** Numbers as typed: the text is kept while typing ("0.", "1e-"), the value is a number or null. */
export function NumberField({
  label,
  help,
  error,
  name,
  value,
  onChange,
  step = "any",
  min,
  max,
  unit,
  disabled,
}: Common & {
  value: number | null;
  onChange: (v: number | null) => void;
  step?: number | "any";
  min?: number;
  max?: number;
  unit?: string;
  disabled?: boolean;
}) {
  const id = useId();
  const [text, setText] = useState(value === null ? "" : String(value));
  const last = useRef(value);
  useEffect(() => {
    // A change from outside (reset, "use suggested"): show it.
    if (value !== last.current) {
      last.current = value;
      setText(value === null ? "" : String(value));
    }
  }, [value]);
  return (
    <div className="field hp-field">
      <label htmlFor={id}>{label}</label>
      <div className="hp-input-row">
        <input
          id={id}
          name={name}
          type="number"
          inputMode="decimal"
          value={text}
          step={step}
          min={min}
          max={max === Infinity ? undefined : max}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(id, help, error)}
          onChange={(e) => {
            const t = e.target.value;
            setText(t);
            const n = t.trim() === "" ? null : Number(t);
            const v = n === null || Number.isNaN(n) ? null : n;
            last.current = v;
            onChange(v);
          }}
        />
        {unit && <span className="hp-unit">{unit}</span>}
      </div>
      <Described id={id} help={help} error={error} />
    </div>
  );
}

export function SelectField<T extends string>({
  wide,
  label,
  help,
  error,
  name,
  value,
  options,
  onChange,
  disabled,
}: Common & { value: T; options: { value: T; label: string }[]; onChange: (v: T) => void; disabled?: boolean }) {
  const id = useId();
  return (
    <div className={wide ? "field hp-field hp-wide" : "field hp-field"}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={name}
        value={value}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, help, error)}
        onChange={(e) => onChange(e.target.value as T)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Described id={id} help={help} error={error} />
    </div>
  );
}

export function CheckField({
  label,
  help,
  error,
  name,
  checked,
  onChange,
}: Common & { checked: boolean; onChange: (v: boolean) => void }) {
  const id = useId();
  return (
    <div className="field hp-field hp-check">
      <label className="check" htmlFor={id}>
        <input
          id={id}
          name={name}
          type="checkbox"
          checked={checked}
          aria-describedby={describedBy(id, help, error)}
          onChange={(e) => onChange(e.target.checked)}
        />
        <span>{label}</span>
      </label>
      <Described id={id} help={help} error={error} />
    </div>
  );
}
