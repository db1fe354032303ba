"""Helpers for tests of the wiki: settings, users, saving pages, signing in (a test client or a
browser), CSRF tokens, and the parts of a page that tests look at (the preview, a tab)."""

from __future__ import annotations

import re
from pathlib import Path

from wiki.accounts import actor_for, create_user
from wiki.config import Settings, load_settings
from wiki.pages import SaveResult, save_page
from wiki.permissions import SYSTEM, Actor
from wiki.site import Site

TEST_SECRET = "test-secret-key-not-for-production"
PASSWORD = "Correct-Horse-9!"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_PREVIEW = re.compile(r'<section class="preview">(.*?)</section>', re.S)


def make_settings(instance: Path | None, database_url: str, config: dict | None = None) -> Settings:
    overrides = {"database_url": database_url, "secret_key": TEST_SECRET, "testing": True, **(config or {})}
    if instance is not None:
        overrides["instance_path"] = instance
    return load_settings(overrides=overrides)


def add_user(site: Site, name: str, role: str = "staff", password: str = PASSWORD, email: str | None = None,
             account: str | None = None) -> Actor:
    with site.db.write() as session:
        if email is None:
            email = f"{name.lower().replace(' ', '.')}@example.test"
        return actor_for(create_user(session, name, role, email=email, password=password, account=account))


def save(site: Site, title: str, text: str, actor: Actor = SYSTEM, **kwargs) -> SaveResult:
    with site.db.write() as session:
        return save_page(site, session, site.titles.parse(title), text, actor, **kwargs)


def current_text(site: Site, title: str) -> str | None:
    with site.db.read() as session:
        return site.current_text(session, site.titles.parse(title))


def csrf_token(client, path: str = "/wiki/Special:UserLogin") -> str:
    html = client.get(path).get_data(as_text=True)
    found = _CSRF.search(html)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def login(client, name: str, password: str = PASSWORD):
    token = csrf_token(client)
    response = client.post("/wiki/Special:UserLogin", data={"username": name, "password": password,
                                                            "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def sign_in_browser(page, base: str, name: str, password: str = PASSWORD) -> None:
    """Sign in through the form in a Playwright ``page`` and wait until it is done."""
    page.goto(base + "/wiki/Special:UserLogin")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("form.loginform button[type=submit]")
    page.wait_for_url("**/wiki/**")


def preview_of(html: str) -> str:
    """The rendered preview of an edit form, ``""`` if it has none (the form holds the typed text)."""
    found = _PREVIEW.search(html)
    return found.group(1) if found else ""


def tab(html: str, label: str) -> str:
    """The tab bar's ``<a>`` tag of the tab labelled ``label``, ``""`` if there is none."""
    found = re.search(r'<nav class="tabs".*?(<a [^>]*>' + re.escape(label) + r'</a>)', html, re.S)
    return found.group(1) if found else ""
