"""The notification feed mailed over SMTP, against a local SMTP sink (aiosmtpd): each
notification once, to its license's addresses, with the guide's guidance; a mail server that is
down, refuses, or cannot do the TLS asked for loses nothing: the notification is mailed later."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from compliance.adapters.smtp_mailer import SmtpMailer
from compliance.config import ComplianceSettings, SmtpSecurity
from compliance.entrypoints.notify import mail_notifications, mail_round
from compliance.service_layer.ports import MailDeliveryError
from compliance.testing import LICENSE, ComplianceHarness
from shared.testing.log_audit import register_secret
from shared.testing.processes import free_port

SMTP_PASSWORD = "smtp-password-3f9a1c"


class Sink:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_sink():
    sink = Sink()
    port = free_port()
    register_secret(SMTP_PASSWORD)
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def _mailer(port: int, **kwargs) -> SmtpMailer:
    options = {"security": SmtpSecurity.NONE, "sender": "compliance@canopy.test", **kwargs}
    return SmtpMailer(host="127.0.0.1", port=port, timeout=5, **options)


async def _one_round(h: ComplianceHarness, mailer, **kwargs) -> None:
    await mail_round(h.ctx, mailer, **kwargs)


class TestSmtpMailer:
    async def test_a_message_reaches_the_server_with_its_subject_body_and_recipients(
        self, smtp_sink
    ):
        sink, port = smtp_sink
        await _mailer(port).send(to=["a@example.com", "b@example.com"], subject="S", body="B\n")
        ((rcpt, message),) = sink.messages
        assert rcpt == ["a@example.com", "b@example.com"]
        assert message["Subject"] == "S"
        assert message["From"] == "compliance@canopy.test"
        assert message.get_content().strip() == "B"

    async def test_it_logs_in_when_given_a_user_and_a_wrong_password_is_a_delivery_error(
        self, smtp_sink
    ):
        sink, port = smtp_sink
        from pydantic import SecretStr

        good = _mailer(port, username="canopy", password=SecretStr(SMTP_PASSWORD))
        await good.send(to=["a@example.com"], subject="S", body="B")
        assert len(sink.messages) == 1
        bad = _mailer(port, username="canopy", password=SecretStr("wrong-password-0000"))
        with pytest.raises(MailDeliveryError) as refused:
            await bad.send(to=["a@example.com"], subject="S", body="B")
        assert SMTP_PASSWORD not in str(refused.value)
        assert "wrong-password" not in str(refused.value)
        assert len(sink.messages) == 1

    async def test_starttls_asked_of_a_server_without_it_sends_nothing_in_clear(self, smtp_sink):
        sink, port = smtp_sink
        with pytest.raises(MailDeliveryError):
            await _mailer(port, security=SmtpSecurity.STARTTLS).send(
                to=["a@example.com"], subject="S", body="B"
            )
        assert sink.messages == []

    async def test_a_server_that_is_down_is_a_delivery_error(self):
        with pytest.raises(MailDeliveryError) as down:
            await _mailer(free_port()).send(to=["a@example.com"], subject="S", body="B")
        assert "did not take the message" in str(down.value)

    def test_the_settings_name_the_server_and_the_default_addresses(self):
        settings = ComplianceSettings(
            COMPLIANCE_SMTP_HOST="mail.example.com",
            COMPLIANCE_SMTP_SECURITY="tls",
            COMPLIANCE_NOTIFY_DEFAULT_EMAILS=" ops@example.com, ,qa@example.com",
        )
        assert settings.smtp_security is SmtpSecurity.TLS
        assert settings.default_recipients == ("ops@example.com", "qa@example.com")
        assert ComplianceSettings().smtp_host is None


class TestTheFeedByMail:
    async def test_each_notification_is_mailed_once_to_its_licenses_addresses(self, smtp_sink):
        sink, port = smtp_sink
        h = ComplianceHarness()
        await h.save_keys(user="USER-KEY-0000000000000000")  # refused: KEY_INVALID
        await _one_round(h, _mailer(port))
        ((rcpt, message),) = sink.messages
        assert rcpt == ["compliance@example.com"]  # the license's notify_emails
        assert str(message["Subject"]).strip().startswith("[Canopy compliance]")
        text = message.get_content()
        assert "What to do:" in text
        assert f"License: {LICENSE}" in text
        assert "USER-KEY-0000000000000000" not in text
        assert all(n.emailed_at is not None for n in h.db.notifications.values())
        await _one_round(h, _mailer(port))
        assert len(sink.messages) == 1

    async def test_a_notification_without_addresses_goes_to_the_default_ones(self, smtp_sink):
        sink, port = smtp_sink
        h = ComplianceHarness()
        b = h.batch(tag=h.tags[0])  # no keys, no source: BATCH_NOT_PUSHED, no license addresses
        await h.record(b.created("5"))
        await _one_round(h, _mailer(port), default_recipients=("ops@example.com",))
        assert sink.messages
        assert {tuple(rcpt) for rcpt, _ in sink.messages} == {("ops@example.com",)}

    async def test_nothing_is_lost_while_the_mail_server_is_down(self, smtp_sink):
        sink, port = smtp_sink
        h = ComplianceHarness()
        await h.save_keys(user="USER-KEY-0000000000000000")
        await _one_round(h, _mailer(free_port()))  # nobody listens there
        assert [n.emailed_at for n in h.db.notifications.values()] == [None]
        await _one_round(h, _mailer(port))
        assert len(sink.messages) == 1
        assert all(n.emailed_at is not None for n in h.db.notifications.values())

    async def test_the_worker_loop_mails_round_after_round_until_it_is_stopped(self, smtp_sink):
        sink, port = smtp_sink
        h = ComplianceHarness()
        stop = asyncio.Event()
        loop = asyncio.create_task(mail_notifications(h.ctx, _mailer(port), stop, interval=0.05))
        await h.save_keys(user="USER-KEY-0000000000000000")  # raised while the loop runs
        for _ in range(600):
            if sink.messages:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(loop, 10)
        assert len(sink.messages) == 1

    async def test_a_user_key_near_its_expiry_is_warned_about_by_mail(self, smtp_sink):
        sink, port = smtp_sink
        h = ComplianceHarness()
        await h.save_keys()
        h.clock.advance(timedelta(days=340))
        await _one_round(h, _mailer(port))
        subjects = [m["Subject"] for _, m in sink.messages]
        assert any("expires soon" in s for s in subjects), subjects
