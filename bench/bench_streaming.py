"""Live-streaming figures, printed (not a test): run `python bench/bench_streaming.py [--quick]`.

1. Overhead of the studio's run callback (RunCallback: batch and epoch messages stored in the
   database through Reporter/events_append and published to the in-memory channel layer, batch
   messages throttled to STUDIO_BATCH_EVENTS_PER_SECOND; stop polls; a checkpoint every epoch) vs bare
   model.fit, on the same small model and the same data (cached-feature-sized rows, many batches, so
   per-batch overhead shows). Each configuration is fitted several times, interleaved, and the
   medians compared; also the unthrottled callback (a message every batch), and a callback that only
   reads each batch's logs (what any on_train_batch_end costs: Keras then dispatches batch callbacks
   synchronously, waiting for each batch's metrics).
2. Latency from the training process's publish to WebSocket clients on loopback: daphne serves
   studio.asgi with REDIS_URL=redis://127.0.0.1:6379/5 (its own prefix), 50 clients log in as the
   run's owner (POST /accounts/login/ with CSRF, then the session cookie and an allowed Origin), and
   this process stores+publishes batch messages at 20 per second for about 10 seconds exactly as
   the callback does (Reporter.emit -> events_append -> publish on the background loop, as in a
   training process). Each message carries the wall time taken just before the emit; the median and
   p95 of (receipt - that time) over all clients and messages, and whether every client got every one.

Everything happens in a temporary data folder with its own SQLite database; Redis must be running.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- the WebSocket clients' own process
# (python bench/bench_streaming.py --clients SPEC_JSON): the clients run apart from the publisher, as
# browsers would; they print READY once all are connected, then one JSON line of results.


async def _client(uri: str, headers: dict, expected: set[int], received: dict, connected: asyncio.Event,
                  done: asyncio.Event) -> None:
    from websockets.asyncio.client import connect

    async with connect(uri, additional_headers=headers, open_timeout=60, max_queue=None) as ws:
        connected.set()
        while not (done.is_set() or expected <= received.keys()):
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
            except TimeoutError:
                continue
            now = time.time()
            message = json.loads(raw)
            if "sent" in message:
                received[message["seq"]] = now


async def _clients_main(spec: dict) -> None:
    expected = set(range(1, spec["count"] + 1))
    received: list[dict] = [{} for _ in range(spec["clients"])]
    done = asyncio.Event()
    tasks = []
    for i in range(spec["clients"]):
        connected = asyncio.Event()
        tasks.append(asyncio.create_task(_client(spec["uri"], spec["headers"], expected, received[i], connected, done)))
        await asyncio.wait_for(connected.wait(), 60)
    print("READY", flush=True)
    deadline = time.monotonic() + spec["timeout"]
    while time.monotonic() < deadline and not all(expected <= r.keys() for r in received):
        await asyncio.sleep(0.1)
    done.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    errors = [repr(r) for r in results if isinstance(r, BaseException)]
    print(json.dumps({"received": [{str(k): v for k, v in r.items()} for r in received], "errors": errors}),
          flush=True)


if __name__ == "__main__" and "--clients" in sys.argv:
    asyncio.run(_clients_main(json.loads(sys.argv[sys.argv.index("--clients") + 1])))
    sys.exit(0)

sys.path.insert(0, str(ROOT))
DATA = Path(tempfile.mkdtemp(prefix="bench-streaming-"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
REDIS_PREFIX = f"bench-streaming-{os.getpid()}"
BASE_ENV = {"STUDIO_DATA_DIR": str(DATA), "DATABASE_URL": f"sqlite:///{DATA / 'bench.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "studio.settings", "TF_CPP_MIN_LOG_LEVEL": "3", "LOG_LEVEL": "WARNING"}
os.environ.update(BASE_ENV)
os.environ.pop("REDIS_URL", None)  # part 1 uses the in-memory layer; part 2 switches to Redis

import django  # noqa: E402

django.setup()

import keras  # noqa: E402
import numpy as np  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import override_settings  # noqa: E402

from studio.streaming import publish as publishing  # noqa: E402
from studio.training import events as events_module  # noqa: E402
from studio.training.callback import RunCallback  # noqa: E402
from studio.training.inputs import Rows, steps_per_epoch, training_dataset  # noqa: E402
from studio.training.models import MetricEvent, Run  # noqa: E402
from studio.training.paths import run_dir  # noqa: E402
from studio.training.reporter import Reporter, clean_logs  # noqa: E402

PASSWORD = "bench-password-1"
GRAPH = {"version": 1, "nodes": [], "edges": []}  # the callback never reads the run's graph


def _run(owner, name: str) -> Run:
    run = Run.objects.create(owner=owner, name=name, graph=GRAPH, hyperparameters={"batch_size": 32},
                             status=Run.Status.RUNNING, attempt=1)
    run_dir(run.id).mkdir(parents=True, exist_ok=True)  # as the trainer does before fit
    return run


# ---------------------------------------------------------------- 1. callback overhead


def callback_overhead(owner, *, samples: int, epochs: int, repeats: int) -> None:
    feature_shape = (2, 2, 512)  # VGG16 block5_pool at 64x64: what the cached suffix trains on
    batch = 32
    rng = np.random.default_rng(0)
    rows = Rows(table=rng.normal(size=(samples, *feature_shape)).astype(np.float32))
    labels = [i % 3 for i in range(samples)]
    steps = steps_per_epoch(samples, batch)
    keras.utils.set_random_seed(1)
    inputs = keras.Input(feature_shape)
    x = keras.layers.GlobalAveragePooling2D()(inputs)
    x = keras.layers.Dense(64, activation="relu")(x)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    class BatchHookOnly(keras.callbacks.Callback):
        """Only reads each batch's logs, as RunCallback does: a callback with on_train_batch_end turns off
        Keras's asynchronous callback dispatch, so every batch waits for its metrics."""

        def on_train_batch_end(self, batch, logs=None):
            clean_logs(logs)

    def fit(mode: str) -> tuple[float, int]:
        callbacks = []
        run = None
        if mode == "batch-hook":
            callbacks = [BatchHookOnly()]
        elif mode != "bare":
            os.environ["STUDIO_BATCH_EVENTS_PER_SECOND"] = "10" if mode == "throttled" else "1000000"
            run = _run(owner, f"overhead-{mode}")
            callbacks = [RunCallback(reporter=Reporter(run_id=run.id, attempt=1), full_model=model,
                                     hp={"batch_size": batch}, epochs=epochs, steps=steps, train_count=samples,
                                     monitor="loss", state={})]
        data = training_dataset(rows, labels, batch_size=batch, seed=1, first_epoch=0, epochs=epochs, binary=False)
        started = time.perf_counter()
        model.fit(data, epochs=epochs, steps_per_epoch=steps, callbacks=callbacks, shuffle=False, verbose=0)
        seconds = time.perf_counter() - started
        return seconds, (MetricEvent.objects.filter(run=run).count() if run else 0)

    fit("bare")  # tracing, once for all
    fit("throttled")
    modes = ("bare", "batch-hook", "throttled", "unthrottled")
    times: dict[str, list[float]] = {m: [] for m in modes}
    messages: dict[str, int] = {}
    for _ in range(repeats):
        for mode in modes:
            seconds, count = fit(mode)
            times[mode].append(seconds)
            messages[mode] = count
    os.environ.pop("STUDIO_BATCH_EVENTS_PER_SECOND", None)
    bare = statistics.median(times["bare"])
    bare_min = min(times["bare"])
    print(f"{samples} rows of {feature_shape} features, batch {batch}: {steps} batches/epoch x {epochs} epochs = "
          f"{steps * epochs} batches per fit; each configuration fitted {repeats}x, interleaved", flush=True)
    for mode in modes:
        med, low = statistics.median(times[mode]), min(times[mode])
        paired = statistics.median(t / b for t, b in zip(times[mode], times["bare"], strict=True))
        extra = "" if mode == "bare" else (
            f", {messages.get(mode, 0)} messages stored+published per fit -> overhead: median vs median "
            f"{100 * (med / bare - 1):+.1f}%, min vs min {100 * (low / bare_min - 1):+.1f}%, median of per-round "
            f"ratios {100 * (paired - 1):+.1f}%")
        print(f"  {mode:11s}: median {med:.3f} s, min {low:.3f} s, "
              f"{1000 * med / (steps * epochs):.3f} ms/batch (runs: {', '.join(f'{t:.2f}' for t in times[mode])})"
              f"{extra}", flush=True)


# ---------------------------------------------------------------- 2. WebSocket latency


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _login(base: str) -> str:
    """The sessionid cookie of a form login, the way a browser gets it."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    token = match.group(1) if match else next(c.value for c in jar if c.name == "csrftoken")
    body = urllib.parse.urlencode({"username": "bench", "password": PASSWORD, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(f"{base}/accounts/login/", data=body,
                                     headers={"Origin": base, "Referer": f"{base}/accounts/login/"})
    opener.open(request, timeout=30).read()
    session = next((c.value for c in jar if c.name == "sessionid"), None)
    if not session:
        raise RuntimeError("login failed: no sessionid cookie")
    return session


async def websocket_latency(owner, *, clients: int, rate: float, seconds: float) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, **BASE_ENV, "REDIS_URL": REDIS_URL, "REDIS_PREFIX": REDIS_PREFIX}
    log = open(DATA / "daphne.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                               "studio.asgi:application"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    layer = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                         "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}], "prefix": REDIS_PREFIX,
                                    "capacity": 100}}}
    count = int(rate * seconds)
    published: dict[int, float] = {}  # seq -> wall time when publish() was called (after the commit)
    original_publish = events_module.publish

    def timed_publish(*, run_id: int, messages: list[dict]) -> None:
        now = time.time()
        for message in messages:
            published[message["seq"]] = now
        original_publish(run_id=run_id, messages=messages)

    client_proc = None
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"daphne did not start (log: {DATA / 'daphne.log'})") from None
                time.sleep(0.2)
        session = await asyncio.to_thread(_login, base)
        run = await asyncio.to_thread(_run, owner, "latency")
        spec = {"uri": f"ws://127.0.0.1:{port}/ws/runs/{run.id}/", "clients": clients, "count": count,
                "headers": {"Cookie": f"sessionid={session}", "Origin": base}, "timeout": seconds + 20}
        started = time.perf_counter()
        client_proc = subprocess.Popen([sys.executable, __file__, "--clients", json.dumps(spec)], cwd=ROOT,
                                       stdout=subprocess.PIPE, text=True)
        line = await asyncio.to_thread(client_proc.stdout.readline)
        if line.strip() != "READY":
            raise RuntimeError(f"the client process did not connect: {line!r}")
        print(f"{clients} WebSocket clients (one separate process) connected and signed in "
              f"({time.perf_counter() - started:.1f} s incl. its start); publishing {count} messages at {rate:g}/s",
              flush=True)
        await asyncio.sleep(1.0)  # every consumer has joined the group and done its catch-up read
        with override_settings(CHANNEL_LAYERS=layer):
            publishing.use_background_loop()  # as a training process does
            assert publishing.layer_crosses_processes()
            events_module.publish = timed_publish
            reporter = Reporter(run_id=run.id, attempt=1)
            emitted: dict[int, float] = {}

            def publish_all() -> float:
                interval = 1.0 / rate
                begin = time.perf_counter()
                for i in range(count):
                    delay = begin + i * interval - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                    sent = time.time()
                    emitted[i + 1] = sent
                    reporter.emit(("batch", {"epoch": 1, "step": i + 1, "steps": count, "sent": sent}))
                return time.perf_counter() - begin

            try:
                elapsed = await asyncio.to_thread(publish_all)
                await asyncio.to_thread(publishing.flush)
            finally:
                events_module.publish = original_publish
            out, _ = await asyncio.to_thread(client_proc.communicate, timeout=seconds + 60)
    finally:
        if client_proc is not None and client_proc.poll() is None:
            client_proc.kill()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    result = json.loads(out.strip().splitlines()[-1])
    received = [{int(k): v for k, v in r.items()} for r in result["received"]]
    expected = set(range(1, count + 1))

    def stats(stamps: dict[int, float]) -> str:
        values = sorted(1000 * (t - stamps[seq]) for r in received for seq, t in r.items() if seq in stamps)
        p95 = values[int(0.95 * (len(values) - 1))]
        return (f"median {statistics.median(values):.1f} ms, p95 {p95:.1f} ms, max {values[-1]:.1f} ms "
                f"(p95 limit 100 ms: {'OK' if p95 <= 100 else 'OVER'})")

    store = sorted(1000 * (published[s] - emitted[s]) for s in expected if s in published)
    complete = sum(expected <= r.keys() for r in received)
    missing = sum(len(expected - r.keys()) for r in received)
    print(f"published {count} messages in {elapsed:.1f} s ({count / elapsed:.1f}/s); "
          f"{sum(len(r) for r in received)} receipts over {clients} clients (expected {clients * count})\n"
          f"  callback emit (DB insert + commit) -> WebSocket receipt: {stats(emitted)}\n"
          f"  publish() after commit -> WebSocket receipt:          {stats(published)}\n"
          f"  (emit -> publish, the SQLite write itself: median {statistics.median(store):.1f} ms, "
          f"max {store[-1]:.1f} ms)\n"
          f"  clients that received every message: {complete}/{clients} ({missing} missing receipts); "
          f"client errors: {len(result['errors'])}{' ' + result['errors'][0] if result['errors'] else ''}",
          flush=True)


def main() -> None:
    quick = "--quick" in sys.argv
    call_command("migrate", verbosity=0)
    owner = get_user_model().objects.create_user("bench", password=PASSWORD)
    print(f"bench_streaming ({'quick' if quick else 'full'}), {os.cpu_count()} CPUs, "
          f"load average at start {os.getloadavg()[0]:.2f}", flush=True)
    print("\n== 1. run callback (DB writes + in-memory channel layer) vs bare fit ==", flush=True)
    callback_overhead(owner, samples=6400 if quick else 19200, epochs=2 if quick else 3, repeats=3 if quick else 9)
    print("\n== 2. publish -> WebSocket latency (daphne + channels_redis, loopback) ==", flush=True)
    asyncio.run(websocket_latency(owner, clients=50, rate=20.0, seconds=4.0 if quick else 10.0))
    print(f"\nload average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
