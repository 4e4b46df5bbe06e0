import { describe, expect, it } from "vitest";
import type { RunHyperparameters } from "../api/types";
import {
  checkForm,
  defaultForm,
  fieldForServerError,
  formFromJson,
  formFromRun,
  loadForm,
  resolveLoss,
  saveForm,
  summary,
  toHyperparameters,
  withOptimizer,
  withSchedule,
} from "./hyperparams";

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    data,
  };
}

describe("the form's defaults and request body", () => {
  it("sends the server's defaults, and only what applies", () => {
    const hp = toHyperparameters(defaultForm());
    expect(hp).toEqual({
      epochs: 10,
      batch_size: 32,
      optimizer: "adam",
      learning_rate: 0.001,
      lr_schedule: "none",
      loss: "auto",
      metrics: ["accuracy"],
      mixed_precision: false,
      cache_frozen: true,
      seed: null,
      class_weight: null,
      early_stopping: null,
      augmentation: {},
    });
    expect(checkForm(defaultForm())).toEqual({});
  });

  it("includes momentum for SGD, weight decay for AdamW, schedule settings for their schedule", () => {
    const sgd = withOptimizer(defaultForm(), "sgd");
    expect(sgd.learning_rate).toBe(0.01);
    expect(toHyperparameters(sgd)).toMatchObject({ optimizer: "sgd", momentum: 0.9, learning_rate: 0.01 });
    expect(toHyperparameters(withOptimizer(defaultForm(), "adamw"))).toMatchObject({ weight_decay: 0.004 });
    expect(toHyperparameters(withOptimizer(defaultForm(), "rmsprop"))).toMatchObject({ momentum: 0 });
    expect("momentum" in toHyperparameters(defaultForm())).toBe(false);
    const step = withSchedule(defaultForm(), "step");
    expect(toHyperparameters(step)).toMatchObject({ lr_schedule: "step", lr_step_epochs: 3, lr_decay_factor: 0.1 });
    const plateau = withSchedule(defaultForm(), "reduce_on_plateau");
    expect(toHyperparameters(plateau)).toMatchObject({ lr_decay_factor: 0.5, lr_patience: 2 });
    expect("lr_step_epochs" in toHyperparameters(plateau)).toBe(false);
  });

  it("keeps a learning rate the person chose when the optimizer changes", () => {
    const f = { ...defaultForm(), learning_rate: 0.0003 };
    expect(withOptimizer(f, "sgd").learning_rate).toBe(0.0003);
    expect(withOptimizer(withOptimizer(defaultForm(), "sgd"), "adam").learning_rate).toBe(0.001);
  });

  it("builds early stopping, augmentation, seed, class weights and the run's own choices", () => {
    const f = {
      ...defaultForm(),
      early_stopping: true,
      es_patience: 3,
      es_monitor: "val_accuracy" as const,
      flip: "horizontal" as const,
      rotation: 0.1,
      contrast: 0.2,
      fixed_seed: true,
      seed: 7,
      class_weight: true,
    };
    expect(toHyperparameters(f, { keep: "last", initial_run: 4 })).toMatchObject({
      early_stopping: { patience: 3, monitor: "val_accuracy", min_delta: 0 },
      augmentation: { flip: "horizontal", rotation: 0.1, contrast: 0.2 },
      seed: 7,
      class_weight: "auto",
      keep: "last",
      initial_run: 4,
    });
  });
});

describe("checking", () => {
  it("names every field out of range, with the allowed range", () => {
    const f = { ...defaultForm(), epochs: 0, batch_size: 2.5, learning_rate: 0, rotation: 0.7, metrics: [] };
    const e = checkForm(f);
    expect(e.epochs).toBe("Use a whole number from 1 to 1000.");
    expect(e.batch_size).toBe("Use a whole number from 1 to 4096.");
    expect(e.learning_rate).toBe("Use above 0 to 10.");
    expect(e.rotation).toBe("Use from 0 to 0.5.");
    expect(e.metrics).toMatch(/at least one/);
    expect(checkForm({ ...defaultForm(), epochs: null }).epochs).toBe("Enter a whole number from 1 to 1000.");
  });

  it("ignores fields that do not apply", () => {
    expect(checkForm({ ...defaultForm(), momentum: 5, seed: -1, es_patience: 0 })).toEqual({});
    expect(checkForm({ ...defaultForm(), fixed_seed: true, seed: -1 }).seed).toBeDefined();
    expect(checkForm({ ...withOptimizer(defaultForm(), "sgd"), momentum: 1 }).momentum).toBeDefined();
    expect(checkForm({ ...withSchedule(defaultForm(), "step"), lr_decay_factor: 1 }).lr_decay_factor).toBe("Use above 0 and below 1.");
  });

  it("maps the server's field names onto the form", () => {
    expect(fieldForServerError("hyperparameters.learning_rate")).toBe("learning_rate");
    expect(fieldForServerError("hyperparameters.early_stopping.patience")).toBe("es_patience");
    expect(fieldForServerError("hyperparameters")).toBeNull();
    expect(fieldForServerError("dataset")).toBeNull();
  });
});

describe("what auto resolves to", () => {
  it("mirrors the server: softmax N units -> sparse categorical, 1 unit -> binary, linear -> logits", () => {
    expect(resolveLoss("auto", 3, "softmax", 3)).toEqual({ name: "sparse_categorical_crossentropy", fromLogits: false, error: null });
    expect(resolveLoss("auto", 1, "sigmoid", 2)).toEqual({ name: "binary_crossentropy", fromLogits: false, error: null });
    expect(resolveLoss("auto", 4, "linear", 4)).toMatchObject({ fromLogits: true, error: null });
  });

  it("explains a mismatch", () => {
    expect(resolveLoss("auto", 3, "softmax", 2).error).toBe("The output has 3 units but the dataset has 2 classes.");
    expect(resolveLoss("binary_crossentropy", 2, "softmax", 2).error).toMatch(/1 output unit/);
    expect(resolveLoss("auto", 2, "relu", 2).error).toMatch(/softmax/);
    expect(resolveLoss("auto", null, "softmax", 2).name).toBeNull();
    expect(resolveLoss("auto", 5, "softmax", null).error).toBeNull(); // no dataset yet
  });
});

describe("kept per project", () => {
  it("round-trips through storage, per project", () => {
    const store = memoryStorage();
    const f = { ...withOptimizer(defaultForm(), "sgd"), epochs: 3 };
    saveForm(5, f, store);
    expect(loadForm(5, store)).toEqual(f);
    expect(loadForm(6, store)).toEqual(defaultForm());
  });

  it("falls back to defaults for broken or old stored values", () => {
    const store = memoryStorage();
    store.setItem("keras-studio:project-hyperparameters:1", "{not json");
    expect(loadForm(1, store)).toEqual(defaultForm());
    const f = formFromJson({ optimizer: "adadelta", epochs: "ten", metrics: ["accuracy", "f1"], flip: "sideways", old_key: 1 });
    expect(f.optimizer).toBe("adam");
    expect(f.epochs).toBe(10);
    expect(f.metrics).toEqual(["accuracy"]);
    expect(f.flip).toBe("none");
  });

  it("rebuilds the form from a run's stored settings", () => {
    const hp: RunHyperparameters = {
      ...(toHyperparameters(defaultForm()) as unknown as RunHyperparameters),
      momentum: 0,
      weight_decay: 0,
      lr_step_epochs: 3,
      lr_decay_factor: 0.5,
      lr_patience: 2,
      early_stopping: { patience: 4, monitor: "loss", min_delta: 0.01 },
      augmentation: { flip: "vertical", zoom: 0.2 },
      seed: 123,
      split: "dataset",
      keep: "best",
      initial_run: null,
      class_weight: null,
    };
    const f = formFromRun(hp);
    expect(f).toMatchObject({ early_stopping: true, es_patience: 4, es_monitor: "loss", flip: "vertical", zoom: 0.2, fixed_seed: true, seed: 123 });
  });

  it("summarises the settings in one line", () => {
    expect(summary(defaultForm())).toBe("Adam · learning rate 0.001 · batch 32 · 10 epochs");
    expect(summary({ ...defaultForm(), epochs: 1, early_stopping: true, flip: "horizontal", lr_schedule: "cosine" })).toBe(
      "Adam · learning rate 0.001 · cosine decay · batch 32 · 1 epoch · early stopping (5) · augmentation",
    );
  });
});
