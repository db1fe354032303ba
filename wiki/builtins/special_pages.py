"""The core's special pages, registered like any plugin's."""

from flask_babel import lazy_gettext

from wiki.hooktypes import SpecialPage
from wiki.hookspecs import hookimpl
from wiki.web import auth, specials


@hookimpl
def register_special_pages():
    return [
        SpecialPage("AllPages", specials.all_pages, lazy_gettext("Every page of a namespace, by title")),
        SpecialPage("Categories", specials.categories, lazy_gettext("Every category with members")),
        SpecialPage("WhatLinksHere", specials.what_links_here, lazy_gettext("Pages that link to or transclude a page")),
        SpecialPage("WantedPages", specials.wanted_pages, lazy_gettext("Missing pages that others link to")),
        SpecialPage("Version", specials.version, lazy_gettext("Software, plugins and the hooks they implement")),
        SpecialPage("SpecialPages", specials.special_pages, lazy_gettext("This list")),
        SpecialPage("UserLogin", auth.user_login, lazy_gettext("Sign in"), listed=False),
        SpecialPage("UserLogout", auth.user_logout, lazy_gettext("Sign out"), listed=False),
    ]
