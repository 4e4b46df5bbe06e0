"""Run the embedded studio: the ASGI web server and, when training is installed, one worker beside it."""
import signal
import subprocess
import sys
import time

from django.core.management import get_commands
from django.core.management.base import BaseCommand

from studio.accounts.management.commands.bootstrap import login_hint


class Command(BaseCommand):
    help = "Serve the studio with daphne and start one training worker alongside (embedded mode)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="Do not start a training worker.")

    def handle(self, *args, host, port, no_worker, **options):
        children: list[subprocess.Popen] = []
        if not no_worker and "trainworker" in get_commands():
            children.append(subprocess.Popen([sys.executable, "manage.py", "trainworker"]))
        children.append(
            subprocess.Popen([sys.executable, "-m", "daphne", "-b", host, "-p", str(port), "studio.asgi:application"])
        )
        self.stdout.write(self.style.SUCCESS(f"Keras Studio is running on http://{host}:{port}/"))
        self.stdout.write(login_hint())
        self.stdout.write("Press Ctrl+C to stop.")
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        # Supervise: when one process ends (or we are asked to stop), end them all.
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.5)
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
        failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            raise SystemExit(f"A studio process exited with status {failed[0].returncode}.")
