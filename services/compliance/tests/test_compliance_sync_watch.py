"""The sync watch's rules (pure) and its notifications (over the in-memory unit of work): when a
burst of pushes has settled, when a pull is stale, when a backlog grows; a notification once
per episode, resolved when the license is healthy again; and the guidance sync health gives a
pull's last failure."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from compliance.domain import GUIDANCE, NotificationKind, ProblemCode, SubmissionKind
from compliance.domain.mirror import SyncType
from compliance.domain.sync_watch import (
    AcceptedPushes,
    BacklogRule,
    BacklogSample,
    BacklogState,
    BurstRule,
    StaleRule,
    backlog_state,
    settled_burst,
    stale_types,
    touched_types,
)
from compliance.service_layer.mirror_ports import RateBudget
from compliance.service_layer.sync_health import LicenseHealthReport, TypeHealth, failure_guidance
from compliance.service_layer.sync_watch import SyncAlerts, WatchPolicy
from compliance.testing import LICENSE, START, ComplianceHarness

NOW = START
RULE = BurstRule(min_accepted=5, quiet=timedelta(seconds=30))


def pushes(kind: SubmissionKind, count: int, seconds_ago: float) -> AcceptedPushes:
    return AcceptedPushes(kind, count, NOW - timedelta(seconds=seconds_ago))


class TestABurstOfPushesSettles:
    def test_enough_accepted_pushes_then_a_quiet_period_pull_the_types_they_touched(
        self,
    ) -> None:
        accepted = [
            pushes(SubmissionKind.CREATE_PACKAGE, 3, 120),
            pushes(SubmissionKind.ADJUST_PACKAGE, 2, 31),
        ]
        assert settled_burst(accepted, RULE, NOW) == (SyncType.PACKAGES, SyncType.ADJUSTMENTS)

    def test_creates_and_moves_alone_pull_only_packages(self) -> None:
        accepted = [
            pushes(SubmissionKind.CREATE_PACKAGE, 4, 60),
            pushes(SubmissionKind.CHANGE_LOCATION, 1, 60),
        ]
        assert settled_burst(accepted, RULE, NOW) == (SyncType.PACKAGES,)

    def test_a_burst_still_going_waits_for_its_quiet_period(self) -> None:
        accepted = [pushes(SubmissionKind.ADJUST_PACKAGE, 50, 29)]
        assert settled_burst(accepted, RULE, NOW) == ()
        assert settled_burst(accepted, RULE, NOW + timedelta(seconds=1)) != ()

    def test_fewer_pushes_than_a_burst_pull_nothing(self) -> None:
        accepted = [pushes(SubmissionKind.ADJUST_PACKAGE, 4, 600)]
        assert settled_burst(accepted, RULE, NOW) == ()

    def test_links_are_reads_of_metrc_and_do_not_count(self) -> None:
        accepted = [
            pushes(SubmissionKind.LINK_PACKAGE, 10, 600),
            pushes(SubmissionKind.CREATE_PACKAGE, 4, 600),
        ]
        assert touched_types(SubmissionKind.LINK_PACKAGE) == ()
        assert settled_burst(accepted, RULE, NOW) == ()

    def test_a_burst_needs_at_least_one_push(self) -> None:
        with pytest.raises(ValueError, match="min_accepted"):
            BurstRule(min_accepted=0)


class TestAStalePull:
    def test_the_threshold_is_a_few_of_the_license_s_intervals(self) -> None:
        rule = StaleRule(stale_factor=3, unscheduled_stale=timedelta(hours=24))
        assert rule.threshold(600) == timedelta(minutes=30)
        assert rule.threshold(0) == timedelta(hours=24)

    def test_types_whose_last_success_is_older_than_the_threshold_are_stale(self) -> None:
        last = {
            SyncType.PACKAGES: NOW - timedelta(minutes=31),
            SyncType.ITEMS: NOW - timedelta(minutes=29),
            SyncType.TAGS: None,
        }
        found = stale_types(
            last, timedelta(minutes=30), now=NOW, known_since=NOW - timedelta(minutes=5)
        )
        assert found == (SyncType.PACKAGES,)

    def test_a_type_never_pulled_is_stale_once_the_keys_are_older_than_the_threshold(
        self,
    ) -> None:
        last = {SyncType.TAGS: None}
        old_keys = NOW - timedelta(hours=2)
        assert stale_types(last, timedelta(hours=1), now=NOW, known_since=old_keys) == (
            SyncType.TAGS,
        )
        assert stale_types(last, timedelta(hours=1), now=NOW, known_since=None) == ()


def sample(minute: int, waiting: int, oldest_minute: int | None = 0) -> BacklogSample:
    at = NOW + timedelta(minutes=minute)
    oldest = None if oldest_minute is None else NOW + timedelta(minutes=oldest_minute)
    return BacklogSample(at=at, waiting=waiting, oldest_waiting_at=oldest)


BACKLOG = BacklogRule(size=10, age=timedelta(minutes=30), checks=3)


class TestABacklogGrows:
    def test_over_the_size_at_every_check_and_rising_is_growing(self) -> None:
        samples = [sample(0, 11, 0), sample(1, 15, 0), sample(2, 20, 0)]
        assert backlog_state(samples, BACKLOG) is BacklogState.GROWING

    def test_a_queue_that_sits_with_the_same_oldest_write_is_growing_too(self) -> None:
        samples = [sample(40, 3, 0), sample(41, 3, 0), sample(42, 3, 0)]
        assert backlog_state(samples, BACKLOG) is BacklogState.GROWING

    def test_a_large_queue_that_drains_is_only_over(self) -> None:
        # The oldest waiting write moves on: the queue is being sent.
        samples = [sample(0, 30, 0), sample(1, 30, 1), sample(2, 28, 2)]
        assert backlog_state(samples, BACKLOG) is BacklogState.OVER

    def test_one_check_over_is_not_yet_growing(self) -> None:
        assert backlog_state([sample(0, 2, 0), sample(1, 50, 0)], BACKLOG) is BacklogState.OVER

    def test_under_both_thresholds_is_healthy(self) -> None:
        samples = [sample(0, 50, 0), sample(1, 60, 0), sample(2, 5, 1)]
        assert backlog_state(samples, BACKLOG) is BacklogState.HEALTHY
        assert backlog_state([], BACKLOG) is BacklogState.HEALTHY

    def test_growth_is_judged_across_at_least_two_checks(self) -> None:
        with pytest.raises(ValueError, match="checks"):
            BacklogRule(checks=1)


async def report(
    h: ComplianceHarness, *, waiting: int = 0, oldest_minutes: int | None = None, **kw: object
) -> LicenseHealthReport:
    """The license's health as ``SyncHealth`` reports it, with the alerts open in the feed."""
    now = h.clock.now()
    async with h.ctx.uow() as uow:
        alerts = await uow.notifications.recent(license_number=LICENSE, open_only=True)
    base = LicenseHealthReport(
        license_number=LICENSE,
        as_of=now,
        queue_waiting=waiting,
        queue_in_flight=0,
        queue_stopped=0,
        oldest_waiting_age=None if oldest_minutes is None else timedelta(minutes=oldest_minutes),
        push_failures={},
        pull_failures={},
        types=tuple(
            TypeHealth(t, now - timedelta(hours=3), 10, last_error_code="METRC_UNAVAILABLE")
            for t in SyncType
        ),
        runs_open=0,
        oldest_open_run_age=None,
        budget=RateBudget(0, 3000, 0, 0),
        key_status="VALID",
        key_expires_at=None,
        key_expires_in=None,
        stale_after=timedelta(minutes=30),
        alerts=tuple(alerts),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


class TestAPullFailureIsGuided:
    def test_a_problem_code_gets_the_guidance_the_sync_log_gives_it(self) -> None:
        for code in (ProblemCode.CREDENTIALS_MISSING, ProblemCode.METRC_UNAVAILABLE):
            assert failure_guidance(code.value) == GUIDANCE[code]

    def test_a_refused_key_gets_the_guidance_of_the_invalid_keys_entry_it_is_logged_as(
        self,
    ) -> None:
        health = TypeHealth(SyncType.PACKAGES, None, 0, last_error_code="KEY_OR_PERMISSION")
        assert health.last_error_guidance == GUIDANCE[ProblemCode.CREDENTIALS_INVALID]

    @pytest.mark.parametrize(
        "code", ["RATE_LIMITED", "NOT_AVAILABLE_IN_STATE", "UNEXPECTED_RESPONSE", None]
    )
    def test_a_failure_the_guide_says_nothing_about_gets_none(self, code: str | None) -> None:
        assert failure_guidance(code) is None


def open_alerts(h: ComplianceHarness, kind: NotificationKind) -> list[object]:
    return [n for n in h.db.notifications.values() if n.kind is kind and n.resolved_at is None]


def all_alerts(h: ComplianceHarness, kind: NotificationKind) -> list[object]:
    return [n for n in h.db.notifications.values() if n.kind is kind]


class TestNotificationsOncePerEpisode:
    async def test_a_stale_pull_raises_one_notification_until_the_pull_is_fresh_again(
        self,
    ) -> None:
        h = ComplianceHarness()
        alerts = SyncAlerts(h.ctx)
        stale = (SyncType.PACKAGES, SyncType.ADJUSTMENTS)
        for _ in range(5):
            await alerts.observe(await report(h, stale_types=stale))
            h.clock.advance(timedelta(seconds=5))
        (note,) = all_alerts(h, NotificationKind.PULL_STALE)
        assert "packages (last complete pull" in note.message  # type: ignore[attr-defined]
        assert "last error METRC_UNAVAILABLE" in note.message  # type: ignore[attr-defined]
        assert "Sync with Metrc" in note.guidance  # type: ignore[attr-defined]

        await alerts.observe(await report(h))
        assert open_alerts(h, NotificationKind.PULL_STALE) == []
        await alerts.observe(await report(h, stale_types=stale))
        assert len(all_alerts(h, NotificationKind.PULL_STALE)) == 2  # a new episode

    async def test_a_growing_backlog_raises_one_notification_and_is_resolved_when_healthy(
        self,
    ) -> None:
        h = ComplianceHarness()
        policy = WatchPolicy(backlog=BacklogRule(size=10, age=timedelta(minutes=30), checks=3))
        alerts = SyncAlerts(h.ctx, policy)
        for waiting in (11, 12):
            await alerts.observe(await report(h, waiting=waiting, oldest_minutes=5))
            h.clock.advance(timedelta(seconds=5))
        assert all_alerts(h, NotificationKind.BACKLOG_GROWING) == []  # two checks: not yet
        for waiting in (13, 14, 20):
            await alerts.observe(await report(h, waiting=waiting, oldest_minutes=5))
            h.clock.advance(timedelta(seconds=5))
        (note,) = all_alerts(h, NotificationKind.BACKLOG_GROWING)
        assert "13 pushes are waiting" in note.message  # type: ignore[attr-defined]

        # Draining but still over: the episode goes on, nothing new, nothing resolved.
        await alerts.observe(await report(h, waiting=12, oldest_minutes=1))
        assert len(open_alerts(h, NotificationKind.BACKLOG_GROWING)) == 1
        await alerts.observe(await report(h, waiting=2, oldest_minutes=1))
        assert open_alerts(h, NotificationKind.BACKLOG_GROWING) == []
        assert len(all_alerts(h, NotificationKind.BACKLOG_GROWING)) == 1
