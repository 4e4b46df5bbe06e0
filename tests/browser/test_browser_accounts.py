"""Signing up and logging in through the server-rendered pages."""
import re

import pytest
from browser_support import VIEWPORT, ConsoleLog, shot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_signing_up_shows_field_errors_then_lands_on_the_projects(browser, studio_url):
    context = browser.new_context(viewport=VIEWPORT, base_url=studio_url)
    page = context.new_page()
    console = ConsoleLog(page)
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill("new-person")
    page.get_by_label("Password", exact=True).fill("Green-kettle-5521")
    page.get_by_label("Password confirmation").fill("Green-kettle-5522")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".field-error")).to_contain_text("didn’t match")
    shot(page, "signup-errors")
    page.get_by_label("Password", exact=True).fill("Green-kettle-5521")
    page.get_by_label("Password confirmation").fill("Green-kettle-5521")
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Projects", exact=True)).to_be_visible()
    expect(page.locator(".user-name")).to_contain_text("new-person")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill("new-person")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    expect(page.get_by_label("Username")).to_have_value("new-person")
    shot(page, "login-error")
    context.close()
    assert not console.errors, console.errors
