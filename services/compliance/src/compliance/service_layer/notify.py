"""Mailing the notification feed to each license's addresses (the feed stays readable over the
API whatever happens to the mail)."""

from __future__ import annotations

from collections.abc import Sequence

from compliance.domain import Notification
from compliance.service_layer.context import ServiceContext
from compliance.service_layer.ports import MailDeliveryError, Mailer

__all__ = ["deliver_notifications", "render"]


def render(n: Notification) -> tuple[str, str]:
    """Subject and plain-text body of a notification's email."""
    lines = [n.message, "", "What to do:", n.guidance]
    if n.license_number:
        lines += ["", f"License: {n.license_number}"]
    return f"[Canopy compliance] {n.title}", "\n".join(lines)


async def deliver_notifications(
    ctx: ServiceContext,
    mailer: Mailer,
    *,
    default_recipients: Sequence[str] = (),
    limit: int = 50,
) -> int:
    """Mail up to ``limit`` notifications not mailed yet; returns how many were mailed. One that
    has nobody to go to (no addresses for its license, no default) is marked done unmailed; one
    the mail server refuses is tried again next time."""
    async with ctx.uow() as uow:
        pending = await uow.notifications.undelivered(limit)
        recipients: dict[str | None, tuple[str, ...]] = {}
        for n in pending:
            if n.license_number not in recipients:
                record = await uow.credentials.get(n.license_number) if n.license_number else None
                recipients[n.license_number] = (
                    record.notify_emails
                    if record and record.notify_emails
                    else tuple(default_recipients)
                )
    sent = 0
    for n in pending:
        to = recipients[n.license_number]
        if to:
            subject, body = render(n)
            try:
                await mailer.send(to=to, subject=subject, body=body)
            except MailDeliveryError:
                continue
            sent += 1
        async with ctx.uow() as uow:
            await uow.notifications.mark_emailed(n.id, ctx.now())
            await uow.commit()
    return sent
