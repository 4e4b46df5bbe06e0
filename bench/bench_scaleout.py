"""Scale-out figures, printed (not a test): `python bench/bench_scaleout.py [--quick] [--only workers,viewers,spark]`.

1. workers: 12 queued small CPU runs drained by 1, 2 and 4 `trainworker --once` processes on PostgreSQL.
   Each worker (and its training processes) is pinned to one core (CPU affinity, core = index mod the
   machine's cores) and TensorFlow/OpenMP run one thread each, so the curve shows what more workers
   (machines) give, not TensorFlow's own threads. Speed-up = time(1 worker) / time(n workers).
2. viewers: 200 WebSocket viewers of one run, half on each of two daphne processes, through Redis; one
   worker trains the run. Every epoch message must reach every viewer; latency = arrival at the viewer
   minus the message's creation time in the training process (same machine, same clock).
3. spark: featurization throughput (VGG16 frozen prefix, 64x64, demo photos) with local[1] vs local[2].

Needs PostgreSQL and Redis (as the scale-out tests: tests/scaleout/scaleout_support.py finds or starts them)
and requirements-spark.txt. All clients, servers and workers share this machine's cores: on a small
machine the figures measure contention as much as the studio.
"""
from __future__ import annotations

import argparse
import asyncio
import glob
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "scaleout"))

from live import follow_run, login  # noqa: E402
from scaleout_support import (  # noqa: E402
    PYTHON,
    REDIS_URL,
    StudioProcesses,
    admin_sql,
    base_env,
    database_url_for,
    ensure_servers,
    manage,
    run_world,
)

CORES = os.cpu_count() or 1
ONE_THREAD = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": "1",
              "LOG_LEVEL": "WARNING"}


class Database:
    """A fresh PostgreSQL database migrated for one measurement (dropped afterwards)."""

    def __init__(self, folder: Path) -> None:
        self.name = f"ks_bench_{uuid.uuid4().hex[:10]}"
        self.folder = folder

    def __enter__(self) -> dict[str, str]:
        admin_sql(f'CREATE DATABASE "{self.name}"')
        data = self.folder / self.name
        data.mkdir(parents=True)
        env = base_env(data, database_url_for(self.name))
        env.update(ONE_THREAD)
        manage(env, "migrate", "--noinput", "-v0")
        return env

    def __exit__(self, *exc) -> None:
        admin_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _pinned_worker(procs: StudioProcesses, name: str, env: dict[str, str], core: int):
    proc = procs.worker(name, env)
    os.sched_setaffinity(proc.pid, {core})  # its training processes inherit it
    return proc


def bench_workers(folder: Path, runs: int, epochs: int) -> None:
    print(f"\n1. {runs} queued runs ({epochs} epochs, 32 images, tiny CNN) drained by n workers, one core each "
          f"(machine: {CORES} cores)")
    print(f"{'workers':>8} {'cores':>6} {'seconds':>8} {'runs/min':>9} {'speed-up':>9} {'per core':>9}")
    baseline = None
    for count in (1, 2, 4):
        with Database(folder) as env:
            run_world(env, "seed", "--runs", str(runs), "--per-class", "16", "--hp",
                      f'{{"epochs": {epochs}, "batch_size": 8}}')
            procs = StudioProcesses(folder)
            started = time.monotonic()
            workers = [_pinned_worker(procs, f"bench-w{i}-{count}", env, i % CORES) for i in range(count)]
            try:
                codes = procs.wait_all(workers, timeout=1800)
            finally:
                procs.stop_all()
            seconds = time.monotonic() - started
            import psycopg

            with psycopg.connect(env["DATABASE_URL"]) as conn:
                done = conn.execute("SELECT count(*) FROM training_run WHERE status = 'succeeded' AND attempt = 1"
                                    ).fetchone()[0]
            if codes != [0] * count or done != runs:
                print(f"   {count} workers: exit codes {codes}, {done} of {runs} runs succeeded once")
            baseline = baseline or seconds
            cores = min(count, CORES)
            speedup = baseline / seconds
            print(f"{count:>8} {cores:>6} {seconds:>8.1f} {60 * runs / seconds:>9.1f} {speedup:>8.2f}x "
                  f"{speedup / cores:>8.2f}x")


async def _viewers(urls: list[str], run_id: int, cookie: str, count: int, timeout: float):
    opened = [asyncio.Event() for _ in range(count)]
    tasks = []
    for i in range(count):
        tasks.append(asyncio.create_task(follow_run(urls[i % len(urls)], run_id, cookie, connected=opened[i],
                                                    timeout=timeout)))
        if i % 20 == 19:
            await asyncio.sleep(0.2)  # open in waves, as page loads would
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in opened)), timeout=180)
    return tasks


def bench_viewers(folder: Path, viewers: int, epochs: int) -> None:
    print(f"\n2. {viewers} WebSocket viewers of one run ({epochs} epochs), split over 2 daphne processes, via Redis")
    prefix = f"ks-bench-{uuid.uuid4().hex[:8]}"
    with Database(folder) as env:
        env.update(REDIS_URL=REDIS_URL, REDIS_PREFIX=prefix, STUDIO_WS_SAFETY_POLL_SECONDS="3600")
        world = run_world(env, "seed", "--per-class", "8")
        procs = StudioProcesses(folder)
        try:
            urls = [procs.web("bench-web-a", env), procs.web("bench-web-b", env)]
            cookie = login(urls[0], world["user"], world["password"]).cookies["sessionid"]
            (run_id,) = run_world(env, "runs", "--count", "1", "--hp",
                                  f'{{"epochs": {epochs}, "batch_size": 4}}')["runs"]

            async def scenario():
                tasks = await _viewers(urls, run_id, cookie, viewers, timeout=600)
                worker = procs.worker("bench-viewers-worker", env)
                results = await asyncio.gather(*tasks, return_exceptions=True)
                return worker, results

            worker, results = asyncio.run(scenario())
            procs.wait_all([worker], timeout=300)
        finally:
            procs.stop_all()
    from datetime import datetime

    failed = [r for r in results if isinstance(r, BaseException)]
    got = [r for r in results if not isinstance(r, BaseException)]
    complete = sum(1 for r in got if [m["epoch"] for m in r.messages if m["type"] == "epoch"]
                   == list(range(1, epochs + 1)))
    latency = {"epoch": [], "all live": []}
    for r in got:
        connected_at = r.arrival[0]
        for message, arrived in zip(r.messages, r.arrival, strict=True):
            created = datetime.fromisoformat(message["time"]).timestamp()
            if created < connected_at:  # replayed from the database on connect, not live
                continue
            latency["all live"].append(arrived - created)
            if message["type"] == "epoch":
                latency["epoch"].append(arrived - created)
    print(f"   viewers with every epoch message, in order: {complete} of {viewers}"
          + (f" ({len(failed)} failed: {failed[0]!r})" if failed else ""))
    for kind, values in latency.items():
        if values:
            values.sort()
            p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
            print(f"   {kind:>8} messages: {len(values):>6} deliveries, median {1000 * statistics.median(values):.0f} "
                  f"ms, p95 {1000 * p95:.0f} ms, max {1000 * values[-1]:.0f} ms")


def bench_spark(folder: Path, copies: int, size: int) -> None:
    os.environ.update(ONE_THREAD)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    from studio.graphs import compile_graph
    from studio.spark import ModelBundle, featurize, read_images, spark_session

    photos = folder / "photos"
    for path in glob.glob(str(ROOT / "demo_data" / "demo-photos" / "*" / "*.jpg")):
        label = Path(path).parent.name
        for copy in range(copies):
            target = photos / label / f"{copy}-{Path(path).name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    count = len(list(photos.rglob("*.jpg")))
    graph = {"version": 1, "nodes": [
        {"id": "in", "type": "Input", "params": {"shape": [size, size, 3]}},
        {"id": "vgg", "type": "VGG16", "params": {"weights": None, "trainable_layers": []}},
        {"id": "gap", "type": "GlobalAveragePooling2D", "params": {}},
        {"id": "out", "type": "Dense", "params": {"units": 4, "activation": "softmax"}}],
        "edges": [{"source": "in", "target": "vgg"}, {"source": "vgg", "target": "gap"},
                  {"source": "gap", "target": "out"}]}
    keras.utils.set_random_seed(0)
    bundle = ModelBundle.from_model(graph, compile_graph(graph), classes=["a", "b", "c", "d"])
    print(f"\n3. Spark featurization: {count} photos, VGG16 frozen prefix at {size}x{size}, one TF thread per "
          f"executor")
    rates = {}
    for master in ("local[1]", "local[2]"):
        spark = spark_session(master, app_name="bench-scaleout", conf={"spark.ui.enabled": "false"})
        frame = read_images(spark, photos).repartition(8)
        featurize(frame, bundle).write.format("noop").mode("overwrite").save()  # workers import TF, build VGG16
        started = time.monotonic()
        featurize(frame, bundle).write.format("noop").mode("overwrite").save()
        seconds = time.monotonic() - started
        rates[master] = count / seconds
        print(f"   {master}: {seconds:.1f} s, {rates[master]:.1f} images/s")
        spark.stop()
    print(f"   local[2] / local[1]: {rates['local[2]'] / rates['local[1]']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Fewer runs, viewers and images.")
    parser.add_argument("--only", default="workers,viewers,spark")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    load = os.getloadavg()
    print(f"Keras Studio scale-out bench: {CORES} cores, load average {load[0]:.1f} at start, Python {PYTHON}")
    ensure_servers()
    folder = Path(tempfile.mkdtemp(prefix="bench-scaleout-"))
    try:
        if "workers" in parts:
            bench_workers(folder, runs=6 if args.quick else 12, epochs=2)
        if "viewers" in parts:
            bench_viewers(folder, viewers=50 if args.quick else 200, epochs=10 if args.quick else 20)
        if "spark" in parts:
            bench_spark(folder, copies=1 if args.quick else 2, size=64)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
