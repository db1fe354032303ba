"""``Special:Plugins`` (admins): every plugin with its version, distribution and hooks, and
the switch that turns an entry point's plugin off and on (``wiki.plugin_admin``)."""

from __future__ import annotations

import math

from flask import abort, flash, redirect, request
from flask_babel import gettext

from wiki.plugin_admin import PluginSwitchError, plugin_rows, switch_plugin
from wiki.plugin_switches import CHECK_EVERY
from wiki.security.views import limit_form
from wiki.web.auth import client_ip
from wiki.web.skin import wiki_url

SWITCHES = {"on": True, "off": False}


def plugins_page(req):
    if request.method == "POST":
        limit_form(req)
        name, wanted = request.form.get("plugin", ""), request.form.get("switch", "")
        if wanted not in SWITCHES:
            abort(400, gettext("Say switch=on or switch=off, not '%(value)s'.", value=wanted))
        on = SWITCHES[wanted]
        try:
            changed = switch_plugin(req.site, req.actor, name, on, reason=request.form.get("reason", ""), ip=client_ip())
        except PluginSwitchError as exc:
            abort(exc.status, str(exc))
        if changed:
            flash(gettext("%(name)s is switched on.", name=name) if on else gettext("%(name)s is switched off.", name=name))
        else:
            flash(gettext("%(name)s was already on.", name=name) if on else gettext("%(name)s was already off.", name=name))
        return redirect(wiki_url("Special:Plugins"))
    return "special/plugins.html", {"rows": plugin_rows(req.site, req.session), "check_every": math.ceil(CHECK_EVERY)}
