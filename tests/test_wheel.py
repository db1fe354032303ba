"""The wheel carries everything ``ticketwiki init`` needs.  Built from a copy of the sources
and installed into a new virtualenv, it sets up a fresh instance (the core's namespaces and
templates, the shipped plugins' namespaces, pages and migrations) and serves it with its HTML
templates, static files and translations, running the installed copy and not the checkout.

The new virtualenv gets the dependencies from the test environment's site-packages (links to
everything there but that environment's own ticketwiki, its editable install of the checkout)
and the wheel itself with ``--no-deps``; nothing is downloaded.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
#: The local state of a checkout, which a wheel is not built from.
LOCAL_STATE = shutil.ignore_patterns(".git", ".venv", ".pgtest", "instance", "build", "dist", "*.egg-info",
                                     "__pycache__", ".pytest_cache", "tests", "bench")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

pytestmark = pytest.mark.wheel


def _environment() -> dict[str, str]:
    """The installed copy must not see the checkout, nor this test run's settings."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("TICKETWIKI_")}


def _run(*args, cwd: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=_environment(), capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A new virtualenv with the wheel built from a copy of the sources installed in it."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "ticketwiki"
    shutil.copytree(ROOT, source, symlinks=True, ignore=LOCAL_STATE)
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--wheel-dir", work / "dist", source, cwd=work)
    [wheel] = (work / "dist").glob("ticketwiki-*.whl")
    env_dir = work / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", env_dir, cwd=work)
    python = env_dir / "bin" / "python"
    dependencies = work / "dependencies"
    dependencies.mkdir()
    for item in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not item.name.startswith(("ticketwiki", "__editable__")):
            (dependencies / item.name).symlink_to(item)
    purelib = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=work)
                   .stdout.strip())
    (purelib / "dependencies.pth").write_text(f"{dependencies}\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel,
         cwd=work)
    return env_dir


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert server.poll() is None, server.stderr.read()
        try:
            requests.get(url, timeout=5)
            return
        except requests.ConnectionError:
            assert time.monotonic() < deadline, f"nothing answers at {url}"
            time.sleep(0.2)


def test_the_wheel_holds_the_shipped_files_and_is_what_runs(venv, tmp_path):
    found = _run(venv / "bin" / "python", "-c", "import wiki, plugins.tickets; print(wiki.__file__); "
                 "print(plugins.tickets.__file__)", cwd=tmp_path).stdout.split()
    package = Path(found[0]).parent
    assert all(Path(path).is_relative_to(venv) for path in found), found
    for name in ("namespaces/main.toml", "namespaces/template.toml", "templates/Note.md"):
        shipped = package / "shipped" / name
        assert shipped.is_file() and not shipped.is_symlink(), shipped
    for name in ("migrations/versions/0001_core.py", "migrations/env.py", "migrations/script.py.mako",
                 "skin/static/wiki.css", "skin/templates/special/plugins.html", "fields/help/Fields.md",
                 "translations/ar/LC_MESSAGES/messages.mo", "translations/zh/LC_MESSAGES/messages.mo"):
        assert (package / name).is_file(), name
    tickets = Path(found[1]).parent
    for name in ("namespaces/ticket.toml", "seed/Template_Ticket.md", "migrations/t001_tickets.py",
                 "templates/tickets/new.html"):
        assert (tickets / name).is_file(), name


def test_init_and_serve_a_fresh_instance_from_the_installed_wheel(venv, tmp_path):
    instance = tmp_path / "instance"
    init = _run(venv / "bin" / "ticketwiki", "--instance", instance, "init", cwd=tmp_path).stdout
    admin = re.search(r"user name: (\S+)\s+password:\s+(\S+)", init)
    assert admin, init
    with sqlite3.connect(instance / "ticketwiki.sqlite") as db:
        titles = {(ns, title) for ns, title in db.execute("SELECT namespace, title FROM pages")}
    assert {(10, "Note"), (10, "Warning"), (10, "Redirect notice"), (10, "Done")} <= titles  # templates/
    assert {(0, "Main Page"), (12, "Fields"), (10, "Ticket"), (4, "Ticket workflow")} <= titles  # core, plugin seeds

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(venv / "bin" / "ticketwiki"), "--instance", str(instance), "serve", "--port",
                               str(port)], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, env=_environment())
    try:
        _wait_for(url + "/", server)
        http = requests.Session()
        assert "Note" in http.get(url + "/wiki/Template:Note", timeout=30).text
        version = http.get(url + "/wiki/Special:Version", timeout=30).text
        numbers = {int(n) for n in re.findall(r"<tr><td>(-?\d+)</td><td>", version)}
        assert {0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 106, 107} <= numbers  # namespaces/
        assert {3000, 3001} <= numbers  # the tickets plugin's
        assert "plugins.tickets.hooks" in version and "ticketwiki" in version
        assert http.get(url + "/static/wiki.css", timeout=30).status_code == 200
        assert "صفحات خاصة" in http.get(url + "/wiki/Main_Page?uselang=ar", timeout=30).text  # "Special pages"
        token = _CSRF.search(http.get(url + "/wiki/Special:UserLogin?uselang=en", timeout=30).text).group(1)
        signed_in = http.post(url + "/wiki/Special:UserLogin", data={
            "username": admin.group(1), "password": admin.group(2), "csrf_token": token}, timeout=30)
        assert signed_in.ok
        form = http.get(url + "/portal/tickets/new", timeout=30)
        assert form.status_code == 200 and 'name="subject"' in form.text  # the plugin's own HTML templates
    finally:
        server.terminate()
        server.wait(timeout=30)
