"""Helpers of the scale-out tests (and bench/bench_scaleout.py): real PostgreSQL and Redis servers,
the studio as real processes against them.

- PostgreSQL: STUDIO_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) is the
  server; the tests migrate one template database per session and give each test a fresh copy
  (CREATE DATABASE ... TEMPLATE), dropped afterwards.
- Redis: STUDIO_TEST_REDIS_URL (default redis://127.0.0.1:6379/13, a database number of its own) with
  a key prefix unique to the session (REDIS_PREFIX), whose keys are deleted afterwards.
Servers that do not answer are started the way this machine (and CI) runs them; a server that still
does not answer fails the tests: they are never skipped.

Processes (workers, daphne) get the production settings module (studio.settings) with the environment
a deploy would give them; `StudioProcesses` starts them, keeps their logs and ends them by pid.
"""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
POSTGRES_URL = os.environ.get("STUDIO_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("STUDIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
# What a test process's own environment must not hand on to the studio processes it starts.
PRIVATE_ENV = ("DATABASE_URL", "REDIS_URL", "REDIS_PREFIX", "DJANGO_SETTINGS_MODULE", "STUDIO_DATA_DIR", "DEBUG",
               "SECRET_KEY", "STUDIO_CPU_DEVICES", "CUDA_VISIBLE_DEVICES")
START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | sort | tail -1) main start"
START_REDIS = "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no"


def database_url_for(name: str) -> str:
    parts = urlsplit(POSTGRES_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _postgres_up() -> bool:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.OperationalError:
        return False


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping())
    except redis.RedisError:
        return False


def _ensure(name: str, is_up, start: str) -> str | None:
    """None when the server answers (started here if it was down), else why not."""
    if is_up():
        return None
    try:
        done = subprocess.run(start, shell=True, capture_output=True, text=True, timeout=60)
        said = f"exit {done.returncode}: {(done.stderr or done.stdout).strip()[-500:]}"
    except (OSError, subprocess.SubprocessError) as exc:
        said = str(exc)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if is_up():
            return None
        time.sleep(0.5)
    return f"{name} is not reachable and could not be started with `{start}` ({said})."


def ensure_servers() -> None:
    """PostgreSQL and Redis answer, or the calling test fails (the scale-out tests never skip)."""
    problems = [_ensure("PostgreSQL", _postgres_up, START_POSTGRES), _ensure("Redis", _redis_up, START_REDIS)]
    problems = [p for p in problems if p]
    if problems:
        pytest.fail(" ".join(problems) + " The scale-out tests need both servers.")


def admin_sql(sql: str) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql)


def base_env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PRIVATE_ENV}
    env.update(DJANGO_SETTINGS_MODULE="studio.settings", DATABASE_URL=database_url, STUDIO_DATA_DIR=str(data_dir),
               SECRET_KEY="scale-out-tests-" + "k" * 40, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1",
               DEBUG="0")
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done.stdout


def run_world(env: dict[str, str], *args: str, timeout: float = 120) -> dict:
    import json

    done = subprocess.run([PYTHON, str(Path(__file__).parent / "world.py"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        raise AssertionError(f"world.py {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]



class StudioProcesses:
    """Processes of one test: started with a log file each, ended by pid at teardown."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.procs: list[tuple[subprocess.Popen, Path]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = self.logs / f"{name}.log"
        with open(log, "w") as out:
            proc = subprocess.Popen([PYTHON, *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        self.procs.append((proc, log))
        return proc

    def worker(self, name: str, env: dict[str, str], *extra: str) -> subprocess.Popen:
        return self.start(name, ["manage.py", "trainworker", "--once", "--poll", "0.2", "--worker-id", name, *extra],
                          env)

    def web(self, name: str, env: dict[str, str]) -> str:
        """A daphne server (the ASGI application, as deployed); its base URL once it answers."""
        import requests

        port = free_port()
        proc = self.start(name, ["-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "studio.asgi:application"], env)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited with {proc.returncode}:\n{self.tail(name)}")
            try:
                if requests.get(f"{url}/accounts/login/", timeout=5).status_code == 200:
                    return url
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise AssertionError(f"{name} did not answer within 120 s:\n{self.tail(name)}")

    def tail(self, name: str, chars: int = 4000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def wait_all(self, procs: list[subprocess.Popen], timeout: float) -> list[int]:
        deadline = time.monotonic() + timeout
        codes = []
        for proc in procs:
            try:
                codes.append(proc.wait(timeout=max(0.1, deadline - time.monotonic())))
            except subprocess.TimeoutExpired:
                names = [log.stem for p, log in self.procs if p is proc]
                raise AssertionError(f"{names} still running after {timeout} s:\n"
                                     + "\n".join(self.tail(n) for n in names)) from None
        return codes

    def stop_all(self) -> None:
        # Each process leads its own group (start_new_session): the group is it and its training processes.
        for proc, _ in self.procs:
            _signal_group(proc, signal.SIGTERM)
        for proc, _ in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
            _signal_group(proc, signal.SIGKILL)  # a training process its worker left behind


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


