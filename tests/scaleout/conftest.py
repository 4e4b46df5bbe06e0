"""Fixtures of the scale-out tests: real PostgreSQL and Redis, a fresh database per test, studio processes.

See scaleout_support.py for how the servers are found (and started when they are down: these tests fail,
never skip, without them) and how the studio's processes are run.
"""
import os
import secrets
import shutil
import uuid
from pathlib import Path

import psycopg
import pytest
import redis
from scaleout_support import REDIS_URL, StudioProcesses, admin_sql, base_env, database_url_for, ensure_servers, manage


@pytest.fixture(scope="session")
def servers() -> None:
    ensure_servers()


@pytest.fixture(scope="session")
def template_db(servers, tmp_path_factory) -> str:
    """A database migrated once; every test copies it (CREATE DATABASE ... TEMPLATE is fast)."""
    name = f"ks_scaleout_tpl_{uuid.uuid4().hex[:10]}"
    admin_sql(f'CREATE DATABASE "{name}"')
    try:
        manage(base_env(tmp_path_factory.mktemp("migrate"), database_url_for(name)), "migrate", "--noinput", "-v0")
        yield name
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(template_db) -> str:
    """A fresh, migrated PostgreSQL database of this test's own (dropped afterwards, connections or not)."""
    name = f"ks_scaleout_{uuid.uuid4().hex[:10]}"
    admin_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    try:
        yield database_url_for(name)
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_prefix(servers) -> str:
    prefix = f"ks-scaleout-{secrets.token_hex(4)}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}*", count=500):
        client.delete(key)


@pytest.fixture
def studio_env(database_url, tmp_path) -> dict[str, str]:
    """The environment of every studio process of one test: its database, its data folder."""
    data = tmp_path / "data"
    data.mkdir()
    return base_env(data, database_url)


@pytest.fixture
def pg(database_url):
    """A psycopg connection to the test's database, to read what the processes wrote."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def processes(tmp_path, request):
    logs = tmp_path / "logs"
    logs.mkdir()
    procs = StudioProcesses(logs)
    yield procs
    procs.stop_all()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        keep = Path(os.environ.get("STUDIO_TEST_LOGS", "/tmp")) / f"scaleout-logs-{request.node.name}"
        shutil.copytree(logs, keep, dirs_exist_ok=True)
        print(f"process logs kept in {keep}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
