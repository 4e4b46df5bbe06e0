import io

import pytest
from django.core.management import call_command

from studio.datasets.models import Dataset

pytestmark = pytest.mark.django_db


def test_first_run_creates_admin_with_a_password_that_works_and_adds_the_demo(client, settings):
    out = io.StringIO()
    call_command("bootstrap", stdout=out)
    password = (settings.DATA_DIR / "initial-admin-password.txt").read_text().strip()
    assert password in out.getvalue() and "Log in as 'admin'" in out.getvalue()
    assert client.login(username="admin", password=password)
    demo = Dataset.objects.get(owner__username="admin")
    assert demo.image_count == 122


def test_a_second_run_changes_nothing(django_user_model):
    call_command("bootstrap", stdout=io.StringIO())
    call_command("bootstrap", stdout=io.StringIO())
    assert django_user_model.objects.count() == 1
    assert Dataset.objects.count() == 1
