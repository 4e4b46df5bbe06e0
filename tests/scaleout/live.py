"""Talking to a running studio over TCP as a browser does: the login form, the JSON API, run sockets.

Used by the scale-out tests and by bench/bench_scaleout.py (so it imports nothing from pytest).
"""
import asyncio
import json
import re
import time
from dataclasses import dataclass, field

import requests
import websockets

TERMINAL = ("succeeded", "failed", "stopped")


def login(base_url: str, username: str, password: str) -> requests.Session:
    """A session signed in through the login page (CSRF token and all): its `sessionid` cookie is the
    one a browser would carry to any web process of the same studio."""
    session = requests.Session()
    page = session.get(f"{base_url}/accounts/login/", timeout=30)
    page.raise_for_status()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(f"{base_url}/accounts/login/", timeout=30, allow_redirects=False,
                          data={"csrfmiddlewaretoken": token, "username": username, "password": password},
                          headers={"Referer": f"{base_url}/accounts/login/"})
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise AssertionError(f"login failed: {answer.status_code} {answer.text[:300]}")
    return session


def api(session: requests.Session, base_url: str, method: str, path: str, body: dict | None = None) -> dict:
    headers = {"X-CSRFToken": session.cookies.get("csrftoken", ""), "Referer": f"{base_url}/"}
    answer = session.request(method, f"{base_url}{path}", json=body, headers=headers, timeout=60)
    if answer.status_code >= 400:
        raise AssertionError(f"{method} {path}: {answer.status_code} {answer.text[:500]}")
    return answer.json()


def ws_url(base_url: str, run_id: int, after: int = 0) -> str:
    return f"{base_url.replace('http://', 'ws://', 1)}/ws/runs/{run_id}/?after={after}"


@dataclass
class Received:
    messages: list[dict] = field(default_factory=list)
    arrival: list[float] = field(default_factory=list)  # time.time() when each message arrived


async def follow_run(base_url: str, run_id: int, cookie: str, *, timeout: float = 120.0,
                     connected: asyncio.Event | None = None) -> Received:
    """Every message of a run's socket until its final status (or `timeout`). `connected` is set when the
    first stored message arrives: the server sends it after joining the run's group, so from then on every
    new message reaches this socket (a run always has at least its "queued" message)."""
    got = Received()
    headers = {"Cookie": f"sessionid={cookie}", "Origin": base_url}
    deadline = time.monotonic() + timeout
    async with websockets.connect(ws_url(base_url, run_id), additional_headers=headers, open_timeout=30,
                                  max_size=2**22) as socket:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"run {run_id}: no final status within {timeout} s "
                                   f"(last: {got.messages[-1:]})")
            message = json.loads(await asyncio.wait_for(socket.recv(), timeout=left))
            got.messages.append(message)
            got.arrival.append(time.time())
            if connected is not None and not connected.is_set():
                connected.set()  # the first stored message came: the consumer has joined the run's group
            if message.get("type") == "status" and message.get("status") in TERMINAL:
                return got
