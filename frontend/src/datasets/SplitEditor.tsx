/**
 * The split editor: training / validation / test percentages (slider and number for each, always
 * adding up to 100), the seed, a live preview of the counts per split and per class, and Save.
 */
import { useRef, useState } from "react";
import type { Dataset, SplitAnswer, SplitName, SplitSpec } from "../api/types";
import { datasetsApi } from "./api";
import { formatCount, plural } from "./format";
import {
  emptySplits,
  MAX_SEED,
  parseSeed,
  PRESETS,
  randomSeed,
  sameShares,
  sameSplit,
  setShare,
  shareBounds,
  SPLIT_LABELS,
  SPLIT_NAMES,
  type Shares,
} from "./split";
import { useSplitPreview } from "./useSplitPreview";

interface Props {
  dataset: Dataset;
  onSaved: (answer: SplitAnswer) => void;
}

export function SplitEditor({ dataset, onSaved }: Props) {
  const [draft, setDraft] = useState<SplitSpec>(dataset.split);
  const [seedText, setSeedText] = useState(String(dataset.split.seed));
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [savedNote, setSavedNote] = useState(false);
  // The split as it was when the current edit began (see split.ts: typing keeps the proportions).
  const base = useRef<SplitSpec | null>(null);
  const preview = useSplitPreview(dataset, draft);
  const dirty = !sameSplit(draft, dataset.split);
  const seedValid = parseSeed(seedText) !== null;

  const change = (name: SplitName, value: number) => {
    setDraft((d) => setShare(base.current ?? d, name, value));
    setSavedNote(false);
  };
  const applyShares = (s: Shares) => {
    setDraft((d) => ({ ...d, ...s }));
    setSavedNote(false);
  };
  const setSeed = (text: string) => {
    setSeedText(text);
    const seed = parseSeed(text);
    if (seed !== null) setDraft((d) => ({ ...d, seed }));
    setSavedNote(false);
  };
  const reset = () => {
    setDraft(dataset.split);
    setSeedText(String(dataset.split.seed));
    setSaveError(null);
  };
  const save = async () => {
    setSaving(true);
    setSaveError(null);
    try {
      const answer = await datasetsApi.saveSplit(dataset.id, draft);
      onSaved(answer);
      setSavedNote(true);
    } catch (e) {
      setSaveError((e as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const { answer } = preview;
  const total = answer.counts.train + answer.counts.validation + answer.counts.test;
  const empty = emptySplits(draft, answer.classes);
  const editHandlers = {
    onFocus: () => {
      base.current = draft;
    },
    onBlur: () => {
      base.current = null;
    },
  };

  return (
    <section className="panel split-editor" aria-labelledby="split-title">
      <div className="panel-head">
        <h2 id="split-title">Train / validation / test split</h2>
        <span className={`split-state ${dirty ? "is-dirty" : ""}`} data-testid="split-state">
          {dirty ? "Unsaved changes" : savedNote ? "Split saved" : "Saved"}
        </span>
      </div>
      <p className="muted panel-intro">
        Each class is split separately (stratified), so every split keeps the class balance. The same seed always puts the
        same images in the same split.
      </p>
      <div className="split-grid">
        <div className="split-controls">
          <SplitBar shares={draft} />
          {SPLIT_NAMES.map((name) => {
            const { min, max } = shareBounds(name);
            const labelId = `split-${name}-label`;
            return (
              <div className={`split-row split-${name}`} key={name}>
                <label id={labelId} htmlFor={`split-${name}`} className="split-label">
                  <span className={`split-swatch swatch-${name}`} aria-hidden="true" />
                  {SPLIT_LABELS[name]}
                </label>
                <input
                  type="range"
                  className="split-range"
                  min={0}
                  max={100}
                  step={1}
                  value={draft[name]}
                  aria-labelledby={labelId}
                  aria-valuetext={`${draft[name]}%`}
                  onChange={(e) => change(name, Number(e.target.value))}
                  {...editHandlers}
                />
                <span className="split-number">
                  <input
                    id={`split-${name}`}
                    type="number"
                    min={min}
                    max={max}
                    step={1}
                    value={draft[name]}
                    onChange={(e) => e.target.value !== "" && change(name, Number(e.target.value))}
                    {...editHandlers}
                  />
                  <span aria-hidden="true">%</span>
                </span>
              </div>
            );
          })}
          <div className="split-presets" role="group" aria-label="Common splits">
            {PRESETS.map((p) => (
              <button
                key={`${p.train}-${p.validation}-${p.test}`}
                type="button"
                className="btn btn-sm preset"
                aria-pressed={sameShares(p, draft)}
                onClick={() => applyShares(p)}
              >
                {p.train}/{p.validation}/{p.test}
              </button>
            ))}
          </div>
          <div className="field split-seed">
            <label htmlFor="split-seed">Seed</label>
            <div className="seed-row">
              <input
                id="split-seed"
                type="number"
                min={0}
                max={MAX_SEED}
                step={1}
                value={seedText}
                aria-invalid={!seedValid}
                aria-describedby="split-seed-help"
                onChange={(e) => setSeed(e.target.value)}
              />
              <button type="button" className="btn btn-sm" onClick={() => setSeed(String(randomSeed()))}>
                New seed
              </button>
            </div>
            <p id="split-seed-help" className={seedValid ? "field-help" : "field-error"}>
              {seedValid ? "Change it to draw a different, equally balanced split." : `A whole number from 0 to ${formatCount(MAX_SEED)}.`}
            </p>
          </div>
          {saveError && (
            <p className="field-error" role="alert">
              The split was not saved: {saveError}
            </p>
          )}
          <div className="split-actions">
            <button type="button" className="btn btn-primary" disabled={!dirty || saving || !seedValid} onClick={() => void save()}>
              {saving ? "Saving…" : "Save split"}
            </button>
            <button type="button" className="btn btn-ghost" disabled={!dirty || saving} onClick={reset}>
              Reset
            </button>
          </div>
        </div>
        <div className="split-preview" aria-busy={preview.pending}>
          <table className="split-table" data-testid="split-preview">
            <caption>
              {dirty ? "Preview: images per split" : "Images per split"}
              {preview.pending && <span className="updating"> · updating…</span>}
            </caption>
            <thead>
              <tr>
                <th scope="col">Class</th>
                {SPLIT_NAMES.map((s) => (
                  <th scope="col" key={s} className="num">
                    {SPLIT_LABELS[s]}
                  </th>
                ))}
                <th scope="col" className="num">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {answer.classes.map((c) => (
                <tr key={c.name}>
                  <th scope="row" title={c.name}>
                    {c.name}
                  </th>
                  {SPLIT_NAMES.map((s) => (
                    <td key={s} className={`num ${draft[s] > 0 && c[s] === 0 ? "is-zero" : ""}`}>
                      {formatCount(c[s])}
                    </td>
                  ))}
                  <td className="num muted">{formatCount(c.train + c.validation + c.test)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">All classes</th>
                {SPLIT_NAMES.map((s) => (
                  <td key={s} className="num" data-testid={`split-total-${s}`}>
                    {formatCount(answer.counts[s])}
                  </td>
                ))}
                <td className="num">{formatCount(total)}</td>
              </tr>
            </tfoot>
          </table>
          {preview.error && (
            <p className="field-error" role="alert">
              The preview could not be computed: {preview.error}
            </p>
          )}
          {empty.length > 0 && (
            <p className="hint hint-warn">
              {plural(new Set(empty.map((e) => e.name)).size, "class", "classes")} {empty.length === 1 ? "gets" : "get"} no image in
              some split:{" "}
              {empty
                .slice(0, 4)
                .map((e) => `${e.name} (${SPLIT_LABELS[e.split].toLowerCase()})`)
                .join(", ")}
              {empty.length > 4 ? ", …" : ""}. These classes have too few images for this split.
            </p>
          )}
        </div>
      </div>
    </section>
  );
}

/** The three shares as one stacked bar. */
export function SplitBar({ shares }: { shares: Shares }) {
  return (
    <div className="split-bar" aria-hidden="true">
      {SPLIT_NAMES.filter((s) => shares[s] > 0).map((s) => (
        <span key={s} className={`split-seg swatch-${s}`} style={{ flexGrow: shares[s] }}>
          {shares[s] >= 8 ? `${shares[s]}%` : ""}
        </span>
      ))}
    </div>
  );
}
