"""Import a dataset that is already on the server: a folder of class folders, or a zip archive.

    python manage.py import_dataset PATH --user USERNAME [--name NAME]

The same checks as an upload apply (symlinks are listed and not followed, limits hold); the files
are normalised into the data folder, the original is left untouched.
"""
import logging
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from studio.datasets import services
from studio.datasets.errors import DatasetError

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Import a folder of class folders (or a .zip) on this server as a dataset owned by --user."

    def add_arguments(self, parser):
        parser.add_argument("path", help="A folder with one sub-folder per class, or a .zip archive.")
        parser.add_argument("--user", required=True, help="Username of the dataset's owner.")
        parser.add_argument("--name", default="", help="Dataset name (default: the folder or file name).")

    def handle(self, *args, path: str, user: str, name: str, **options):
        owner = _user(user)
        source = Path(path).expanduser()
        if not source.exists() and not source.is_symlink():
            raise CommandError(f"{source} does not exist.")
        name = name.strip() or source.stem or "Dataset"
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if options.get("verbosity", 1) >= 1 and (time.monotonic() - last[0] > 2 or done == total):
                last[0] = time.monotonic()
                self.stdout.write(f"  {done}/{total} files")

        try:
            if source.is_dir() or source.is_symlink():
                dataset = services.dataset_create_from_folder(owner=owner, name=name, folder=source, progress=progress)
            else:
                with source.open("rb") as archive:
                    dataset = services.dataset_create_from_zip(owner=owner, name=name, archive=archive,
                                                               source_name=source.name, source="import",
                                                               progress=progress)
        except DatasetError as exc:
            raise CommandError(str(exc)) from None
        classes = ", ".join(f"{c['name']} ({c['count']})" for c in dataset.classes)
        self.stdout.write(self.style.SUCCESS(
            f"Dataset {dataset.id} {dataset.name!r}: {dataset.image_count} images in {len(dataset.classes)} "
            f"classes: {classes}."
        ))
        if dataset.skipped_count:
            self.stdout.write(f"{dataset.skipped_count} files skipped:")
            for item in dataset.skipped[:20]:
                self.stdout.write(f"  {item['file']}: {item['reason']}")


def _user(username: str):
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user named {username!r}. Create one first (sign up, or manage.py createsuperuser).")
