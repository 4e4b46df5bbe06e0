"""One run's training, inside its own process (see child.py): from the run's row to its kept weights.

Steps: devices and precision, the seed, the model from the run's graph snapshot (plus a previous
run's weights, or this run's last checkpoint when it resumes), the dataset's splits decoded once,
the frozen-prefix feature cache where it applies, fit() with the run's callback, then the weights
(best and last; model.weights.h5 is the kept one), test metrics and the final status. Every write
names this attempt (Reporter), so a process that lost its run stops without touching it.
"""
import logging
import os
import shutil
import time
from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

from studio.graphs import GraphError, compile_graph, validate
from studio.training import conf
from studio.training.callback import NonFiniteLoss, RunCallback, store_epoch
from studio.training.checkpoints import OPTIMIZER, load_checkpoint, load_model_weights, read_state
from studio.training.data import split_files
from studio.training.devices import DevicesUnavailable, Placement, place
from studio.training.events import LeaseLost
from studio.training.frozen import compute_features, find_frozen_cut
from studio.training.hyperparams import has_augmentation
from studio.training.inputs import Rows, balanced_class_weights, evaluation_dataset, steps_per_epoch, training_dataset
from studio.training.keras_options import build_loss, build_metrics, build_optimizer, loss_spec
from studio.training.models import Run
from studio.training.paths import (
    best_weights_path,
    checkpoint_dir,
    checkpoint_weights_path,
    final_weights_path,
    last_optimizer_path,
    run_dir,
)
from studio.training.queue import run_finish
from studio.training.reporter import Reporter, clean_logs
from studio.weights.services import resolver_for

log = logging.getLogger(__name__)


class TrainingError(Exception):
    """A failure with a message meant for the person who started the run."""


@dataclass
class Splits:
    train: Rows
    train_labels: list[int]
    validation: Rows | None = None
    validation_labels: list[int] = field(default_factory=list)
    test: Rows | None = None
    test_labels: list[int] = field(default_factory=list)


def train_run(*, run_id: int, attempt: int) -> None:
    """Train one attempt of a run and record how it ended; never raises for a training failure."""
    reporter = Reporter(run_id=run_id, attempt=attempt)
    try:
        status, message, best, final = _train(run_id, reporter)
    except LeaseLost as exc:
        log.warning("Run %s: this process no longer holds the run (%s); stopping", run_id, exc)
        return
    except (NonFiniteLoss, TrainingError) as exc:
        run_finish(run_id=run_id, attempt=attempt, status=Run.Status.FAILED, message=str(exc))
        return
    except GraphError as exc:
        message = f"The model could not be built from the graph: {exc}"
        run_finish(run_id=run_id, attempt=attempt, status=Run.Status.FAILED, message=message)
        return
    except (tf.errors.ResourceExhaustedError, MemoryError):
        batch = Run.objects.filter(id=run_id).values_list("hyperparameters__batch_size", flat=True).first()
        message = (f"Out of memory at batch size {batch}. Try a smaller batch size "
                   f"(e.g. {max(1, (batch or 2) // 2)}) or a smaller input size.")
        run_finish(run_id=run_id, attempt=attempt, status=Run.Status.FAILED, message=message)
        return
    except Exception as exc:  # a bug or an unexpected model: fail the run with the reason, log the trace
        log.exception("Run %s failed", run_id)
        first_line = (str(exc).strip().splitlines() or [""])[0][:500]
        message = f"Training failed: {type(exc).__name__}: {first_line} (the worker's log has the details)."
        run_finish(run_id=run_id, attempt=attempt, status=Run.Status.FAILED, message=message)
        return
    if run_finish(run_id=run_id, attempt=attempt, status=status, message=message, best=best, final=final):
        _remove_resume_files(run_id)


def _remove_resume_files(run_id: int) -> None:
    """Checkpoints only serve resuming, which an ended run will not do. The last optimizer state stays,
    beside last.weights.h5, for a resumable download (a .keras file with the optimizer)."""
    try:
        os.replace(checkpoint_dir(run_id) / OPTIMIZER, last_optimizer_path(run_id))
    except FileNotFoundError:
        pass
    shutil.rmtree(checkpoint_dir(run_id), ignore_errors=True)
    best_weights_path(run_id).unlink(missing_ok=True)


def _placement(hp: dict) -> Placement:
    try:
        return place(hp.get("gpus"))
    except DevicesUnavailable as exc:
        raise TrainingError(str(exc)) from None


def _load_splits(run: Run, model: keras.Model) -> Splits:
    if run.dataset is None:
        raise TrainingError("The run's dataset was deleted.")
    hp = run.hyperparameters
    shape = model.inputs[0].shape
    size, channels = (int(shape[1]), int(shape[2])), int(shape[3])
    files = split_files(dataset=run.dataset, split=hp["split"], seed=hp["seed"])
    if not files["train"][0]:
        raise TrainingError("The split leaves no images for training.")
    budget = conf.in_memory_images_bytes()
    rows = {name: Rows.from_files(paths, size=size, channels=channels, memory_budget=budget) if paths else None
            for name, (paths, _) in files.items()}
    return Splits(rows["train"], files["train"][1], rows["validation"], files["validation"][1], rows["test"],
                  files["test"][1])


def _use_cache(run: Run, model: keras.Model, splits: Splits, reporter: Reporter) -> keras.Model:
    """The model to train: the suffix on cached features where the frozen-prefix cache applies."""
    hp = run.hyperparameters
    reason = ""
    cut = None
    if not hp["cache_frozen"]:
        reason = "cache_frozen is off"
    elif has_augmentation(hp):
        reason = "random augmentation changes the images every epoch"
    else:
        cut = find_frozen_cut(model)
        if cut is None:
            reason = "no frozen layers with weights at the front of the model"
    if cut is not None:
        parts = [splits.train, splits.validation, splits.test]
        count = sum(p.count for p in parts if p is not None)
        itemsize = np.dtype(keras.backend.standardize_dtype(cut.prefix.outputs[0].dtype)).itemsize
        needed = count * int(np.prod(cut.feature_shape)) * itemsize
        if needed > conf.feature_cache_bytes():
            reason = f"the features would take {needed / 1024**3:.1f} GB"
            cut = None
    if cut is None:
        reporter.update(cache={"used": False, "layer": None, "reason": reason})
        return model
    started = time.monotonic()
    batch = max(32, hp["batch_size"])
    for name in ("train", "validation", "test"):
        rows = getattr(splits, name)
        if rows is not None:
            setattr(splits, name, compute_features(cut.prefix, rows, batch_size=batch))
    seconds = round(time.monotonic() - started, 3)
    reporter.update(cache={"used": True, "layer": cut.layer, "reason": "", "seconds": seconds})
    reporter.log(f"Frozen layers up to {cut.layer} run once per image ({seconds} s); training the rest on "
                 f"the cached features.", cache_layer=cut.layer)
    return cut.suffix


def _load_initial_weights(model: keras.Model, run_id: int, reporter: Reporter) -> None:
    source = Run.objects.get(id=run_id)
    other = compile_graph(source.graph, load_pretrained=False)  # its own weights come next
    other.load_weights(final_weights_path(run_id))
    by_name = {layer.name: layer for layer in other.layers}
    copied, skipped = [], []
    for layer in model.layers:
        match = by_name.get(layer.name)
        if match is None or not layer.weights:
            continue
        if [w.shape for w in layer.weights] == [w.shape for w in match.weights]:
            layer.set_weights(match.get_weights())
            copied.append(layer.name)
        else:
            skipped.append(layer.name)
    note = f"; kept the initial weights of {', '.join(skipped)} (shapes differ)" if skipped else ""
    reporter.log(f"Started from the weights of run {run_id} ({len(copied)} layers){note}.")


def _save_final_weights(run: Run, model: keras.Model) -> None:
    """last.weights.h5 (where training ended) and best.weights.h5 (the monitor's best epoch; the last
    weights when no epoch had a value), as Keras weights files of the graph's model without optimizer
    state: a fresh, uncompiled copy of the model takes them (the trained one carries its optimizer).
    model.weights.h5 is the kept one of the two (`keep`), and `model` is left holding it."""
    clean = compile_graph(run.graph, load_pretrained=False)  # takes the trained weights next
    clean.set_weights(model.get_weights())
    last, best = checkpoint_weights_path(run.id, "last"), checkpoint_weights_path(run.id, "best")
    clean.save_weights(last)
    if best_weights_path(run.id).exists():
        load_model_weights(clean, best_weights_path(run.id))
        clean.save_weights(best)
        if run.hyperparameters["keep"] == "best":
            load_model_weights(model, best_weights_path(run.id))
    else:
        shutil.copyfile(last, best)
    _link(best if run.hyperparameters["keep"] == "best" else last, final_weights_path(run.id))


def _link(source, target) -> None:
    """`target` becomes the same file as `source` (a hard link where the file system has them), atomically."""
    work = target.with_name(f".{target.name}.tmp")
    work.unlink(missing_ok=True)
    try:
        os.link(source, work)
    except OSError:
        shutil.copyfile(source, work)
    os.replace(work, target)


def _monitor(hp: dict, splits: Splits) -> str:
    if hp.get("early_stopping"):
        return hp["early_stopping"]["monitor"]
    return "val_loss" if splits.validation is not None else "loss"


def _train(run_id: int, reporter: Reporter) -> tuple[str, str, dict, dict]:
    run = Run.objects.select_related("dataset").get(id=run_id)
    hp = run.hyperparameters
    keras.backend.clear_session()  # layer names (and so checkpoint paths) as in a fresh process
    placement = _placement(hp)
    devices, strategy = placement.devices, placement.strategy
    reporter.update(devices=devices)
    mirrored = f" (mirrored over {len(devices)} devices)" if strategy.num_replicas_in_sync > 1 else ""
    reporter.log(f"Training process {os.getpid()} on {', '.join(devices)}{mirrored}.", pid=os.getpid(),
                 devices=devices, replicas=strategy.num_replicas_in_sync)
    if hp["mixed_precision"]:
        keras.mixed_precision.set_global_policy("mixed_float16" if placement.gpu else "mixed_bfloat16")
    keras.utils.set_random_seed(hp["seed"])
    run_dir(run_id).mkdir(parents=True, exist_ok=True)
    state = read_state(run_id)
    first_epoch = int(state["epoch"]) if state else 0
    if state and run.epoch < first_epoch:
        store_epoch(reporter, state["message"])  # killed between checkpoint and message: store it now

    with strategy.scope():
        model = compile_graph(run.graph, weights_resolver=resolver_for(run.owner_id))
        splits = _load_splits(run, model)
        if state is None and hp["initial_run"]:
            _load_initial_weights(model, hp["initial_run"], reporter)
        train_model = _use_cache(run, model, splits, reporter)
        spec = (run.preflight.get("figures") or {}).get("loss") or loss_spec(
            run.graph, validate(run.graph).as_dict(), hp, len(run.classes))
        steps = steps_per_epoch(splits.train.count, hp["batch_size"])
        optimizer = build_optimizer(hp, steps_per_epoch=steps)
        train_model.compile(optimizer=optimizer, loss=build_loss(spec), metrics=build_metrics(hp, spec))
        if state is not None:
            load_checkpoint(run_id=run_id, model=model, optimizer=optimizer,
                            trainable_variables=train_model.trainable_variables)
            reporter.log(f"Resumed from the checkpoint after epoch {first_epoch}.")

    binary = spec["name"] == "binary_crossentropy"
    weights = (balanced_class_weights(splits.train_labels, len(run.classes))
               if hp["class_weight"] == "auto" else None)
    monitor = _monitor(hp, splits)
    callback = RunCallback(reporter=reporter, full_model=model, hp=hp, epochs=hp["epochs"], steps=steps,
                           train_count=splits.train.count, monitor=monitor, state=state or {})
    callbacks: list = [callback]
    if hp["lr_schedule"] == "reduce_on_plateau":
        callbacks.append(keras.callbacks.ReduceLROnPlateau(monitor=monitor, factor=hp["lr_decay_factor"],
                                                           patience=hp["lr_patience"], verbose=0))
    validation = (evaluation_dataset(splits.validation, splits.validation_labels, batch_size=hp["batch_size"],
                                     binary=binary) if splits.validation is not None else None)
    if first_epoch < hp["epochs"]:
        train_model.fit(
            training_dataset(splits.train, splits.train_labels, batch_size=hp["batch_size"], seed=hp["seed"],
                             first_epoch=first_epoch, epochs=hp["epochs"], binary=binary, class_weights=weights,
                             augmentation=hp["augmentation"]),
            epochs=hp["epochs"], initial_epoch=first_epoch, steps_per_epoch=steps, validation_data=validation,
            callbacks=callbacks, shuffle=False, verbose=0)  # the order is training_dataset's

    _save_final_weights(run, model)
    final = {k: v for k, v in (read_state(run_id) or {}).get("message", {}).items()
             if k not in ("epochs", "learning_rate", "seconds", "samples_per_second", "partial")}
    if splits.test is not None:
        results = train_model.evaluate(evaluation_dataset(splits.test, splits.test_labels,
                                                          batch_size=hp["batch_size"], binary=binary),
                                       verbose=0, return_dict=True)
        final.update({f"test_{k}": v for k, v in clean_logs(results).items()})
    best = {**callback.state["best"], "epoch": callback.state["best_epoch"], "monitor": monitor}
    if callback.stop_requested:
        epoch = (read_state(run_id) or {}).get("epoch", first_epoch)
        message = f"Stopped on request during epoch {epoch}. Kept the {hp['keep']} weights."
        return Run.Status.STOPPED, message, best, final
    done = callback.early_stopped or f"Trained {hp['epochs']} epochs."
    return Run.Status.SUCCEEDED, f"{done} Kept the {hp['keep']} weights.", best, final
