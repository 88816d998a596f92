"""Who is calling: the verified identity from the gateway's token and the request id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from shared.events import Actor
from shared.identity import ALL_SITES, Identity

from inventory.service_layer.errors import NotFoundError, SiteAccessDeniedError

__all__ = ["Caller", "utc_now"]


class _OfASite(Protocol):
    @property
    def site_id(self) -> str | None: ...


R = TypeVar("R", bound=_OfASite)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Caller:
    identity: Identity
    request_id: str | None = None

    @property
    def actor(self) -> str:
        """The identity's subject: what the ledger and the audit log record as the actor."""
        return self.identity.subject

    @property
    def actor_name(self) -> str | None:
        """The caller's display name as the gateway forwards it in the identity token (a
        user's display name, an API key's name); stored next to the id on every ledger and
        audit row, so a read never has to ask the gateway who an id was."""
        return self.identity.display_name

    @property
    def event_actor(self) -> Actor:
        return Actor(
            id=self.identity.subject,
            kind=self.identity.kind,
            display_name=self.identity.display_name,
        )

    @property
    def all_sites(self) -> bool:
        return ALL_SITES in self.identity.sites

    @property
    def site_ids(self) -> tuple[str, ...]:
        """Granted site ids (meaningless when :attr:`all_sites`)."""
        return tuple(site for site in self.identity.sites if site != ALL_SITES)

    def can_access_site(self, site_id: str) -> bool:
        return self.identity.can_access_site(str(site_id))

    def require_site(self, site_id: str) -> None:
        if not self.can_access_site(site_id):
            raise SiteAccessDeniedError(str(site_id))

    def visible(self, record: R | None, what: str, ident: object) -> R:
        """``record`` if there is one and the caller may see its site; else NOT_FOUND for
        ``what`` ``ident``: a record of a site the caller may not see (or of no site, such as
        an incoming transfer to a license no site holds) does not exist for it."""
        if record is None or record.site_id is None or not self.can_access_site(record.site_id):
            raise NotFoundError(what, str(ident))
        return record
