"""`manage.py check --deploy` under the production environment of the README's deployment guide: no warning."""
import secrets
import subprocess

import pytest
from scaleout_support import PYTHON, REDIS_URL, ROOT, base_env

pytestmark = pytest.mark.slow

# README.md, "Deployment (scale-out)", "Environment": the security settings of a deploy behind a TLS-terminating proxy.
PRODUCTION = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "studio.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://studio.example.org",
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


def _check(tmp_path, **env) -> subprocess.CompletedProcess:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    environment = base_env(data, "postgres://studio@db.internal:5432/studio")
    environment.update(REDIS_URL=REDIS_URL, SECRET_KEY=secrets.token_urlsafe(50), **env)
    return subprocess.run([PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                          env=environment, capture_output=True, text=True, timeout=300)


def test_the_production_environment_passes_check_deploy_without_warnings(tmp_path):
    done = _check(tmp_path, **PRODUCTION)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_without_the_security_settings_check_deploy_names_what_is_missing(tmp_path):
    done = _check(tmp_path, ALLOWED_HOSTS="studio.example.org")
    assert done.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in done.stderr + done.stdout
