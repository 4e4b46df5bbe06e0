"""Devices: a worker owns the GPUs it is given; a run asking for several trains mirrored over them.

Without GPUs the very same path runs on logical CPU devices (STUDIO_CPU_DEVICES=2 splits the CPU in
two), so MirroredStrategy, mixed precision under it, and the devices a run records are tested here.
"""
import pytest
from scaleout_support import run_world

from studio.training import worker as worker_module
from studio.training.devices import worker_device_count


def test_a_run_asking_for_two_devices_trains_mirrored_over_two_cpu_devices(studio_env, pg, processes):
    world = run_world(studio_env, "seed", "--runs", "1", "--hp",
                      '{"epochs": 2, "batch_size": 4, "gpus": 2, "mixed_precision": true}')
    (run_id,) = world["runs"]
    worker = processes.worker("w-two-devices", {**studio_env, "STUDIO_CPU_DEVICES": "2"})
    assert processes.wait_all([worker], timeout=240) == [0], processes.tail("w-two-devices")

    status, error, worker_id, devices = pg.execute(
        "SELECT status, error, worker_id, devices FROM training_run WHERE id = %s", (run_id,)).fetchone()
    assert (status, error) == ("succeeded", "")
    assert worker_id == "w-two-devices" and devices == ["CPU:0", "CPU:1"]
    logs = [p for (p,) in pg.execute("SELECT payload FROM training_metricevent WHERE run_id = %s AND type = 'log' "
                                     "ORDER BY seq", (run_id,))]
    assert any(p.get("replicas") == 2 and "mirrored over 2 devices" in p["message"] for p in logs), logs

    answer = run_world(studio_env, "api", f"/api/runs/{run_id}/")
    assert answer["status"] == 200
    assert answer["body"]["worker"] == "w-two-devices" and answer["body"]["devices"] == ["CPU:0", "CPU:1"]
    assert answer["body"]["hyperparameters"]["gpus"] == 2


@pytest.mark.parametrize("gpus, visible, count", [
    ("0,1", None, 2),      # --gpus 0,1
    ("3", "0,1,2,3", 1),   # --gpus wins over the environment
    (None, "0,1,2", 3),    # CUDA_VISIBLE_DEVICES
    ("", None, 1),         # --gpus "": the CPU only
    (None, "-1", 1),       # every GPU hidden
])
def test_a_worker_counts_the_devices_it_was_given(monkeypatch, gpus, visible, count):
    monkeypatch.delenv("STUDIO_CPU_DEVICES", raising=False)
    if visible is None:
        monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    else:
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", visible)
    assert worker_device_count(gpus) == count


def test_a_worker_pins_its_training_processes_to_its_gpus(monkeypatch):
    started = []

    class FakePopen:
        def __init__(self, args, **kwargs):
            started.append(kwargs["env"])
            self.stderr, self.pid = iter(()), 0

    monkeypatch.setattr(worker_module.subprocess, "Popen", FakePopen)
    worker = worker_module.Worker(gpus="0,1", worker_id="gpu-box")
    worker._spawn()
    assert worker.capacity == 2 and worker.devices == ["GPU 0", "GPU 1"]
    assert started[0]["CUDA_VISIBLE_DEVICES"] == "0,1"
