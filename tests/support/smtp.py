"""A real SMTP server on 127.0.0.1 that keeps the mail it receives.

    with SmtpSink() as sink:
        app_config["SMTP_URL"] = sink.url          # smtp://127.0.0.1:PORT
        ...                                         # the code under test sends mail
        [msg] = sink.wait_for(1)
        assert msg.message["Subject"] == "Ticket opened"
        assert msg.rcpt_tos == ["alice@example.test"]

``sink.stop()`` closes the port (connections are then refused), to test how the
code behaves when its mail server is down; ``sink.fail_with("451 4.3.0 ...")``
keeps it up but makes it refuse every message with that reply.
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from . import free_port

__all__ = ["ReceivedMessage", "SmtpSink", "smtp_sink"]


@dataclass(frozen=True)
class ReceivedMessage:
    """One message as the server received it."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes = field(repr=False)

    @property
    def subject(self) -> str | None:
        return self.message["Subject"]

    def text(self) -> str:
        """The text/plain body (or the only body), decoded."""
        part = self.message.get_body(preferencelist=("plain", "html"))
        return (part or self.message).get_content()


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        failure = self._sink._failure
        if failure:
            return failure
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self._sink._add(
            ReceivedMessage(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                message=message,  # type: ignore[arg-type]
                raw=raw,
            )
        )
        return "250 Message accepted for delivery"


class SmtpSink:
    """aiosmtpd server on 127.0.0.1, on a free port, collecting messages."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port
        self._messages: list[ReceivedMessage] = []
        self._cond = threading.Condition()
        self._failure: str | None = None
        self._controller: Controller | None = None

    # -- life cycle -------------------------------------------------------
    def start(self) -> SmtpSink:
        if self._controller is not None:
            return self
        attempts = 1 if self.port else 5
        last_error: Exception | None = None
        for _ in range(attempts):
            port = self.port or free_port(self.host)
            controller = Controller(
                _Handler(self),
                hostname=self.host,
                port=port,
                # no getfqdn(): DNS look-ups stall on a machine without network
                server_hostname="sink.localhost",
                ready_timeout=10,
            )
            try:
                controller.start()
            except Exception as exc:  # port taken between free_port() and bind
                last_error = exc
                continue
            self._controller = controller
            self.port = port
            return self
        raise RuntimeError(f"could not start the SMTP sink: {last_error}")

    def stop(self) -> None:
        """Stop listening; later connections to :attr:`url` are refused."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    @property
    def running(self) -> bool:
        return self._controller is not None

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- addresses --------------------------------------------------------
    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("SmtpSink not started")
        return f"smtp://{self.host}:{self.port}"

    # -- failures ---------------------------------------------------------
    def fail_with(self, reply: str | None = "451 4.3.0 Temporary failure (test)") -> None:
        """Answer every DATA with ``reply`` (an SMTP reply line); None to heal."""
        self._failure = reply

    # -- received mail ----------------------------------------------------
    def _add(self, message: ReceivedMessage) -> None:
        with self._cond:
            self._messages.append(message)
            self._cond.notify_all()

    @property
    def messages(self) -> list[ReceivedMessage]:
        """A copy of the messages received so far, oldest first."""
        with self._cond:
            return list(self._messages)

    def clear(self) -> None:
        with self._cond:
            self._messages.clear()

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[ReceivedMessage]:
        """Wait until at least ``count`` messages arrived; return them all.

        Raises ``TimeoutError`` naming how many arrived when time runs out.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"SMTP sink got {len(self._messages)} message(s) within "
                        f"{timeout}s, expected {count}"
                    )
                self._cond.wait(remaining)
            return list(self._messages)

    def __iter__(self) -> Iterator[ReceivedMessage]:
        return iter(self.messages)

    def __len__(self) -> int:
        with self._cond:
            return len(self._messages)


try:
    import pytest
except ImportError:  # pragma: no cover
    pass
else:

    @pytest.fixture
    def smtp_sink() -> Iterator[SmtpSink]:
        """A running :class:`SmtpSink`, stopped after the test."""
        with SmtpSink() as sink:
            yield sink
