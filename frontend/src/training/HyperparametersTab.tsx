/**
 * A project's Hyper-parameters tab: the settings the next run trains with (kept in this browser per
 * project), checked as they are typed against the server's limits, and a pre-flight Check that asks
 * the server whether this model trains on this dataset with these settings (POST /api/runs/preflight/).
 */
import { useMemo, useRef, useState } from "react";
import { ApiError } from "../api/client";
import type { Graph, PreflightIssue, PreflightResult, Report } from "../api/types";
import { modelOutput } from "../datasets/modelOutput";
import { linkClick, projectUrl } from "../router";
import { runsApi } from "./api";
import { CheckField, NumberField, SelectField } from "./fields";
import { formatBytes, formatCount } from "./format";
import {
  AUGMENTATION_KEYS,
  applies,
  checkForm,
  defaultForm,
  fieldForServerError,
  FLIPS,
  LIMITS,
  LOSS_LABELS,
  LOSSES,
  METRICS,
  MONITORS,
  OPTIMIZERS,
  resolveLoss,
  SCHEDULES,
  toHyperparameters,
  withOptimizer,
  withSchedule,
  type HpForm,
} from "./hyperparams";
import { useHyperparameterForm, useProjectDatasetChoice } from "./useProjectSettings";
import "../styles/training.css";

interface Props {
  projectId: string;
  graph: Graph;
  report: Report | null;
  /** The model has changes not saved yet (the server checks and trains the saved model). */
  dirty: boolean;
  save: () => Promise<boolean>;
}

type CheckState =
  | { kind: "idle" }
  | { kind: "checking" }
  | { kind: "done"; result: PreflightResult; form: HpForm }
  | { kind: "failed"; message: string; issues: { message: string }[] };

const AUG_HELP: Record<(typeof AUGMENTATION_KEYS)[number], { label: string; help: (v: number | null) => string }> = {
  rotation: { label: "Rotation", help: (v) => `Fraction of a full turn, either way${v ? ` (up to ±${Math.round(v * 360)}°)` : ""}. 0 = off.` },
  zoom: { label: "Zoom", help: (v) => `Fraction in and out${v ? ` (±${Math.round(v * 100)}%)` : ""}. 0 = off.` },
  translation: { label: "Shift", help: (v) => `Fraction of the size, any direction${v ? ` (±${Math.round(v * 100)}%)` : ""}. 0 = off.` },
  contrast: { label: "Contrast", help: (v) => `Fraction up and down${v ? ` (±${Math.round(v * 100)}%)` : ""}. 0 = off.` },
  brightness: { label: "Brightness", help: (v) => `Fraction up and down${v ? ` (±${Math.round(v * 100)}%)` : ""}. 0 = off.` },
};

export function HyperparametersTab({ projectId, graph, report, dirty, save }: Props) {
  const { form, change } = useHyperparameterForm(projectId);
  const { datasetId, dataset, datasets, error: datasetsError, choose } = useProjectDatasetChoice(projectId);
  const [check, setCheck] = useState<CheckState>({ kind: "idle" });
  const [serverErrors, setServerErrors] = useState<Partial<Record<keyof HpForm, string>>>({});
  const formRef = useRef<HTMLFormElement>(null);

  const errors = useMemo(() => ({ ...serverErrors, ...checkForm(form) }), [form, serverErrors]);
  const set = <K extends keyof HpForm>(key: K, value: HpForm[K]) => {
    setServerErrors((old) => {
      if (!(key in old)) return old;
      const next = { ...old };
      delete next[key];
      return next;
    });
    change({ ...form, [key]: value });
  };

  const output = useMemo(() => modelOutput(graph, report), [graph, report]);
  const numClasses = dataset ? dataset.classes.length : null;
  const loss = resolveLoss(form.loss, output.units, output.activation, numClasses);
  const autoLoss = form.loss === "auto" ? resolveLoss("auto", output.units, output.activation, numClasses) : null;

  const runCheck = async (next: HpForm = form) => {
    const problems = checkForm(next);
    if (Object.keys(problems).length) {
      setCheck({ kind: "failed", message: "Some settings are out of range: fix the highlighted fields first.", issues: [] });
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    if (datasetId === null) {
      setCheck({ kind: "failed", message: "Choose the dataset to train on first.", issues: [] });
      return;
    }
    setCheck({ kind: "checking" });
    if (dirty && !(await save())) {
      setCheck({ kind: "failed", message: "The model could not be saved, so it cannot be checked. Save it in the Model tab and try again.", issues: [] });
      return;
    }
    try {
      const result = await runsApi.preflight({ project: Number(projectId), dataset: datasetId, hyperparameters: toHyperparameters(next) });
      setServerErrors({});
      setCheck({ kind: "done", result, form: next });
    } catch (e) {
      const err = e as ApiError;
      const body = (err.body ?? {}) as { errors?: { field?: string; message: string }[] };
      const mapped: Partial<Record<keyof HpForm, string>> = {};
      const issues: { message: string }[] = [];
      for (const item of body.errors ?? []) {
        const field = item.field ? fieldForServerError(item.field) : null;
        if (field) mapped[field] = item.message;
        issues.push({ message: item.field ? `${item.field.replace(/^hyperparameters\./, "")}: ${item.message}` : item.message });
      }
      setServerErrors(mapped);
      setCheck({ kind: "failed", message: err.message, issues: issues.length > 1 ? issues : [] });
    }
  };

  const stale = check.kind === "done" && JSON.stringify(check.form) !== JSON.stringify(form);
  const fix = (next: HpForm) => {
    change(next);
    void runCheck(next);
  };

  return (
    <div className="tr-page">
      <div className="tr-page-inner">
        <div className="page-head">
          <div>
            <h1>Hyper-parameters</h1>
            <p className="muted">How the next run trains. Settings are kept in this browser for this project; Check asks the server whether they will work.</p>
          </div>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => change(defaultForm())}>
            Reset to defaults
          </button>
        </div>
        <div className="hp-grid">
          <form
            ref={formRef}
            className="hp-form"
            aria-label="Hyper-parameters"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void runCheck();
            }}
          >
            <section className="tr-card" aria-labelledby="hp-data">
              <h2 id="hp-data">Data</h2>
              {datasetsError && <p className="field-error">{datasetsError}</p>}
              {datasets && datasets.length === 0 ? (
                <p>
                  You have no datasets yet. <a href="/datasets/" onClick={linkClick}>Upload one</a> or add the demo in the{" "}
                  <a href={projectUrl(projectId, "data")} onClick={linkClick}>Data tab</a>.
                </p>
              ) : (
                <div className="hp-row">
                  <SelectField
                    wide
                    name="dataset"
                    label="Dataset"
                    value={datasetId === null ? "" : String(datasetId)}
                    options={[
                      ...(datasetId === null ? [{ value: "", label: datasets ? "Choose a dataset…" : "Loading…" }] : []),
                      ...(datasets ?? []).map((d) => ({ value: String(d.id), label: d.name })),
                    ]}
                    onChange={(v) => choose(v ? Number(v) : null)}
                    error={check.kind === "failed" && datasetId === null ? "Choose a dataset." : null}
                    help={
                      dataset ? (
                        <>
                          {dataset.classes.length} classes · {formatCount(dataset.image_count)} images. Also chosen in the{" "}
                          <a href={projectUrl(projectId, "data")} onClick={linkClick}>Data tab</a>, where its split is shown.
                        </>
                      ) : (
                        "The same choice as in the Data tab."
                      )
                    }
                  />
                </div>
              )}
            </section>

            <section className="tr-card" aria-labelledby="hp-opt">
              <h2 id="hp-opt">Optimization</h2>
              <div className="hp-row">
                <SelectField
                  name="optimizer"
                  label="Optimizer"
                  value={form.optimizer}
                  options={OPTIMIZERS}
                  onChange={(v) => change(withOptimizer(form, v))}
                  help={OPTIMIZERS.find((o) => o.value === form.optimizer)?.help}
                />
                <NumberField
                  name="learning_rate"
                  label="Learning rate"
                  value={form.learning_rate}
                  onChange={(v) => set("learning_rate", v)}
                  min={0}
                  max={LIMITS.learning_rate.max}
                  error={errors.learning_rate}
                  help={`Step size. Default ${form.optimizer === "sgd" ? "0.01" : "0.001"} for this optimizer.`}
                />
                {applies(form, "momentum") && (
                  <NumberField
                    name="momentum"
                    label="Momentum"
                    value={form.momentum}
                    onChange={(v) => set("momentum", v)}
                    min={0}
                    max={LIMITS.momentum.max}
                    step={0.05}
                    error={errors.momentum}
                    help="0 to 0.999: how much of the last step carries on."
                  />
                )}
                {applies(form, "weight_decay") && (
                  <NumberField
                    name="weight_decay"
                    label="Weight decay"
                    value={form.weight_decay}
                    onChange={(v) => set("weight_decay", v)}
                    min={0}
                    max={1}
                    error={errors.weight_decay}
                    help="0 to below 1; default 0.004."
                  />
                )}
              </div>
              <div className="hp-row">
                <SelectField
                  name="lr_schedule"
                  label="Learning-rate schedule"
                  value={form.lr_schedule}
                  options={SCHEDULES}
                  onChange={(v) => change(withSchedule(form, v))}
                  help={
                    {
                      none: "The same rate every epoch.",
                      cosine: "Decays smoothly to 0 over the run.",
                      step: "Multiplied by a factor every few epochs.",
                      reduce_on_plateau: "Cut when the watched metric stops improving.",
                    }[form.lr_schedule]
                  }
                />
                {applies(form, "lr_step_epochs") && (
                  <NumberField
                    name="lr_step_epochs"
                    label="Every (epochs)"
                    value={form.lr_step_epochs}
                    onChange={(v) => set("lr_step_epochs", v)}
                    min={1}
                    max={1000}
                    step={1}
                    error={errors.lr_step_epochs}
                  />
                )}
                {applies(form, "lr_decay_factor") && (
                  <NumberField
                    name="lr_decay_factor"
                    label="Factor"
                    value={form.lr_decay_factor}
                    onChange={(v) => set("lr_decay_factor", v)}
                    min={0}
                    max={1}
                    step={0.05}
                    error={errors.lr_decay_factor}
                    help="Between 0 and 1: the rate is multiplied by it."
                  />
                )}
                {applies(form, "lr_patience") && (
                  <NumberField
                    name="lr_patience"
                    label="Patience (epochs)"
                    value={form.lr_patience}
                    onChange={(v) => set("lr_patience", v)}
                    min={1}
                    max={1000}
                    step={1}
                    error={errors.lr_patience}
                  />
                )}
              </div>
            </section>

            <section className="tr-card" aria-labelledby="hp-loss">
              <h2 id="hp-loss">Loss and metrics</h2>
              <div className="hp-row">
                <SelectField
                  wide
                  name="loss"
                  label="Loss"
                  value={form.loss}
                  options={LOSSES.map((l) =>
                    l.value === "auto" && autoLoss?.name ? { ...l, label: `Auto (${LOSS_LABELS[autoLoss.name]})` } : l,
                  )}
                  onChange={(v) => set("loss", v)}
                  error={errors.loss ?? (loss.error && output.units !== null ? loss.error : null)}
                  help={
                    loss.name && !loss.error ? (
                      <span data-testid="loss-resolution">
                        {form.loss === "auto" ? "Auto picks " : "Uses "}
                        <strong>{LOSS_LABELS[loss.name]}</strong>
                        {loss.fromLogits ? " on logits" : ""}: the output “{output.node}” has {output.units} unit{output.units === 1 ? "" : "s"} with{" "}
                        {output.activation}
                        {numClasses !== null ? ` and the dataset ${numClasses} classes` : ""}.
                      </span>
                    ) : output.units === null ? (
                      "Auto picks binary cross-entropy for 1 output unit, else sparse categorical cross-entropy."
                    ) : undefined
                  }
                />
                <fieldset className="field hp-field hp-fieldset" aria-describedby={errors.metrics ? "metrics-error" : undefined}>
                  <legend>Metrics</legend>
                  {METRICS.map((m) => (
                    <label key={m.value} className="check">
                      <input
                        type="checkbox"
                        name="metrics"
                        value={m.value}
                        checked={form.metrics.includes(m.value)}
                        onChange={(e) =>
                          set("metrics", e.target.checked ? [...form.metrics, m.value] : form.metrics.filter((x) => x !== m.value))
                        }
                      />
                      {m.label}
                    </label>
                  ))}
                  {errors.metrics && (
                    <p className="field-error" id="metrics-error">
                      {errors.metrics}
                    </p>
                  )}
                </fieldset>
              </div>
            </section>

            <section className="tr-card" aria-labelledby="hp-length">
              <h2 id="hp-length">Batches and epochs</h2>
              <div className="hp-row">
                <NumberField
                  name="batch_size"
                  label="Batch size"
                  value={form.batch_size}
                  onChange={(v) => set("batch_size", v)}
                  min={1}
                  max={4096}
                  step={1}
                  error={errors.batch_size}
                  help="Images per step, 1 to 4096."
                />
                <NumberField
                  name="epochs"
                  label="Epochs"
                  value={form.epochs}
                  onChange={(v) => set("epochs", v)}
                  min={1}
                  max={1000}
                  step={1}
                  error={errors.epochs}
                  help="Passes over the training images, 1 to 1000."
                />
              </div>
              <CheckField
                name="early_stopping"
                label="Stop early when the watched metric stops improving"
                checked={form.early_stopping}
                onChange={(v) => set("early_stopping", v)}
              />
              {form.early_stopping && (
                <div className="hp-row hp-indent">
                  <SelectField name="es_monitor" label="Watch" value={form.es_monitor} options={MONITORS} onChange={(v) => set("es_monitor", v)} error={errors.es_monitor} />
                  <NumberField
                    name="es_patience"
                    label="Patience (epochs)"
                    value={form.es_patience}
                    onChange={(v) => set("es_patience", v)}
                    min={1}
                    max={1000}
                    step={1}
                    error={errors.es_patience}
                  />
                  <NumberField
                    name="es_min_delta"
                    label="Minimum change"
                    value={form.es_min_delta}
                    onChange={(v) => set("es_min_delta", v)}
                    min={0}
                    error={errors.es_min_delta}
                    help="Smaller changes do not count as improving."
                  />
                </div>
              )}
            </section>

            <section className="tr-card" aria-labelledby="hp-aug">
              <h2 id="hp-aug">Augmentation</h2>
              <p className="tr-card-intro muted">Random changes to the training images each epoch, so the model sees more variety. Validation and test images are never changed.</p>
              <div className="hp-row hp-row-3">
                <SelectField name="flip" label="Flip" value={form.flip} options={FLIPS} onChange={(v) => set("flip", v)} help="Mirror images at random." />
                {(["rotation", "zoom", "translation", "contrast", "brightness"] as const).map((k) => (
                  <NumberField
                    key={k}
                    name={k}
                    label={AUG_HELP[k].label}
                    value={form[k]}
                    onChange={(v) => set(k, v)}
                    min={0}
                    max={LIMITS[k].max}
                    step={0.05}
                    error={errors[k]}
                    help={AUG_HELP[k].help(form[k])}
                  />
                ))}
              </div>
            </section>

            <section className="tr-card" aria-labelledby="hp-adv">
              <h2 id="hp-adv">Advanced</h2>
              <CheckField
                name="class_weight"
                label="Balance classes (class weights)"
                checked={form.class_weight}
                onChange={(v) => set("class_weight", v)}
                help="Rare classes count as much as common ones in the loss."
                error={errors.class_weight}
              />
              <CheckField
                name="mixed_precision"
                label="Mixed precision"
                checked={form.mixed_precision}
                onChange={(v) => set("mixed_precision", v)}
                help="16-bit maths where safe: faster and lighter on GPUs (bfloat16 on CPUs)."
              />
              <CheckField
                name="cache_frozen"
                label="Cache the frozen prefix"
                checked={form.cache_frozen}
                onChange={(v) => set("cache_frozen", v)}
                help="Frozen layers at the start of the model (e.g. a pre-trained base) run once per image instead of every epoch, when augmentation is off and the features fit in memory."
              />
              <div className="hp-row">
                <CheckField
                  name="fixed_seed"
                  label="Fixed random seed"
                  checked={form.fixed_seed}
                  onChange={(v) => set("fixed_seed", v)}
                  help={form.fixed_seed ? "The same seed repeats a run exactly." : "Off: each run picks a seed (shown on the run) so it can be repeated."}
                />
                {form.fixed_seed && (
                  <NumberField name="seed" label="Seed" value={form.seed} onChange={(v) => set("seed", v)} min={0} max={LIMITS.seed.max} step={1} error={errors.seed} />
                )}
              </div>
            </section>
          </form>

          <aside className="hp-side" aria-label="Pre-flight check">
            <section className="tr-card hp-check-card">
              <h2>Pre-flight check</h2>
              <p className="muted small">Will this model train on this dataset with these settings, and fit in the worker's memory?</p>
              {dirty && <p className="small hp-note">The model has unsaved changes: they are saved before the check.</p>}
              <button type="button" className="btn btn-primary hp-check-btn" onClick={() => void runCheck()} disabled={check.kind === "checking"}>
                {check.kind === "checking" ? "Checking…" : "Check"}
              </button>
              <div aria-live="polite" data-testid="preflight">
                {check.kind === "failed" && (
                  <div className="pf-block pf-errors" role="alert">
                    <p className="pf-title">Cannot check</p>
                    <p>{check.message}</p>
                    {check.issues.length > 0 && (
                      <ul>
                        {check.issues.map((i, n) => (
                          <li key={n}>{i.message}</li>
                        ))}
                      </ul>
                    )}
                  </div>
                )}
                {check.kind === "done" && <PreflightView result={check.result} stale={stale} form={form} projectId={projectId} onFix={fix} />}
              </div>
            </section>
          </aside>
        </div>
      </div>
    </div>
  );
}

function PreflightView({
  result,
  stale,
  form,
  projectId,
  onFix,
}: {
  result: PreflightResult;
  stale: boolean;
  form: HpForm;
  projectId: string;
  onFix: (next: HpForm) => void;
}) {
  const f = result.figures;
  const split = f.split_counts ?? {};
  const action = (issue: PreflightIssue) => {
    if (issue.code === "class_imbalance" && !form.class_weight) {
      return (
        <button type="button" className="btn btn-sm" onClick={() => onFix({ ...form, class_weight: true })}>
          Use class weights
        </button>
      );
    }
    if (typeof issue.suggested_batch_size === "number" && issue.suggested_batch_size !== form.batch_size) {
      return (
        <button type="button" className="btn btn-sm" onClick={() => onFix({ ...form, batch_size: issue.suggested_batch_size as number })}>
          Use suggested batch size {issue.suggested_batch_size}
        </button>
      );
    }
    if (issue.code === "batch_larger_than_data" && split.train) {
      const b = 2 ** Math.floor(Math.log2(Math.max(1, split.train)));
      return (
        <button type="button" className="btn btn-sm" onClick={() => onFix({ ...form, batch_size: b })}>
          Use batch size {b}
        </button>
      );
    }
    if (issue.code === "output_mismatch" || issue.code === "input_shape" || issue.code === "one_input_one_output" || issue.code === "nothing_to_train") {
      return (
        <a className="small" href={projectUrl(projectId, "model")} onClick={linkClick}>
          Open the Model tab
        </a>
      );
    }
    return null;
  };
  return (
    <div className={stale ? "pf-result is-stale" : "pf-result"}>
      {stale && <p className="small hp-note">Settings changed since this check: check again.</p>}
      {result.ok ? (
        <div className="pf-block pf-ok" role="status">
          <p className="pf-title">✓ Ready to train</p>
          <p>
            {result.warnings.length ? `${result.warnings.length} warning${result.warnings.length === 1 ? "" : "s"} below. ` : ""}
            <a href={projectUrl(projectId, "training")} onClick={linkClick}>
              Go to Training
            </a>
          </p>
        </div>
      ) : (
        <div className="pf-block pf-errors" role="alert">
          <p className="pf-title">
            {result.errors.length} problem{result.errors.length === 1 ? "" : "s"} to fix
          </p>
          <ul>
            {result.errors.map((e, i) => (
              <li key={i} data-code={e.code}>
                {e.message} {action(e)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {result.warnings.length > 0 && (
        <div className="pf-block pf-warnings">
          <p className="pf-title">Warnings</p>
          <ul>
            {result.warnings.map((w, i) => (
              <li key={i} data-code={w.code}>
                {w.message} {action(w)}
              </li>
            ))}
          </ul>
        </div>
      )}
      <dl className="pf-figures">
        <dt>Classes</dt>
        <dd>{f.num_classes}</dd>
        <dt>Images</dt>
        <dd>
          {formatCount(f.num_images)}
          <span className="muted">
            {" "}
            ({formatCount(split.train ?? 0)} train · {formatCount(split.validation ?? 0)} val · {formatCount(split.test ?? 0)} test)
          </span>
        </dd>
        {f.loss && (
          <>
            <dt>Loss</dt>
            <dd>
              {LOSS_LABELS[f.loss.name] ?? f.loss.name}
              {f.loss.from_logits ? " (logits)" : ""}
            </dd>
          </>
        )}
        {f.params_total !== undefined && (
          <>
            <dt>Parameters</dt>
            <dd>
              {formatCount(f.params_total)} <span className="muted">({formatCount(f.params_trainable ?? 0)} trainable)</span>
            </dd>
          </>
        )}
        {f.flops_per_image !== undefined && (
          <>
            <dt>Compute</dt>
            <dd>{formatCount(f.flops_per_image)} FLOPs per image</dd>
          </>
        )}
        {f.memory_estimate_bytes !== undefined && (
          <>
            <dt>Memory</dt>
            <dd>
              about {formatBytes(f.memory_estimate_bytes)} of {formatBytes(f.memory_available_bytes)}
              {f.suggested_batch_size ? <span className="muted"> · batch size up to {f.suggested_batch_size} fits comfortably</span> : null}
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}
