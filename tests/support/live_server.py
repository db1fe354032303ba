"""Serve a WSGI app on 127.0.0.1 in a background thread, for real HTTP.

    with LiveServer(app) as server:
        requests.get(server.url + "/wiki/Main_Page")
"""

from __future__ import annotations

import threading

from werkzeug.serving import BaseWSGIServer, make_server

__all__ = ["LiveServer"]


class LiveServer:
    """A werkzeug server (threaded) for ``app`` on 127.0.0.1 and a free port."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> LiveServer:
        if self._server is not None:
            return self
        # make_server binds and listens at once, so the URL works as soon as
        # this returns; requests that come before the loop starts just queue.
        server = make_server(self.host, self.port, self.app, threaded=True)
        self.port = server.server_port
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"LiveServer:{self.port}",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self, timeout: float = 10.0) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        if not self.port:
            raise RuntimeError("LiveServer not started")
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
