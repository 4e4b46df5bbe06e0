/** A row of radio buttons that looks like a segmented control (keyboard and screen readers get radios). */
interface Option<T extends string> {
  value: T;
  label: string;
  disabled?: boolean;
  title?: string;
}

interface Props<T extends string> {
  name: string;
  legend: string;
  value: T;
  options: Option<T>[];
  onChange: (value: T) => void;
}

export function Segmented<T extends string>({ name, legend, value, options, onChange }: Props<T>) {
  return (
    <fieldset className="rs-seg">
      <legend>{legend}</legend>
      <div className="rs-seg-options">
        {options.map((o) => (
          <label key={o.value} className={`${o.value === value ? "is-checked" : ""}${o.disabled ? " is-disabled" : ""}`} title={o.title}>
            <input
              type="radio"
              name={name}
              value={o.value}
              checked={o.value === value}
              disabled={o.disabled}
              onChange={() => onChange(o.value)}
            />
            {o.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
