"""First-run set-up: an `admin` account with a generated password (shown once, kept in the data folder)."""
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand


def password_file():
    return settings.DATA_DIR / "initial-admin-password.txt"


class Command(BaseCommand):
    help = ("Create the first account (admin, with a random password) when the studio has no users yet, "
            "and prepare the demo dataset (added to that first account).")

    def handle(self, *args, **options):
        User = get_user_model()
        first_run = not User.objects.exists()
        if first_run:
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser("admin", password=password)
            password_file().write_text(password + "\n")
            password_file().chmod(0o600)
            self.stdout.write(self.style.SUCCESS("Created the account 'admin'."))
        call_command("load_demo", user="admin" if first_run else "", stdout=self.stdout)
        self.stdout.write(login_hint())


def login_hint() -> str:
    path = password_file()
    if path.exists():
        return (f"Log in as 'admin' with the password in {path} "
                f"(currently: {path.read_text().strip()}), or sign up for an account of your own.")
    return "Log in with your account, or sign up for a new one."
