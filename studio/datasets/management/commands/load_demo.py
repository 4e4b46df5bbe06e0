"""Prepare the shipped demo dataset once (the set-up command runs this), optionally for a user.

    python manage.py load_demo              # validate the demo photos and build their thumbnails
    python manage.py load_demo --user NAME  # ... and add the demo dataset to that account

After this, "Add the demo dataset" on the datasets page is a file link and a few rows.
"""
from django.core.management.base import BaseCommand, CommandError

from studio.datasets import demo, services
from studio.datasets.errors import DatasetError
from studio.datasets.management.commands.import_dataset import _user


class Command(BaseCommand):
    help = "Prepare the bundled demo dataset (122 Public Domain/CC0 photos, 4 classes); --user adds it to an account."

    def add_arguments(self, parser):
        parser.add_argument("--user", default="", help="Also add the demo dataset to this user's account.")

    def handle(self, *args, user: str, **options):
        try:
            prepared = demo.demo_prepare()
        except (FileNotFoundError, DatasetError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Demo dataset prepared in {prepared}.")
        if user:
            dataset, created = services.dataset_add_demo(owner=_user(user))
            verb = "Added" if created else "Already there:"
            self.stdout.write(self.style.SUCCESS(
                f"{verb} dataset {dataset.id} {dataset.name!r} for {user} ({dataset.image_count} images)."
            ))
