"""Jurisdiction rules are checked against the facility's Metrc before they are stored; the
notification feed is mailed to each license's addresses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest
from compliance.domain import InvalidRulesError, NotificationKind, OpeningBalance, Program
from compliance.service_layer import SaveRules, deliver_notifications
from compliance.service_layer.ports import MailDeliveryError
from compliance.testing import REASONS, ComplianceHarness


class TestRules:
    async def test_rules_naming_what_metrc_lists_are_stored_checked(self) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        saved = await h.rules_service.save(
            SaveRules(rules=replace(h.rules, unit_map={"g": "grams"}), actor="admin")
        )
        assert saved.checked_against_metrc
        assert h.db.rules[h.site_id].unit_map == {"g": "grams"}
        assert h.db.rules[h.site_id].updated_by == "admin"

    async def test_a_reason_the_states_metrc_does_not_have_is_refused_and_nothing_is_stored(
        self,
    ) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        with pytest.raises(InvalidRulesError) as raised:
            await h.rules_service.save(
                SaveRules(
                    rules=replace(h.rules, reason_map={**REASONS, "THEFT": "Stolen"}), actor="admin"
                )
            )
        (violation,) = raised.value.violations
        assert violation.field == "reason_map.THEFT"
        assert "is not a Metrc reason here (API Related Error, Drying," in violation.message
        assert h.db.rules[h.site_id].reason_map["THEFT"] == "Theft"

    async def test_rules_are_stored_unchecked_when_metrc_cannot_be_asked_and_say_why(self) -> None:
        h = ComplianceHarness()  # no keys saved
        saved = await h.rules_service.save(SaveRules(rules=h.rules, actor="admin"))
        assert not saved.checked_against_metrc
        assert saved.unchecked_because is not None
        assert "no Metrc API keys" in saved.unchecked_because

    async def test_malformed_rules_are_refused_before_metrc_is_asked(self) -> None:
        h = ComplianceHarness()
        with pytest.raises(InvalidRulesError):
            await h.rules_service.save(
                SaveRules(rules=replace(h.rules, state="Colorado"), actor="admin")
            )
        assert h.connector.connections == []

    async def test_a_site_without_metrc_needs_no_check(self) -> None:
        h = ComplianceHarness()
        hemp = replace(h.rules, program=Program.HEMP, require_metrc_id=False)
        saved = await h.rules_service.save(SaveRules(rules=hemp, actor="admin"))
        assert not saved.checked_against_metrc
        assert saved.unchecked_because is None


class Mailbox:
    def __init__(self, *, refuse: int = 0) -> None:
        self.sent: list[tuple[tuple[str, ...], str, str]] = []
        self.refuse = refuse

    async def send(self, *, to: Sequence[str], subject: str, body: str) -> None:
        if self.refuse:
            self.refuse -= 1
            raise MailDeliveryError("421 try again later")
        self.sent.append((tuple(to), subject, body))


class TestFeed:
    async def test_notifications_are_mailed_once_to_the_licenses_addresses(self) -> None:
        h = ComplianceHarness()
        await h.save_keys(user="USER-KEY-that-metrc-does-not-know")
        mailbox = Mailbox()
        assert await deliver_notifications(h.ctx, mailbox) == 1
        ((to, subject, body),) = mailbox.sent
        assert to == ("compliance@example.com",)
        assert subject.startswith("[Canopy compliance] Invalid Metrc credentials")
        assert "What to do:" in body
        assert "Admin > Compliance > API Keys" in body
        assert await deliver_notifications(h.ctx, mailbox) == 0

    async def test_a_refused_mail_is_tried_again_and_the_feed_keeps_it(self) -> None:
        h = ComplianceHarness()
        await h.save_keys(user="USER-KEY-that-metrc-does-not-know")
        mailbox = Mailbox(refuse=1)
        assert await deliver_notifications(h.ctx, mailbox) == 0
        assert await deliver_notifications(h.ctx, mailbox) == 1
        async with h.db.uow() as uow:
            (feed,) = await uow.notifications.recent(open_only=True)
        assert feed.kind is NotificationKind.KEY_INVALID
        assert feed.emailed_at is not None

    async def test_a_notification_with_nobody_to_mail_goes_to_the_default_addresses(self) -> None:
        h = ComplianceHarness()
        mailbox = Mailbox()
        await h.pusher.push_due()  # nothing due: nothing raised
        await h.record(h.batch(tag=h.tags[0], source=OpeningBalance()).created("1"))
        await h.pusher.push_due()  # no keys: the team is told
        assert (
            await deliver_notifications(h.ctx, mailbox, default_recipients=["ops@example.com"]) == 1
        )
        assert mailbox.sent[0][0] == ("ops@example.com",)
