"""The core calls every life-cycle hook a plugin may implement, as its docstring says."""

import pytest

from tests.support.wiki import add_user, login, save
from wiki.app import create_app
from wiki.hooktypes import Job, MenuItem, PageAction, PageSection, SpecialPage
from wiki.hookspecs import hookimpl
from wiki.jobs import run_jobs
from wiki.markup import MagicWord
from wiki.pages import SaveError


class Recorder:
    """A plugin that records what the core told it and adds one thing of every kind."""

    def __init__(self):
        self.events = []
        self.job_runs = 0

    @hookimpl
    def site_started(self, site):
        self.events.append(("started", site.settings.testing))

    @hookimpl
    def site_stopping(self, site):
        self.events.append(("stopping", site.settings.testing))

    @hookimpl
    def register_magic_words(self):
        return [MagicWord("SUPPORTPHONE", lambda ctx: "+1 555 0100")]

    @hookimpl
    def register_menu_items(self):
        return [MenuItem("Staff desk", "/wiki/Project:Desk", roles=("staff",)), MenuItem("Help", "/wiki/Help:Contents")]

    @hookimpl
    def register_special_pages(self):
        return [SpecialPage("Hello", lambda req: ("error.html", {"message": f"Hello {req.actor.name} {req.subpage}"}))]

    @hookimpl
    def register_page_actions(self):
        return [PageAction("shout", lambda site, title: title.prefixed.upper())]

    @hookimpl
    def page_view_sections(self, site, session, title, page, actor, args):
        return [PageSection(html=f"<aside id='recorder'>viewed by {actor.name}</aside>")]

    @hookimpl
    def validate_page_save(self, site, session, title, text, output, actor):
        return ["Pages may not say 'forbidden'."] if "forbidden" in text else []

    @hookimpl
    def page_committed(self, site, change):
        self.events.append(("committed", change.page.title, change.created))

    @hookimpl
    def register_jobs(self):
        return [Job("count", self._count, every_seconds=3600)]

    def _count(self, site):
        self.job_runs += 1


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def hooked(make_site, recorder):
    return make_site(plugins=[recorder])


def test_site_started_and_page_committed_after_commit(hooked, recorder):
    assert ("started", True) in recorder.events
    save(hooked, "Page", "one")
    save(hooked, "Page", "two")
    assert [e for e in recorder.events if e[0] == "committed"] == [("committed", "Page", True),
                                                                     ("committed", "Page", False)]


def test_site_stopping_when_the_site_closes(hooked, recorder):
    hooked.close()
    assert recorder.events[-1] == ("stopping", True)


def test_rolled_back_saves_are_not_committed(hooked, recorder):
    with pytest.raises(SaveError, match="may not say 'forbidden'"):
        save(hooked, "Page", "forbidden words")
    assert not [e for e in recorder.events if e[0] == "committed"]


def test_web_hooks(hooked):
    save(hooked, "Page", "Call {{SUPPORTPHONE}}")
    add_user(hooked, "Sam")
    client = create_app(site=hooked).test_client()
    html = client.get("/wiki/Page").get_data(as_text=True)
    assert "+1 555 0100" in html and "viewed by Anonymous" in html
    assert "Help</a>" in html and "Staff desk" not in html
    assert client.get("/wiki/Page?action=shout").get_data(as_text=True) == "PAGE"
    assert "Hello Anonymous sub" in client.get("/wiki/Special:Hello/sub").get_data(as_text=True)
    login(client, "Sam")
    assert "Staff desk" in client.get("/wiki/Page").get_data(as_text=True)


def test_jobs_run_when_due_and_not_twice(hooked, recorder):
    mine = lambda outcomes: [o for o in outcomes if o.name == "count"]  # noqa: E731
    assert [o.ran for o in mine(run_jobs(hooked))] == [True]
    assert [o.reason for o in mine(run_jobs(hooked))] == ["not due"]
    assert recorder.job_runs == 1
    run_jobs(hooked, ["count"], force=True)
    assert recorder.job_runs == 2
    with pytest.raises(KeyError, match="no such job"):
        run_jobs(hooked, ["nope"])
