"""The notification feed mailed: a loop that, every ``interval``, raises the user keys' expiry
warnings and mails what the feed has not mailed yet (``deliver_notifications``) to each license's
addresses (its credentials' ``notify_emails``, else the default ones). The compliance worker
runs it beside its consumer; without a mail server configured it does not run.

A round that fails (the database away, the mail server down) is logged and tried again next
round: a notification is marked mailed only once the server took it, so nothing is lost and,
short of a crash between the hand-over and the mark, nothing is mailed twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from compliance.service_layer import CredentialsService, ServiceContext, deliver_notifications
from compliance.service_layer.ports import Mailer

__all__ = ["mail_notifications", "mail_round"]

log = logging.getLogger(__name__)


async def mail_round(
    ctx: ServiceContext, mailer: Mailer, *, default_recipients: Sequence[str] = ()
) -> int:
    """One round: the expiry warnings raised, the feed's unmailed notifications mailed; returns
    how many were mailed."""
    await CredentialsService(ctx).warn_expiring()
    return await deliver_notifications(ctx, mailer, default_recipients=default_recipients)


async def mail_notifications(
    ctx: ServiceContext,
    mailer: Mailer,
    stop: asyncio.Event,
    *,
    interval: float,
    default_recipients: Sequence[str] = (),
) -> None:
    while not stop.is_set():
        try:
            mailed = await mail_round(ctx, mailer, default_recipients=default_recipients)
            if mailed:
                log.info("compliance notifications mailed", extra={"mailed": mailed})
        except Exception:
            log.exception("mailing the compliance notifications failed; trying again later")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
