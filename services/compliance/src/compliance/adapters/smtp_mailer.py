"""``Mailer`` over SMTP (the standard library's client, run in a thread): plain, STARTTLS or
implicit TLS, with optional login. A message the server does not take raises
``MailDeliveryError`` naming the kind of failure only (never the password, never the body), so
the feed tries it again next round."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import Sequence
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from pydantic import SecretStr

from compliance.config import SmtpSecurity
from compliance.service_layer.ports import MailDeliveryError

__all__ = ["SmtpMailer"]


class SmtpMailer:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        security: SmtpSecurity = SmtpSecurity.STARTTLS,
        username: str | None = None,
        password: SecretStr | None = None,
        timeout: float = 10.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._security = security
        self._username = username
        self._password = password
        self._timeout = timeout
        self._tls = tls_context

    def __repr__(self) -> str:
        return f"SmtpMailer({self._host}:{self._port}, {self._security.value})"

    async def send(self, *, to: Sequence[str], subject: str, body: str) -> None:
        message = EmailMessage(policy=policy.SMTP)
        message["From"] = self._sender
        message["To"] = ", ".join(to)
        message["Subject"] = subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(domain=self._sender.rpartition("@")[2] or None)
        message.set_content(body)
        try:
            await asyncio.to_thread(self._deliver, message, list(to))
        except (smtplib.SMTPException, OSError, ssl.SSLError) as error:
            raise MailDeliveryError(
                f"The mail server {self._host}:{self._port} did not take the message "
                f"({type(error).__name__})"
            ) from None

    def _deliver(self, message: EmailMessage, to: list[str]) -> None:
        context = self._tls or ssl.create_default_context()
        smtp: smtplib.SMTP
        if self._security is SmtpSecurity.TLS:
            smtp = smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout, context=context)
        else:
            smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        with smtp:
            if self._security is SmtpSecurity.STARTTLS:
                smtp.starttls(context=context)
            if self._username and self._password is not None:
                smtp.login(self._username, self._password.get_secret_value())
            refused = smtp.send_message(message, from_addr=self._sender, to_addrs=to)
        if refused and len(refused) == len(to):
            raise smtplib.SMTPRecipientsRefused(refused)
