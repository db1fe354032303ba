"""What every page of the skin can use: the site name, menus, the viewer and link helpers."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlencode

from babel.dates import format_datetime
from flask import Flask
from flask_babel import get_locale

from wiki.titles import Title
from wiki.web.context import actor, site

RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb"})
#: How the skin shows a time (UTC) in each interface language; English keeps "14:05, 3 March 2026".
DATETIME_PATTERNS = {"ar": "HH:mm، d MMMM y", "zh": "y年M月d日 HH:mm"}


def wiki_url(title: Title | str, **args: object) -> str:
    path = title.url_path if isinstance(title, Title) else "/wiki/" + title.replace(" ", "_")
    query = {k: v for k, v in args.items() if v is not None}
    return path + ("?" + urlencode(query) if query else "")


def text_direction(language: str | None) -> str:
    return "rtl" if language and language.split("-")[0] in RTL_LANGUAGES else "ltr"


def ui_datetime(value: datetime) -> str:
    """A revision or log time in the interface language, in UTC."""
    locale = get_locale()
    if locale is None or locale.language not in DATETIME_PATTERNS:
        return value.strftime("%H:%M, %d %B %Y")
    return format_datetime(value, DATETIME_PATTERNS[locale.language], tzinfo=timezone.utc, locale=locale)


def init_app(app: Flask) -> None:
    app.add_template_filter(ui_datetime)

    @app.context_processor
    def _skin_globals():
        s = site()
        viewer = actor()
        menu = [m for m in s.plugins.view.menu_items if not m.roles or viewer.role in m.roles]
        return {
            "ui_locale": str(get_locale() or "en"),
            "site_name": s.settings.site_name,
            "viewer": viewer,
            "menu_items": menu,
            "wiki_url": wiki_url,
            "text_direction": text_direction,
        }
