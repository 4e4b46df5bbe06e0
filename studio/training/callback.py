"""The Keras callback of a run: stores metrics, checkpoints, obeys stop requests, catches a diverging loss.

- Batch metrics (Keras's running means over the epoch so far) at most `batch_events_per_second`
  per run, and always the last batch of each epoch; epoch metrics every epoch, with the learning
  rate, seconds and samples per second.
- Every epoch: best weights (whatever `keep` says: a finished run offers both best and last), then
  the checkpoint, then the epoch message and the run's epoch count in one transaction. The
  checkpoint's state carries the epoch's message, so a process killed between the two leaves
  nothing lost: the resumed run stores the message first.
- The run's status is read at most every `stop_poll_seconds`; "stopping" ends training after the
  current batch (Keras checks `stop_training` after every batch).
- A NaN or infinite training loss ends training at once with a message naming epoch and batch.
- Early stopping lives here (not keras.callbacks.EarlyStopping) so its state survives a resume.
"""
import logging
import math
import time

import keras
from django.db import transaction

from studio.training import conf
from studio.training.checkpoints import save_checkpoint, save_model_weights
from studio.training.keras_options import current_learning_rate
from studio.training.paths import best_weights_path
from studio.training.reporter import Reporter, clean_logs

log = logging.getLogger(__name__)


class NonFiniteLoss(Exception):
    """The training loss became NaN or infinite; the message says where and what to try."""


def better(monitor: str, value: float | None, best: float | None, min_delta: float = 0.0) -> bool:
    if value is None:
        return False
    if best is None:
        return True
    return value < best - min_delta if monitor.endswith("loss") else value > best + min_delta


def best_of(history: dict, logs: dict) -> dict:
    """Each metric's best value so far: lowest loss, highest everything else."""
    merged = dict(history)
    for key, value in logs.items():
        if key in ("learning_rate", "seconds", "samples_per_second", "epoch", "epochs") or value is None:
            continue
        if better(key, value, merged.get(key)):
            merged[key] = value
    return merged


class RunCallback(keras.callbacks.Callback):
    def __init__(self, *, reporter: Reporter, full_model: keras.Model, hp: dict, epochs: int, steps: int,
                 train_count: int, monitor: str, state: dict) -> None:
        super().__init__()
        self.reporter, self.full_model, self.hp = reporter, full_model, hp
        self.epochs, self.steps, self.train_count, self.monitor = epochs, steps, train_count, monitor
        # Carried from checkpoint to checkpoint: best metrics, the monitor's best value and epoch, and
        # early stopping's best value ("es_best") and epochs without improvement ("wait").
        self.state = {"best": {}, "best_value": None, "best_epoch": 0, "wait": 0, **state}
        self.stop_requested = False
        self.early_stopped = ""
        self._batch_interval = 1.0 / max(conf.batch_events_per_second(), 0.1)
        self._poll_interval = conf.stop_poll_seconds()
        self._last_batch_event = self._last_poll = 0.0
        self._first_batch_seen = False
        self._epoch_started = 0.0
        self._epoch = 0
        self._last_step = 0

    def _check_stop(self, now: float) -> None:
        if now - self._last_poll < self._poll_interval:
            return
        self._last_poll = now
        if self.reporter.poll() == "stopping" and not self.stop_requested:
            self.stop_requested = True
            self.model.stop_training = True

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._epoch_started = time.monotonic()
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        now = time.monotonic()
        values = clean_logs(logs)
        if not self._first_batch_seen:
            self._first_batch_seen = True
            self.reporter.mark_first_batch()
        epoch = self._epoch + 1
        if values.get("loss") is None:
            self.reporter.emit(("batch", {"epoch": epoch, "step": batch + 1, "steps": self.steps, **values}))
            rate = current_learning_rate(self.model.optimizer)
            raise NonFiniteLoss(
                f"The training loss became {_non_finite(logs)} at epoch {epoch}, batch {batch + 1} of {self.steps}. "
                f"Training diverged: lower the learning rate (it was {rate:.3g}), or check the model's scaling.")
        self._last_step = batch + 1
        last = batch + 1 >= self.steps
        if last or now - self._last_batch_event >= self._batch_interval:
            self._last_batch_event = now
            self.reporter.emit(("batch", {"epoch": epoch, "step": batch + 1, "steps": self.steps, **values}))
        self._check_stop(now)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        seconds = time.monotonic() - self._epoch_started  # training and validation
        samples = min(self._last_step * self.hp["batch_size"], self.train_count)
        values = clean_logs(logs)
        values.pop("learning_rate", None)
        message = {"epoch": epoch + 1, "epochs": self.epochs, **values,
                   "learning_rate": current_learning_rate(self.model.optimizer), "seconds": round(seconds, 3),
                   "samples_per_second": round(samples / seconds, 1) if seconds > 0 else None}
        if self._last_step < self.steps:
            message["partial"] = True  # stopped during the epoch: metrics cover the batches it ran
        self._track_best(epoch + 1, values)
        self._early_stopping(epoch + 1, values)
        save_checkpoint(run_id=self.reporter.run_id, model=self.full_model, optimizer=self.model.optimizer,
                        state={**self.state, "epoch": epoch + 1, "message": message})
        store_epoch(self.reporter, message)

    def _track_best(self, epoch: int, values: dict) -> None:
        self.state["best"] = best_of(self.state["best"], values)
        value = values.get(self.monitor)
        if better(self.monitor, value, self.state["best_value"]):
            self.state.update(best_value=value, best_epoch=epoch)
            save_model_weights(self.full_model, best_weights_path(self.reporter.run_id))

    def _early_stopping(self, epoch: int, values: dict) -> None:
        rule = self.hp.get("early_stopping")
        if not rule:
            return
        value = values.get(rule["monitor"])
        if better(rule["monitor"], value, self.state.get("es_best"), rule["min_delta"]):
            self.state.update(es_best=value, wait=0)
            return
        self.state["wait"] += 1
        if self.state["wait"] >= rule["patience"]:
            self.model.stop_training = True
            self.early_stopped = (f"Early stopping: {rule['monitor']} has not improved for {rule['patience']} "
                                  f"epochs (best {self.state.get('es_best')}).")


def store_epoch(reporter: Reporter, message: dict) -> None:
    """The epoch's message and the run's epoch count, together."""
    with transaction.atomic():
        reporter.emit(("epoch", message))
        reporter.update(epoch=message["epoch"])


def _non_finite(logs: dict | None) -> str:
    loss = float((logs or {}).get("loss", float("nan")))
    return "NaN" if math.isnan(loss) else "infinite"
