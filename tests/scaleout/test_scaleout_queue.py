"""Workers on PostgreSQL: every queued run is trained exactly once, and no claimable run is left waiting."""
import subprocess
import time
from collections import Counter, defaultdict

import psycopg
import pytest
from scaleout_support import PYTHON, ROOT, run_world

pytestmark = pytest.mark.slow

EPOCHS = 2


def _rows(pg, sql: str, *params) -> list[tuple]:
    return pg.execute(sql, params).fetchall()


def test_three_workers_train_twelve_queued_runs_each_exactly_once(studio_env, pg, processes):
    world = run_world(studio_env, "seed", "--runs", "12", "--hp", f'{{"epochs": {EPOCHS}, "batch_size": 8}}')
    workers = [processes.worker(name, studio_env) for name in ("w1", "w2", "w3")]
    codes = processes.wait_all(workers, timeout=300)
    assert codes == [0, 0, 0], [processes.tail(n) for n in ("w1", "w2", "w3")]

    runs = _rows(pg, "SELECT id, status, attempt, worker_id, error, started, finished FROM training_run ORDER BY id")
    assert [r[0] for r in runs] == world["runs"]
    assert {r[1] for r in runs} == {"succeeded"}, [(r[0], r[1], r[4]) for r in runs]
    assert {r[2] for r in runs} == {1}  # claimed once each: no second attempt anywhere
    assert {r[3] for r in runs} == {"w1", "w2", "w3"}  # every worker took a share

    events = _rows(pg, "SELECT run_id, seq, type, payload FROM training_metricevent ORDER BY run_id, seq")
    by_run = defaultdict(list)
    for run_id, seq, kind, payload in events:
        by_run[run_id].append((seq, kind, payload))
    for run_id, rows in by_run.items():
        assert [seq for seq, _, _ in rows] == list(range(1, len(rows) + 1)), f"run {run_id}: seq gaps"
        statuses = [p["status"] for _, kind, p in rows if kind == "status"]
        assert statuses == ["queued", "running", "succeeded"], f"run {run_id}: {statuses}"
        epochs = [p["epoch"] for _, kind, p in rows if kind == "epoch"]
        assert epochs == list(range(1, EPOCHS + 1)), f"run {run_id}: epoch rows {epochs}"

    # One run at a time per worker, and all three busy at once: nobody waited behind a locked row.
    spans = defaultdict(list)
    for _, _, _, worker, _, started, finished in runs:
        spans[worker].append((started, finished))
    for worker, times in spans.items():
        times.sort()
        assert all(a[1] <= b[0] for a, b in zip(times, times[1:], strict=False)), f"{worker} overlapped runs"
    moments = sorted([(s, 1) for s, _ in sum(spans.values(), [])] + [(f, -1) for _, f in sum(spans.values(), [])],
                     key=lambda m: (m[0], m[1]))
    busy, most = 0, 0
    for _, change in moments:
        busy += change
        most = max(most, busy)
    assert most == 3


def test_a_worker_skips_a_run_another_worker_holds_locked(studio_env, database_url, pg):
    world = run_world(studio_env, "seed", "--runs", "3")
    first, *rest = world["runs"]
    # Another worker's claim transaction, caught between its SELECT ... FOR UPDATE and its commit.
    with psycopg.connect(database_url) as holder:
        holder.execute("SELECT id FROM training_run WHERE id = %s FOR UPDATE", (first,))
        started = time.monotonic()
        claimed = run_world(studio_env, "claim", "--worker-id", "second", timeout=60)["claimed"]
        assert claimed == rest, "the unlocked runs are claimed at once, the locked one skipped"
        assert time.monotonic() - started < 30
        holder.rollback()
    assert run_world(studio_env, "claim", "--worker-id", "third")["claimed"] == [first]


def test_concurrent_claimers_take_every_run_once(studio_env, pg):
    world = run_world(studio_env, "seed", "--runs", "40")
    procs = [subprocess.Popen([PYTHON, "tests/scaleout/world.py", "claim", "--worker-id", f"c{i}"], cwd=ROOT,
                              env=studio_env, stdout=subprocess.PIPE, text=True) for i in range(4)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0]
    import json

    claimed = [run_id for out in outputs for run_id in json.loads(out.strip().splitlines()[-1])["claimed"]]
    assert sorted(claimed) == sorted(world["runs"])  # all of them, none twice
    assert _rows(pg, "SELECT DISTINCT status, attempt FROM training_run") == [("running", 1)]
    running = Counter(r[0] for r in _rows(pg, "SELECT run_id FROM training_metricevent "
                                              "WHERE type = 'status' AND payload->>'status' = 'running'"))
    assert set(running.values()) == {1} and len(running) == 40


def test_a_run_asking_for_two_devices_waits_for_a_worker_that_has_them(studio_env):
    world = run_world(studio_env, "seed", "--runs", "1", "--hp", '{"gpus": 2}')
    plain = run_world(studio_env, "runs", "--count", "1", "--hp", '{"gpus": 1}')["runs"]
    anywhere = run_world(studio_env, "runs", "--count", "1")["runs"]
    assert run_world(studio_env, "claim", "--worker-id", "one-gpu", "--devices", "1")["claimed"] == plain + anywhere
    assert run_world(studio_env, "claim", "--worker-id", "two-gpus", "--devices", "2")["claimed"] == world["runs"]
