"""manage.py fetch_weights [NAMES]: put Keras's ImageNet "notop" weights files into the Keras cache.

Online, Keras downloads each file (checking its hash) into $KERAS_HOME/models; files already on the
machine are left as they are. Offline, it fails with the list of files to copy and where they go.
"""

from django.core.management.base import BaseCommand, CommandError

from studio.graphs.backbones import BACKBONES, BY_TYPE
from studio.weights.imagenet import fetch, placement_hint


class Command(BaseCommand):
    help = "Download the ImageNet weights of pre-trained backbones (all of them, or those named)."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help=f"Backbones: {', '.join(BY_TYPE)} (default: all).")
        parser.add_argument(
            "--mirror",
            default=None,
            help="Fetch from this base URL (a folder holding the files) instead of Google Storage.",
        )

    def handle(self, *args, names, mirror, **options):
        unknown = [n for n in names if n not in BY_TYPE]
        if unknown:
            raise CommandError(f"Unknown backbone(s) {', '.join(unknown)}; choose from {', '.join(BY_TYPE)}.")
        backbones = [BY_TYPE[n] for n in names] if names else list(BACKBONES)
        failed = []
        for backbone in backbones:
            result = fetch(backbone, mirror=mirror)
            if result.path is None:
                failed.append(result)
                self.stderr.write(f"{backbone.type}: could not download ({result.error})")
            elif result.downloaded:
                self.stdout.write(f"{backbone.type}: downloaded {result.path}")
            else:
                self.stdout.write(f"{backbone.type}: already here, {result.path}")
        if failed:
            lines = "\n".join(f"  {placement_hint(r.backbone)}" for r in failed)
            raise CommandError(
                f"{len(failed)} ImageNet weights file(s) could not be downloaded (is this machine offline?). "
                f"Copy them from a machine that is online:\n{lines}\n"
                "Then `python manage.py fetch_weights` again finds them (or choose weights: null)."
            )
