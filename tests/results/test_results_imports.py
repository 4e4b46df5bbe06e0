"""Loading the URLs (every manage.py command does) must not import TensorFlow: results import it on use."""
import os
import subprocess
import sys

from django.conf import settings


def test_loading_the_api_urls_does_not_import_keras_or_tensorflow():
    code = ("import django, sys; django.setup(); import studio.api.urls; "
            "print(sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "DJANGO_SETTINGS_MODULE": "studio.test_settings"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
