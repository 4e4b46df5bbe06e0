"""`manage.py trainworker`: a training worker (see studio/training/worker.py for the design)."""
from django.core.management.base import BaseCommand, CommandError

from studio.training.worker import Worker


class Command(BaseCommand):
    help = "Train queued runs, each in its own process. --once: until the queue is empty, then exit."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Exit when no run is queued or training.")
        parser.add_argument("--gpus", default=None,
                            help='GPU ids this worker trains on, e.g. "0" or "0,1" (several: one run uses all, '
                                 'mirrored); "" for the CPU only. Default: whatever the machine shows.')
        parser.add_argument("--poll", type=float, default=1.0, help="Seconds between looks at an empty queue.")
        parser.add_argument("--worker-id", default=None, help="A name for this worker (default: host:pid).")
        parser.add_argument("--no-prewarm", action="store_true",
                            help="Do not keep a training process with TensorFlow loaded waiting for the next run.")

    def handle(self, *args, once, gpus, poll, worker_id, no_prewarm, **options):
        if poll <= 0:
            raise CommandError("--poll must be above 0 seconds.")
        if gpus is not None and not all(part.strip().isdigit() for part in gpus.split(",") if part.strip()):
            raise CommandError('--gpus takes GPU ids separated by commas, e.g. "0,1" (or "" for the CPU).')
        Worker(worker_id=worker_id, gpus=gpus, poll=poll, once=once, prewarm=not no_prewarm).serve()
