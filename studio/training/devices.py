"""Which devices a run trains on, and the distribution strategy over them.

A worker owns the devices it was given (`--gpus 0,1` / CUDA_VISIBLE_DEVICES: one GPU each, or all
GPUs of a machine). A run's `gpus` hyper-parameter says how many of them it trains on: null means
all of the worker's devices; N means exactly N, and only a worker with at least N devices claims it
(queue.run_claim_next). Several devices train one run with tf.distribute.MirroredStrategy: every
replica holds the model, each batch (the run's batch_size is the global batch) is split between
them and the gradients are summed.

Machines without GPUs can still take the mirrored path: STUDIO_CPU_DEVICES=N splits the CPU into N
logical devices (tf.config.set_logical_device_configuration). That gives no speed (it is one CPU),
but it runs the very code a multi-GPU machine runs; tests and CI use it. The split must happen
before TensorFlow initialises its runtime, so the training process calls `configure_cpu_devices`
first thing (child.py), before it warms up.

Worker side (no TensorFlow imported): `worker_device_count` says how many devices a worker owns,
from --gpus, CUDA_VISIBLE_DEVICES, nvidia-smi, or STUDIO_CPU_DEVICES on a machine without GPUs.
"""
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

from studio.env import env_int

log = logging.getLogger(__name__)


def cpu_device_count() -> int:
    """STUDIO_CPU_DEVICES: logical CPU devices a worker without GPUs trains on (default 1)."""
    return max(1, env_int("STUDIO_CPU_DEVICES", 1))


def _visible_gpu_ids(gpus: str | None) -> list[str] | None:
    """The GPU ids a worker was given (--gpus, else CUDA_VISIBLE_DEVICES), or None when not said."""
    value = gpus if gpus is not None else os.environ.get("CUDA_VISIBLE_DEVICES")
    if value is None:
        return None
    ids = [part.strip() for part in value.split(",") if part.strip()]
    # CUDA stops at the first invalid id; "-1" is the common way to hide every GPU.
    if "-1" in ids:
        ids = ids[: ids.index("-1")]
    return ids


def _nvidia_smi_count() -> int:
    binary = shutil.which("nvidia-smi")
    if binary is None:
        return 0
    try:
        done = subprocess.run([binary, "-L"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return 0
    return sum(1 for line in done.stdout.splitlines() if line.startswith("GPU "))


def worker_device_count(gpus: str | None) -> int:
    """How many devices a worker trains on (the most a run it claims may ask for)."""
    ids = _visible_gpu_ids(gpus)
    count = len(ids) if ids is not None else _nvidia_smi_count()
    return count if count > 0 else cpu_device_count()


def configure_cpu_devices() -> None:
    """Split the CPU into STUDIO_CPU_DEVICES logical devices when there is no GPU (before any TF op)."""
    wanted = cpu_device_count()
    if wanted < 2:
        return
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        return
    cpus = tf.config.list_physical_devices("CPU")
    try:
        tf.config.set_logical_device_configuration(cpus[0], [tf.config.LogicalDeviceConfiguration()] * wanted)
    except RuntimeError:  # the runtime was already initialised: stay on one device
        log.warning("Could not split the CPU into %d devices: TensorFlow is already initialised", wanted)


@dataclass
class Placement:
    devices: list[str]  # what the run records: ["CPU"], ["CPU:0", "CPU:1"], ["GPU:0 NVIDIA H100 ..."]
    strategy: Any  # a tf.distribute.Strategy
    gpu: bool


class DevicesUnavailable(Exception):
    """The run asks for more devices than this training process has."""


def place(wanted: int | None) -> Placement:
    """The devices for a run that asks for `wanted` of them (None: all), and the strategy over them."""
    import tensorflow as tf

    gpus = tf.config.list_logical_devices("GPU")
    logical = gpus or tf.config.list_logical_devices("CPU")
    count = len(logical) if wanted is None else wanted
    if count > len(logical):
        kind = "GPU" if gpus else "CPU device"
        raise DevicesUnavailable(
            f"The run asks for {count} devices but this worker has {len(logical)} {kind}(s). Set the run's "
            f"gpus to {len(logical)} or fewer, or start a worker with more GPUs (trainworker --gpus 0,1,...).")
    chosen = logical[:count]
    if gpus:
        physical = tf.config.list_physical_devices("GPU")
        names = [f"GPU:{i} {tf.config.experimental.get_device_details(physical[i]).get('device_name', '')}".strip()
                 for i in range(min(count, len(physical)))]
    elif len(logical) == 1:
        names = ["CPU"]
    else:
        names = [f"CPU:{device.name.rsplit(':', 1)[-1]}" for device in chosen]
    # One device: TensorFlow's default placement (the first GPU, else the CPU), as without a strategy.
    strategy = (tf.distribute.MirroredStrategy(devices=[device.name for device in chosen]) if len(chosen) > 1
                else tf.distribute.get_strategy())
    return Placement(devices=names, strategy=strategy, gpu=bool(gpus))
