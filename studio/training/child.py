"""A training process: `python -m studio.training.child`, started by a worker, trains one run and exits.

The worker starts it before it has a run to give it, so Django, TensorFlow and Keras are already
imported (a few seconds on a small machine) when a run arrives: then it reads "RUN_ID ATTEMPT" from
stdin. An empty line or end of input means "not needed": it exits. One run per process keeps a
crash or an out-of-memory kill to that run and returns all memory (and GPU memory) afterwards.
"""
import ctypes
import logging
import os
import signal
import sys

log = logging.getLogger("studio.training.child")


def _die_with_parent(parent: int) -> None:
    """On Linux the kernel kills this process when its worker dies, even by SIGKILL: no orphan keeps
    training (and writing) a run that another worker will take over."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except OSError:
            pass
    if os.getppid() != parent:  # the worker died before prctl took effect
        sys.exit(1)


def _warm_up() -> None:
    """Start TensorFlow's runtime (devices, and CUDA where there is a GPU) and trace one tiny training
    step, so the first run does not pay for it. The trainer clears the session before its own model."""
    try:
        import keras
        import numpy as np
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(np.zeros((8, 4), "float32"), np.zeros((8,), "int32"), batch_size=4, epochs=1, verbose=0)
    except Exception:  # warming up is an optimisation: never a reason not to train
        log.warning("Warm-up failed", exc_info=True)


def main() -> int:
    _die_with_parent(int(os.environ.get("STUDIO_WORKER_PID", os.getppid())))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
    import django

    django.setup()
    import keras  # noqa: F401  (the warm part)
    import tensorflow  # noqa: F401
    from django.db import connections

    from studio.streaming.publish import flush, use_background_loop
    from studio.training.devices import configure_cpu_devices
    from studio.training.trainer import train_run

    use_background_loop()
    configure_cpu_devices()  # before TensorFlow's runtime starts (the warm-up starts it)
    _warm_up()
    line = sys.stdin.readline().strip()
    if not line:
        return 0
    run_id, attempt = (int(part) for part in line.split())
    log.info("Training run %s (attempt %s) in process %s", run_id, attempt, os.getpid())
    try:
        train_run(run_id=run_id, attempt=attempt)
    finally:
        flush()  # the last messages (the final status) are still on their way to the channel layer
        connections.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
