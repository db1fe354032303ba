"""LiveServer: a tiny Flask app served on loopback, fetched with requests."""

from __future__ import annotations

import threading

import pytest
import requests
from flask import Flask, request

from tests.support.live_server import LiveServer


def _app() -> Flask:
    app = Flask("live_server_test")
    gate = threading.Event()

    @app.get("/hello")
    def hello():
        return {"hello": request.args.get("name", "world")}

    @app.post("/echo")
    def echo():
        return request.get_data(as_text=True), 201

    @app.get("/wait")
    def wait():
        # answered only once /release came in: proves requests run in threads
        return {"released": gate.wait(5)}

    @app.get("/release")
    def release():
        gate.set()
        return {"ok": True}

    return app


def test_serves_real_http_on_loopback() -> None:
    with LiveServer(_app()) as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.port > 0
        response = requests.get(server.url + "/hello", params={"name": "Zoë"}, timeout=10)
        assert response.status_code == 200
        assert response.json() == {"hello": "Zoë"}
        posted = requests.post(server.url + "/echo", data="ping", timeout=10)
        assert (posted.status_code, posted.text) == (201, "ping")
        assert requests.get(server.url + "/missing", timeout=10).status_code == 404


def test_handles_concurrent_requests() -> None:
    with LiveServer(_app()) as server:
        result: dict = {}
        waiter = threading.Thread(
            target=lambda: result.update(requests.get(server.url + "/wait", timeout=10).json())
        )
        waiter.start()
        requests.get(server.url + "/release", timeout=10).raise_for_status()
        waiter.join(10)
        assert result == {"released": True}


def test_stop_closes_the_port() -> None:
    server = LiveServer(_app()).start()
    url = server.url
    server.stop()
    assert not server.running
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/hello", timeout=5)
    server.stop()  # stopping twice is harmless
