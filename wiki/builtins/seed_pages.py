"""The core's seed pages: the main page and the wiki templates shipped in ``templates/`` (in the
package as ``wiki/shipped/templates``, see ``wiki.shipped``)."""

from pathlib import Path

from wiki.hooktypes import SeedPage
from wiki.hookspecs import hookimpl

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "shipped" / "templates"

MAIN_PAGE = """# Welcome to ticketwiki

This is a help desk that is a wiki. Staff edit ticket pages together; customers open
tickets and follow them; analysts run reports.

* [[Special:AllPages|All pages]] and [[Special:Categories|categories]]
* [[Help:Contents|Help]]
"""


@hookimpl
def register_seed_pages():
    pages = [SeedPage("Main Page", MAIN_PAGE)]
    for path in sorted(TEMPLATE_DIR.glob("*.md")):
        pages.append(SeedPage(f"Template:{path.stem.replace('_', ' ')}", path.read_text(encoding="utf-8")))
    return pages
