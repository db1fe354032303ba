"""The ``ticketwiki`` command line, run as a real process against a real instance folder."""

import os
import re
import subprocess
import sys
import time

import pytest
import requests
from gunicorn.ctl.client import ControlClient

from tests.support import free_port
from wiki.server import control_socket

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(instance, *args, stdin=None, check=True):
    env = {**os.environ, "TICKETWIKI_INSTANCE": str(instance), "PYTHONPATH": ROOT}
    result = subprocess.run([sys.executable, "-m", "wiki", *args], input=stdin, capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    folder = tmp_path_factory.mktemp("instance")
    first = run(folder, "init")
    assert "First admin created" in first.stdout
    folder.joinpath("first-init.txt").write_text(first.stdout)
    return folder


def test_init_prints_the_admin_password_once(instance):
    first = instance.joinpath("first-init.txt").read_text()
    password = re.search(r"password:\s+(\S+)", first).group(1)
    assert len(password) >= 12
    again = run(instance, "init")
    assert "password" not in again.stdout and "Seed pages created: 0" in again.stdout
    assert (instance / "ticketwiki.sqlite").exists()


def test_user_create_with_password_from_stdin(instance):
    ok = run(instance, "user", "create", "carol", "--role", "customer", "--account", "Acme", "--email",
             "carol@example.test", "--password-stdin", stdin="Sup3r-secret!\n")
    assert "Created customer 'Carol'" in ok.stdout
    weak = run(instance, "user", "create", "weak", "--role", "staff", "--password-stdin", stdin="short\n",
               check=False)
    assert weak.returncode != 0 and "at least 8 characters" in weak.stderr
    dup = run(instance, "user", "create", "Carol", "--role", "staff", check=False)
    assert dup.returncode != 0 and "already exists" in dup.stderr
    role = run(instance, "user", "create", "x", "--role", "boss", check=False)
    assert role.returncode != 0 and "boss" in role.stderr


def test_apikey_create_prints_a_working_key(instance):
    run(instance, "user", "create", "bot", "--role", "staff")
    token = run(instance, "apikey", "create", "bot", "--scope", "write", "--expires", "2099-12-31").stdout.strip()
    assert token.startswith("tw_")
    assert run(instance, "apikey", "create", "nobody", check=False).returncode != 0
    past = run(instance, "apikey", "create", "bot", "--expires", "2001-01-01", check=False)
    assert past.returncode != 0 and "past" in past.stderr
    bad = run(instance, "apikey", "create", "bot", "--expires", "soon", check=False)
    assert bad.returncode != 0 and "not a date" in bad.stderr


def test_db_upgrade_is_idempotent(instance):
    assert "up to date" in run(instance, "db", "upgrade").stdout


def _serve(instance, port: int, *args: str) -> subprocess.Popen:
    env = {**os.environ, "TICKETWIKI_INSTANCE": str(instance), "PYTHONPATH": ROOT}
    return subprocess.Popen([sys.executable, "-m", "wiki", "serve", "--port", str(port), *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _answers(proc: subprocess.Popen, url: str, count: int = 1) -> set[int]:
    """The status codes of ``count`` requests, once the server answers at all."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return {requests.get(url, timeout=30).status_code for _ in range(count)}
        except requests.ConnectionError:
            assert time.monotonic() < deadline and proc.poll() is None, "server did not start"
            time.sleep(0.3)


def _stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    return proc.communicate(timeout=30)[0]


def test_serve_answers_over_http(instance):
    run(instance, "user", "create", "server bot", "--role", "staff")
    token = run(instance, "apikey", "create", "server bot", "--scope", "write").stdout.strip()
    port = free_port()
    proc = _serve(instance, port)
    try:
        base = f"http://127.0.0.1:{port}"
        assert _answers(proc, f"{base}/wiki/Main_Page") == {200}
        assert "Welcome to ticketwiki" in requests.get(f"{base}/wiki/Main_Page", timeout=5).text
        put = requests.put(f"{base}/api/v1/pages/Help:Served", json={"text": "over HTTP"},
                           headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert put.status_code == 201, put.text
        assert "over HTTP" in requests.get(f"{base}/wiki/Help:Served", timeout=5).text
    finally:
        _stop(proc)


def test_serve_with_several_processes(instance):
    port = free_port()
    proc = _serve(instance, port, "--workers", "2", "--threads", "2")
    try:
        statuses = _answers(proc, f"http://127.0.0.1:{port}/wiki/Main_Page", count=10)
    finally:
        output = _stop(proc)
    assert statuses == {200}
    assert "2 processes x 2 threads" in output and "Booting worker" in output


def _control_socket_binds(folder) -> list[str]:
    """What the gunicorn listening on the instance's control socket is bound to."""
    path = control_socket(str(folder))
    deadline = time.monotonic() + 10
    while not path.exists():
        assert time.monotonic() < deadline, f"no control socket at {path}"
        time.sleep(0.1)
    with ControlClient(str(path), timeout=10) as client:
        return client.send_command("show config")["bind"]


def test_two_servers_with_workers_keep_their_own_control_sockets(instance, tmp_path):
    other = tmp_path / "other"
    run(other, "init")
    folders, ports = (instance, other), (free_port(), free_port())
    servers = [_serve(folder, port, "--workers", "2", "--threads", "2") for folder, port in zip(folders, ports)]
    try:
        for proc, port in zip(servers, ports):
            assert _answers(proc, f"http://127.0.0.1:{port}/wiki/Main_Page") == {200}
        for folder, port in zip(folders, ports):
            assert _control_socket_binds(folder) == [f"127.0.0.1:{port}"]
        _stop(servers[1])
        # stopping one server leaves the other's control socket in place
        assert _control_socket_binds(instance) == [f"127.0.0.1:{ports[0]}"]
        assert _answers(servers[0], f"http://127.0.0.1:{ports[0]}/wiki/Main_Page") == {200}
    finally:
        for proc in servers:
            if proc.poll() is None:
                _stop(proc)
