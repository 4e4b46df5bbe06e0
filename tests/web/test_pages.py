"""Pages: the React shell behind login, its routes, the Vite asset tags, and the account pages."""
import json

import pytest
from django.template import Context, Template

from studio.web.templatetags import vite

pytestmark = pytest.mark.django_db

MANIFEST = {
    "src/main.tsx": {
        "file": "assets/app-abc.js",
        "isEntry": True,
        "imports": ["_shared-1.js"],
        "dynamicImports": ["src/pages/ProjectPage.tsx"],
        "css": ["assets/app-abc.css"],
    },
    "_shared-1.js": {"file": "assets/shared-1.js", "css": ["assets/shared-1.css"]},
    "src/pages/ProjectPage.tsx": {"file": "assets/ProjectPage-x.js", "isDynamicEntry": True, "css": ["assets/pp.css"]},
    "src/styles/auth.css": {"file": "assets/auth-1.css", "isEntry": True},
}


@pytest.fixture
def manifest(tmp_path, monkeypatch):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(MANIFEST))
    monkeypatch.setattr(vite, "manifest_path", lambda: path)
    return path


def render(entry: str) -> str:
    return Template('{% load vite %}{% vite_assets "' + entry + '" %}').render(Context({}))


def test_it_emits_the_entry_script_its_css_and_its_static_imports(manifest):
    html = render("src/main.tsx")
    assert '<script type="module" src="/static/dist/assets/app-abc.js"></script>' in html
    assert '<link rel="stylesheet" href="/static/dist/assets/app-abc.css">' in html
    assert '<link rel="stylesheet" href="/static/dist/assets/shared-1.css">' in html
    assert '<link rel="modulepreload" href="/static/dist/assets/shared-1.js">' in html
    assert "ProjectPage" not in html, "lazy chunks load on demand"


def test_a_css_only_entry_is_a_stylesheet(manifest):
    assert render("src/styles/auth.css") == '<link rel="stylesheet" href="/static/dist/assets/auth-1.css">'


def test_a_missing_build_says_how_to_build(monkeypatch):
    monkeypatch.setattr(vite, "manifest_path", lambda: None)
    assert "npm ci &amp;&amp; npm run build" in render("src/main.tsx")


def test_an_unknown_entry_is_named(manifest):
    assert "&#x27;src/nope.tsx&#x27;" in render("src/nope.tsx")


def test_pages_need_a_login(client):
    response = client.get("/projects/4/model/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/projects/4/model/")


PAGE_URLS = [
    "/", "/projects/", "/projects/4/", "/projects/4/model/", "/projects/4/inference/", "/datasets/", "/datasets/2/",
]


@pytest.mark.parametrize("url", PAGE_URLS)
def test_every_page_url_serves_the_shell_with_a_csrf_cookie(client, alice, manifest, url):
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div id="app" data-username="alice">' in html
    assert "/static/dist/assets/app-abc.js" in html
    assert "csrftoken" in response.cookies


@pytest.mark.parametrize("url", ["/projects/4/bogus/", "/projects/abc/", "/datasets/x/"])
def test_unknown_page_urls_are_404(client, alice, url):
    client.force_login(alice)
    assert client.get(url).status_code == 404


def test_the_login_page_keeps_its_form(client, manifest):
    html = client.get("/accounts/login/").content.decode()
    for needle in ('name="username"', 'name="password"', 'name="csrfmiddlewaretoken"', 'name="next"', "auth-1.css"):
        assert needle in html


def test_the_signup_page_shows_field_errors(client, manifest):
    response = client.post("/accounts/signup/", {"username": "carol", "password1": "x", "password2": "y"})
    html = response.content.decode()
    assert response.status_code == 200  # like Django's login view: no failed load in the console
    assert 'name="password1"' in html and 'name="csrfmiddlewaretoken"' in html
    assert 'class="field-error"' in html
