"""`{% vite_assets "src/main.tsx" %}`: the script and stylesheet tags of a Vite entry.

Vite writes `.vite/manifest.json` into static/dist (see frontend/vite.config.ts). It maps each
entry to its hashed file, the CSS it needs and the chunks it imports; this tag turns that into
tags whose URLs go through Django's static storage. Missing build output is a clear message on
the page, not a silent blank screen.
"""
import json
import logging
from functools import lru_cache
from pathlib import Path

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

log = logging.getLogger(__name__)
register = template.Library()

MANIFEST = "dist/.vite/manifest.json"
BUILD_HINT = "cd frontend && npm ci && npm run build"


def manifest_path() -> Path | None:
    found = finders.find(MANIFEST)
    if found:
        return Path(found)
    collected = Path(settings.STATIC_ROOT) / MANIFEST if settings.STATIC_ROOT else None
    return collected if collected and collected.exists() else None


@lru_cache(maxsize=4)
def _read(path: str, mtime: float) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def load_manifest() -> dict | None:
    """The parsed manifest, re-read when the file changes (a rebuild while the server runs)."""
    path = manifest_path()
    if path is None:
        return None
    try:
        return _read(str(path), path.stat().st_mtime)
    except (OSError, ValueError) as exc:
        log.error("Cannot read the Vite manifest %s: %s", path, exc)
        return None


def entry_files(manifest: dict, entry: str) -> tuple[str, list[str], list[str]]:
    """(script, stylesheets, preloaded chunks) of an entry, following its static imports."""
    chunk = manifest[entry]
    css: list[str] = []
    preload: list[str] = []
    seen: set[str] = set()

    def walk(key: str, is_entry: bool) -> None:
        if key in seen:
            return
        seen.add(key)
        item = manifest[key]
        for name in item.get("css", []):
            if name not in css:
                css.append(name)
        if not is_entry:
            preload.append(item["file"])
        for imported in item.get("imports", []):
            walk(imported, False)

    walk(entry, True)
    return chunk["file"], css, preload


def _missing(message: str) -> SafeString:
    log.warning("%s", message)
    return format_html(
        '<div role="alert" style="font:15px system-ui,sans-serif;margin:40px auto;max-width:640px;padding:16px 20px;'
        'border:1px solid #f3b4b4;background:#fdecec;color:#8e1c1c;border-radius:8px">{}</div>',
        message,
    )


@register.simple_tag
def vite_assets(entry: str) -> SafeString:
    manifest = load_manifest()
    if manifest is None:
        return _missing(f"The studio's pages are not built yet. Run: {BUILD_HINT} (then collectstatic).")
    if entry not in manifest:
        return _missing(f"The frontend build has no entry {entry!r}. Rebuild it: {BUILD_HINT}.")
    script, css, preload = entry_files(manifest, entry)
    if script.endswith(".css"):  # a CSS-only entry
        css, script = [script, *css], ""
    tags = [
        format_html_join("", '<link rel="stylesheet" href="{}">', ((static(f"dist/{name}"),) for name in css)),
        format_html_join("", '<link rel="modulepreload" href="{}">', ((static(f"dist/{name}"),) for name in preload)),
    ]
    if script:
        tags.append(format_html('<script type="module" src="{}"></script>', static(f"dist/{script}")))
    return mark_safe("".join(tags))
