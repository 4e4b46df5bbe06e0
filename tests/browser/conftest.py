"""Browser tests: the real studio (daphne, a fresh data folder) driven by headless Chromium.

One studio process and one browser per session; every test gets a fresh, logged-in page at
1280x800 that fails the test if the page logs a console error. Chromium is Debian's
(/usr/bin/chromium, or $CHROMIUM): Playwright's own browser download is not used.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser_support import CHROMIUM_ARGS, SCREENSHOTS, VIEWPORT, ConsoleLog, StudioApi, shot

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "static" / "dist" / ".vite" / "manifest.json"
USERNAME = "canvas-tester"
PASSWORD = "Blue-lantern-4471"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)  # lets `page` see whether the test failed
    return report


def _chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(f"Chromium not found at {path}: install it (apt-get install chromium) or set CHROMIUM=/path/to/it.")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


@pytest.fixture(scope="session")
def studio_env(tmp_path_factory) -> dict:
    """The environment of the studio's processes: a fresh data folder and its SQLite database."""
    data = tmp_path_factory.mktemp("studio-data")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        STUDIO_DATA_DIR=str(data),
        DATABASE_URL=f"sqlite:///{data / 'studio.sqlite3'}",
        DEBUG="1",
        SECRET_KEY="browser-tests-only",
        DJANGO_SETTINGS_MODULE="studio.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="session")
def studio_url(studio_env) -> str:
    """Start the studio (migrate, collectstatic, daphne) in a fresh data folder; its base URL."""
    if not MANIFEST.exists():
        pytest.fail(f"The frontend is not built ({MANIFEST} missing): run `cd frontend && npm ci && npm run build`.")
    env = studio_env
    data = Path(env["STUDIO_DATA_DIR"])
    py = sys.executable
    for cmd in (["manage.py", "migrate", "--noinput"], ["manage.py", "collectstatic", "--noinput", "--verbosity", "0"]):
        done = subprocess.run([py, *cmd], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode:
            pytest.fail(f"`{' '.join(cmd)}` failed:\n{done.stdout}\n{done.stderr}")
    port = _free_port()
    log = open(data / "daphne.log", "w")  # noqa: SIM115 (closed at teardown)
    proc = subprocess.Popen(
        [py, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "studio.asgi:application"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            log.flush()
            pytest.fail(f"The studio exited with {proc.returncode}:\n{(data / 'daphne.log').read_text()[-4000:]}")
        try:
            if _get(f"{url}/accounts/login/") == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"The studio did not answer within 90 s:\n{(data / 'daphne.log').read_text()[-4000:]}")
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def train_worker(studio_url, studio_env):
    """`manage.py trainworker` on the studio's database and data folder, for the tests that train.

    Started on first use only (TensorFlow is heavy), stopped at the end of the session; its log is
    `trainworker.log` in the data folder."""
    data = Path(studio_env["STUDIO_DATA_DIR"])
    env = {**studio_env, "TF_CPP_MIN_LOG_LEVEL": "2", "STUDIO_RUN_STOP_POLL_SECONDS": "0.2"}
    log = open(data / "trainworker.log", "w")  # noqa: SIM115 (closed at teardown)
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "trainworker", "--poll", "0.3", "--worker-id", "browser-worker"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    time.sleep(0.5)
    if proc.poll() is not None:
        log.flush()
        tail = (data / "trainworker.log").read_text()[-4000:]
        pytest.fail(f"The training worker exited with {proc.returncode}:\n{tail}")
    yield proc
    proc.terminate()  # SIGTERM: a run still training goes back to the queue
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def account(studio_url) -> dict:
    """A user created through the sign-up API."""
    body = json.dumps({"username": USERNAME, "password": PASSWORD}).encode()
    headers = {"Content-Type": "application/json"}
    req = urllib.request.Request(f"{studio_url}/api/auth/signup/", data=body, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            token = json.loads(r.read())["token"]
    except urllib.error.HTTPError as e:
        pytest.fail(f"sign-up failed ({e.code}): {e.read().decode()}")
    return {"username": USERNAME, "password": PASSWORD, "token": token}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    for old in SCREENSHOTS.glob("failed-*.png"):  # from an earlier run
        old.unlink()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def login_state(browser, studio_url, account, tmp_path_factory) -> str:
    """Log in once through the login page; the session cookie is reused by every test's page."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    console = ConsoleLog(page)
    page.goto(f"{studio_url}/")
    assert "/accounts/login/" in page.url, "an anonymous visitor is sent to the login page"
    shot(page, "login")
    page.get_by_label("Username").fill(account["username"])
    page.get_by_label("Password").fill(account["password"])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{studio_url}/")
    page.get_by_role("heading", name="Projects", exact=True).wait_for()
    page.get_by_role("heading", name="No projects yet").wait_for()
    shot(page, "project-list-empty")
    assert not console.errors, "the login and project pages logged errors:\n" + "\n".join(console.errors)
    path = tmp_path_factory.mktemp("browser") / "state.json"
    context.storage_state(path=str(path))
    context.close()
    return str(path)


@pytest.fixture
def page(request, browser, studio_url, login_state):
    """A logged-in page at 1280x800; the test fails if the page logs any error (a failing test leaves a screenshot)."""
    context = browser.new_context(
        viewport=VIEWPORT, storage_state=login_state, base_url=studio_url, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    p = context.new_page()
    p.console = ConsoleLog(p)
    yield p
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        shot(p, f"failed-{request.node.name}")
    errors = list(p.console.errors)
    context.close()
    assert not errors, "the page logged errors:\n" + "\n".join(errors)


@pytest.fixture
def screenshot(page):
    """`screenshot("name")` saves the current page as screenshots/name.png."""
    return lambda name: shot(page, name)


@pytest.fixture
def studio_api(page) -> StudioApi:
    return StudioApi(page)


@pytest.fixture
def open_model(page):
    """Open a project's Model tab and wait until its first validation has arrived."""

    def go(project_id: int):
        page.goto(f"/projects/{project_id}/model/")
        page.locator('.canvas[data-view-ready="true"]').wait_for()
        page.get_by_test_id("validity").filter(has_not_text="Checking").wait_for()
        return page

    return go
