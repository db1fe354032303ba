"""The core's special pages, registered like any plugin's, and the admin menu's link to Special:Plugins."""

from flask_babel import lazy_gettext

from wiki.hooktypes import MenuItem, SpecialPage
from wiki.hookspecs import hookimpl
from wiki.web import auth, plugins_page, specials


@hookimpl
def register_special_pages():
    return [
        SpecialPage("AllPages", specials.all_pages, lazy_gettext("Every page of a namespace, by title"),
                    heading=lazy_gettext("All pages")),
        SpecialPage("Categories", specials.categories, lazy_gettext("Every category with members"),
                    heading=lazy_gettext("Categories")),
        SpecialPage("WhatLinksHere", specials.what_links_here, lazy_gettext("Pages that link to or transclude a page"),
                    heading=lazy_gettext("What links here")),
        SpecialPage("WantedPages", specials.wanted_pages, lazy_gettext("Missing pages that others link to"),
                    heading=lazy_gettext("Wanted pages")),
        SpecialPage("Version", specials.version, lazy_gettext("Software, plugins and the hooks they implement"),
                    heading=lazy_gettext("Version")),
        SpecialPage("Plugins", plugins_page.plugins_page, lazy_gettext("Switch plugins off and on"), roles=("admin",),
                    heading=lazy_gettext("Plugins")),
        SpecialPage("SpecialPages", specials.special_pages, lazy_gettext("This list"),
                    heading=lazy_gettext("Special pages")),
        SpecialPage("UserLogin", auth.user_login, lazy_gettext("Sign in"), listed=False,
                    heading=lazy_gettext("Sign in")),
        SpecialPage("UserLogout", auth.user_logout, lazy_gettext("Sign out"), listed=False,
                    heading=lazy_gettext("Sign out")),
    ]


@hookimpl
def register_menu_items():
    return [MenuItem(lazy_gettext("Plugins"), "/wiki/Special:Plugins", section="account", roles=("admin",), order=25)]
