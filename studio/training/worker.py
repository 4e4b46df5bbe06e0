"""The training worker: claims queued runs, trains each in a child process, keeps its lease alive.

The worker itself never imports TensorFlow: it claims a run (queue.run_claim_next), hands it to a
training process that is already warm (child.py), and while that process lives, renews the run's
lease every third of the lease. When the process ends without recording an outcome (killed, out of
memory, crashed), the worker takes the run back at once: resumed from its checkpoint or failed
(queue.run_recover). When a whole worker vanishes, its leases expire and any other worker's loop
takes its runs back the same way (queue.run_reap_expired), within lease + poll seconds.

SIGTERM/SIGINT: the worker stops its training process and puts the run back in the queue, so the
next worker resumes it from the last checkpoint.
"""
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque

from django.conf import settings
from django.db import close_old_connections

from studio.training import conf
from studio.training.devices import worker_device_count
from studio.training.models import Run
from studio.training.queue import claimable, run_claim_next, run_heartbeat, run_reap_expired, run_recover

log = logging.getLogger(__name__)

CHILD_EXIT_GRACE = 10.0  # seconds a process that lost its run gets to exit on its own
# The next warm process starts this long after a run began: importing TensorFlow takes a couple of
# CPU seconds, which would otherwise slow the start of the run that was just handed over.
PREWARM_DELAY = 5.0


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def describe_exit(returncode: int | None) -> str:
    if returncode is None:
        return "The training process did not exit"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        hint = " (often: the machine ran out of memory)" if -returncode == signal.SIGKILL else ""
        return f"The training process was killed by {name}{hint}"
    return f"The training process exited with status {returncode} before the run ended"


class TrainingProcess:
    """A child.py process; warm once started, given one run through its stdin."""

    def __init__(self, *, gpus: str | None, worker_id: str) -> None:
        env = {**os.environ, "STUDIO_WORKER_PID": str(os.getpid()), "STUDIO_WORKER_ID": worker_id}
        env.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE or "studio.settings")
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        if gpus is not None:
            env["CUDA_VISIBLE_DEVICES"] = gpus  # "" hides every GPU: train on the CPU
        self.proc = subprocess.Popen([sys.executable, "-m", "studio.training.child"], stdin=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=str(settings.BASE_DIR), env=env, text=True,
                                     errors="replace")
        # Its log goes on to the worker's stderr; the last lines are kept to explain a crash.
        self._tail: deque[str] = deque(maxlen=20)
        self._relay_thread = threading.Thread(target=self._relay, name=f"child-{self.proc.pid}-stderr", daemon=True)
        self._relay_thread.start()

    def _relay(self) -> None:
        for line in self.proc.stderr:
            sys.stderr.write(line)
            if line.strip():
                self._tail.append(line.strip())

    def last_error(self) -> str:
        """The last line of a traceback in its output (or its last line), for a crash message."""
        self._relay_thread.join(timeout=2)  # the output's last lines may still be in the pipe
        lines = list(self._tail)
        errors = [line for line in lines if re.match(r"^[\w.]+(Error|Exception|Exit)\b", line)]
        return (errors or lines or [""])[-1][:300]

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def give(self, run: Run) -> bool:
        try:
            self.proc.stdin.write(f"{run.id} {run.attempt}\n")
            self.proc.stdin.close()
            return True
        except (BrokenPipeError, OSError):
            return False

    def end(self, *, timeout: float = CHILD_EXIT_GRACE, sig: int = signal.SIGTERM) -> int | None:
        if self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()  # a waiting process exits on end of input
            except OSError:
                pass
        if self.alive and sig != 0:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


class Worker:
    def __init__(self, *, worker_id: str | None = None, gpus: str | None = None, poll: float = 1.0,
                 once: bool = False, prewarm: bool = True) -> None:
        self.worker_id = worker_id or default_worker_id()
        self.gpus, self.poll, self.once, self.prewarm = gpus, poll, once, prewarm
        # What the worker was told; the training process records what TensorFlow actually sees.
        self.devices = [f"GPU {g}" for g in gpus.split(",") if g.strip()] if gpus else (["CPU"] if gpus == "" else [])
        # The most devices a run it claims may ask for (hyper-parameter gpus).
        self.capacity = worker_device_count(gpus)
        self.shutting_down = False
        self._standby: TrainingProcess | None = None

    def request_shutdown(self, *_args) -> None:
        self.shutting_down = True

    def serve(self) -> int:
        """Train runs until the queue is empty (--once) or until asked to stop; the number of runs handled."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self.request_shutdown)
            signal.signal(signal.SIGINT, self.request_shutdown)
        log.info("Worker %s started (devices: %s, up to %d per run, lease %.0f s)", self.worker_id,
                 ", ".join(self.devices) or "all", self.capacity, conf.lease_seconds())
        handled = 0
        if self.prewarm and not self.once:
            self._standby = self._spawn()
        try:
            while not self.shutting_down:
                close_old_connections()
                run_reap_expired()
                run = run_claim_next(worker_id=self.worker_id, devices=self.devices, capacity=self.capacity)
                if run is None:
                    if self.once:
                        break
                    time.sleep(self.poll)
                    continue
                self._train(run)
                handled += 1
        finally:
            if self._standby is not None:
                self._standby.end(timeout=5, sig=0)
        log.info("Worker %s stopped after %d run(s)", self.worker_id, handled)
        return handled

    def _spawn(self) -> TrainingProcess:
        return TrainingProcess(gpus=self.gpus, worker_id=self.worker_id)

    def _take_process(self) -> TrainingProcess:
        process, self._standby = self._standby, None
        if process is None or not process.alive:
            process = self._spawn()
        return process

    def _prepare_standby(self) -> None:
        """Start the process for the next run (while this one trains), if one will be needed."""
        if not self.prewarm or self._standby is not None or self.shutting_down:
            return
        if not self.once or claimable(self.capacity).exists():
            self._standby = self._spawn()

    def _train(self, run: Run) -> None:
        process = self._take_process()
        if not process.give(run):
            process.end(timeout=1)
        returncode = self._supervise(run, process)
        close_old_connections()
        self._prepare_standby()
        if self.shutting_down:
            reason = f"Worker {self.worker_id} shut down"
        else:
            reason = describe_exit(returncode)
            detail = process.last_error() if returncode and returncode > 0 else ""
            if detail:
                reason = f"{reason} ({detail})"
        # Still ours and still training: the process ended without recording an outcome.
        run_recover(run_id=run.id, attempt=run.attempt, reason=reason)

    def _supervise(self, run: Run, process: TrainingProcess) -> int | None:
        """Wait for the training process, renewing the lease every third of it; its exit code."""
        interval = max(0.2, conf.lease_seconds() / 3)
        next_beat = time.monotonic() + interval
        standby_at = time.monotonic() + PREWARM_DELAY
        stopping_since = None
        while True:
            try:
                # Short waits, so a shutdown request is acted on within half a second.
                return process.proc.wait(timeout=min(0.5, interval))
            except subprocess.TimeoutExpired:
                pass
            if self.shutting_down:
                return process.end()
            if time.monotonic() >= standby_at:
                standby_at = float("inf")
                self._prepare_standby()
            if time.monotonic() < next_beat:
                continue
            next_beat = time.monotonic() + interval
            try:
                status = run_heartbeat(run_id=run.id, attempt=run.attempt)
            except Exception:  # a busy or restarting database: try again next beat
                log.warning("Heartbeat for run %s failed", run.id, exc_info=True)
                close_old_connections()
                continue
            if status is None:
                # Finished by the process itself (it exits right after) or taken over elsewhere.
                return process.end(timeout=CHILD_EXIT_GRACE, sig=0) if process.alive else process.proc.returncode
            if status == Run.Status.STOPPING:
                stopping_since = stopping_since or time.monotonic()
                if time.monotonic() - stopping_since > conf.stop_grace_seconds():
                    log.warning("Run %s did not stop within %.0f s; ending its process", run.id,
                                conf.stop_grace_seconds())
                    return process.end()
