"""Shared pieces of the browser tests: constants, console capture, screenshots, API calls."""
from __future__ import annotations

import json
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class ConsoleLog:
    """Console errors and uncaught exceptions of one page."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text} @ {m.location}"))
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))


def shot(page, name: str) -> Path:
    """Save a screenshot under tests/browser/screenshots/ (gitignored) for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


class StudioApi:
    """JSON API calls made with the page's own session (cookie + CSRF token)."""

    def __init__(self, page):
        self.page = page

    def _headers(self) -> dict:
        token = next((c["value"] for c in self.page.context.cookies() if c["name"] == "csrftoken"), "")
        return {"X-CSRFToken": token, "Content-Type": "application/json"}

    def create_project(self, name: str, *, template: str | None = None, graph: dict | None = None) -> dict:
        body: dict = {"name": name}
        if template:
            body["template"] = template
        if graph is not None:
            body["graph"] = graph
        r = self.page.request.post("/api/projects/", data=json.dumps(body), headers=self._headers())
        assert r.status == 201, r.text()
        return r.json()

    def project(self, project_id: int) -> dict:
        r = self.page.request.get(f"/api/projects/{project_id}/")
        assert r.ok, r.text()
        return r.json()
