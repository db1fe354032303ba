"""The core's special pages, registered like any plugin's."""

from wiki.hooktypes import SpecialPage
from wiki.hookspecs import hookimpl
from wiki.web import auth, specials


@hookimpl
def register_special_pages():
    return [
        SpecialPage("AllPages", specials.all_pages, "Every page of a namespace, by title"),
        SpecialPage("Categories", specials.categories, "Every category with members"),
        SpecialPage("WhatLinksHere", specials.what_links_here, "Pages that link to or transclude a page"),
        SpecialPage("WantedPages", specials.wanted_pages, "Missing pages that others link to"),
        SpecialPage("Version", specials.version, "Software, plugins and the hooks they implement"),
        SpecialPage("SpecialPages", specials.special_pages, "This list"),
        SpecialPage("UserLogin", auth.user_login, "Sign in", listed=False),
        SpecialPage("UserLogout", auth.user_logout, "Sign out", listed=False),
    ]
