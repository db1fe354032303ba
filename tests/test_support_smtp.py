"""SmtpSink: a real SMTP server on loopback, exercised with smtplib."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest

from tests.support.smtp import SmtpSink, smtp_sink  # noqa: F401 (fixture)


def _message(subject: str, to: list[str], body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "desk@example.test"
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg.set_content(body)
    return msg


def _send(sink: SmtpSink, msg: EmailMessage) -> None:
    with smtplib.SMTP(sink.host, sink.port, timeout=10) as client:
        client.send_message(msg)


def test_receives_a_real_message(smtp_sink: SmtpSink) -> None:
    assert smtp_sink.url == f"smtp://127.0.0.1:{smtp_sink.port}"
    _send(
        smtp_sink,
        _message("Ticket opened: printer jam", ["alice@example.test", "bob@example.test"],
                 "Your ticket Ticket:42 was opened.\nÜmlaut and € survive.\n"),
    )
    [received] = smtp_sink.wait_for(1, timeout=10)
    assert received.mail_from == "desk@example.test"
    assert received.rcpt_tos == ["alice@example.test", "bob@example.test"]
    assert received.subject == "Ticket opened: printer jam"
    assert received.message["To"] == "alice@example.test, bob@example.test"
    assert "Ümlaut and € survive." in received.text()
    assert b"Subject: Ticket opened: printer jam" in received.raw


def test_collects_in_order_and_clears(smtp_sink: SmtpSink) -> None:
    for i in range(3):
        _send(smtp_sink, _message(f"n{i}", ["c@example.test"], f"body {i}"))
    received = smtp_sink.wait_for(3)
    assert [m.subject for m in received] == ["n0", "n1", "n2"]
    assert len(smtp_sink) == 3
    smtp_sink.clear()
    assert smtp_sink.messages == []


def test_wait_for_times_out_with_a_clear_message(smtp_sink: SmtpSink) -> None:
    with pytest.raises(TimeoutError, match="got 0 message"):
        smtp_sink.wait_for(1, timeout=0.2)


def test_fail_with_rejects_messages(smtp_sink: SmtpSink) -> None:
    smtp_sink.fail_with("451 4.3.0 Try again later")
    with pytest.raises(smtplib.SMTPDataError) as info:
        _send(smtp_sink, _message("x", ["c@example.test"], "x"))
    assert info.value.smtp_code == 451
    assert smtp_sink.messages == []
    smtp_sink.fail_with(None)
    _send(smtp_sink, _message("y", ["c@example.test"], "y"))
    assert [m.subject for m in smtp_sink.wait_for(1)] == ["y"]


def test_stopped_sink_refuses_connections() -> None:
    sink = SmtpSink().start()
    port = sink.port
    sink.stop()
    assert not sink.running
    assert sink.url == f"smtp://127.0.0.1:{port}"
    with pytest.raises(OSError):
        smtplib.SMTP("127.0.0.1", port, timeout=5)
    sink.stop()  # stopping twice is harmless
