"""Deciding from what Metrc shows whether a write with an unknown outcome was applied."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from compliance.domain import (
    AdjustPackage,
    ChangeLocation,
    CreatePackage,
    FinishPackage,
    Intent,
    LinkPackage,
    MetrcPackageView,
    OpeningBalance,
    ProblemCode,
    ReadBack,
    SentAs,
    Submission,
    UnfinishPackage,
    Verdict,
    decide,
    intent_marker,
    metrc_note,
)

SENT_AT = datetime(2026, 3, 2, 17, tzinfo=UTC)
WAIT = timedelta(minutes=3)
LATER = SENT_AT + WAIT
TAG = "1A4FF0100000022000000001"


def in_flight(intent: Intent, **sent: object) -> Submission:
    s = Submission.new(
        id=uuid4(),
        sequence=1,
        license_number="L",
        site_id=uuid4(),
        batch_id=uuid4(),
        intent=intent,
        now=SENT_AT,
        actor="u",
    )
    return s.send(SENT_AT, sent_as=SentAs(tag=TAG, **sent))  # type: ignore[arg-type]


def package(**changes: object) -> MetrcPackageView:
    base = MetrcPackageView(
        id=41, label=TAG, quantity=Decimal(100), original_quantity=Decimal(100), unit="Grams",
        item="Blue Dream 3.5g", location="Vault", finished=False,
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


CREATE = CreatePackage(
    quantity=Decimal(100), unit="Grams", product_id="p", product_name="Blue Dream 3.5g",
    location_id=None, source=OpeningBalance(), date=date(2026, 3, 2),
)  # fmt: skip
ADJUST = AdjustPackage(
    quantity=Decimal(-5), unit="Grams", cause="LOST", note="count", date=date(2026, 3, 2)
)


class TestWaitingLongEnough:
    @pytest.mark.parametrize("seen", [ReadBack(package=None), ReadBack(package=package())])
    def test_before_metrc_can_no_longer_apply_the_write_the_answer_is_always_too_early(
        self, seen: ReadBack
    ) -> None:
        s = in_flight(CREATE, item="Blue Dream 3.5g", unit="Grams")
        assert (
            decide(s, seen, now=LATER - timedelta(seconds=1), wait=WAIT).verdict
            is Verdict.TOO_EARLY
        )

    def test_a_write_not_in_flight_is_never_decided(self) -> None:
        s = in_flight(CREATE).accept(SENT_AT)
        assert decide(s, ReadBack(package=None), now=LATER, wait=WAIT).verdict is Verdict.TOO_EARLY


class TestCreates:
    def test_the_package_under_the_tag_means_the_create_was_applied(self) -> None:
        decision = decide(
            in_flight(CREATE, item="blue dream 3.5G", unit="Grams"),
            ReadBack(package=package()),
            now=LATER,
            wait=WAIT,
        )
        assert (decision.verdict, decision.metrc_ids) == (Verdict.APPLIED, (41,))

    def test_the_package_later_adjusted_still_counts_by_its_original_quantity(self) -> None:
        seen = ReadBack(package=package(quantity=Decimal(3)))
        assert (
            decide(in_flight(CREATE, unit="Grams"), seen, now=LATER, wait=WAIT).verdict
            is Verdict.APPLIED
        )

    def test_no_package_under_the_tag_means_sending_it_again_is_safe(self) -> None:
        assert (
            decide(in_flight(CREATE), ReadBack(package=None), now=LATER, wait=WAIT).verdict
            is Verdict.NOT_APPLIED
        )

    @pytest.mark.parametrize(
        ("changes", "said"),
        [
            ({"original_quantity": Decimal(99)}, "created with 99"),
            ({"unit": "Ounces"}, "unit is Ounces"),
            ({"item": "Other"}, "item is Other"),
        ],
    )
    def test_a_different_package_under_the_tag_is_a_conflict_for_a_person(
        self, changes: dict[str, object], said: str
    ) -> None:
        decision = decide(
            in_flight(CREATE, item="Blue Dream 3.5g", unit="Grams"),
            ReadBack(package=package(**changes)),
            now=LATER,
            wait=WAIT,
        )
        assert decision.verdict is Verdict.CONFLICT
        assert decision.problem is not None
        assert decision.problem.code is ProblemCode.PACKAGE_CONFLICT
        assert said in decision.problem.message


class TestAdjustments:
    def test_an_adjustment_is_recognised_by_the_marker_in_its_note(self) -> None:
        s = in_flight(ADJUST)
        note = metrc_note("count", s.id)
        assert note == f"count [{intent_marker(s.id)}]"
        seen = ReadBack(package=None, adjustment_notes=[None, "other", note])
        assert decide(s, seen, now=LATER, wait=WAIT).verdict is Verdict.APPLIED

    def test_same_day_adjustments_of_other_intents_do_not_count(self) -> None:
        s = in_flight(ADJUST)
        seen = ReadBack(package=None, adjustment_notes=[metrc_note("count", uuid4()), None])
        assert decide(s, seen, now=LATER, wait=WAIT).verdict is Verdict.NOT_APPLIED

    def test_a_note_without_text_is_just_the_marker(self) -> None:
        s = in_flight(ADJUST)
        assert metrc_note(None, s.id) == metrc_note("  ", s.id) == f"[canopy:{s.id}]"


class TestStateChanges:
    @pytest.mark.parametrize(
        ("intent", "sent", "shown", "verdict"),
        [
            (
                ChangeLocation(location_id="back", date=date(2026, 3, 2)),
                {"location": "Back Room"},
                {"location": "back room"},
                Verdict.APPLIED,
            ),
            (
                ChangeLocation(location_id="back", date=date(2026, 3, 2)),
                {"location": "Back Room"},
                {"location": "Vault"},
                Verdict.NOT_APPLIED,
            ),
            (FinishPackage(date=date(2026, 3, 2)), {}, {"finished": True}, Verdict.APPLIED),
            (FinishPackage(date=date(2026, 3, 2)), {}, {"finished": False}, Verdict.NOT_APPLIED),
            (UnfinishPackage(), {}, {"finished": False}, Verdict.APPLIED),
            (UnfinishPackage(), {}, {"finished": True}, Verdict.NOT_APPLIED),
        ],
    )
    def test_the_package_shows_whether_the_change_landed(
        self, intent: Intent, sent: dict[str, object], shown: dict[str, object], verdict: Verdict
    ) -> None:
        assert (
            decide(
                in_flight(intent, **sent), ReadBack(package=package(**shown)), now=LATER, wait=WAIT
            ).verdict
            is verdict
        )

    def test_a_link_is_a_read_and_is_always_checked_again(self) -> None:
        link = LinkPackage(quantity=Decimal(1), unit="Grams", product_id="p", product_name="P")
        assert (
            decide(in_flight(link), ReadBack(package=package()), now=LATER, wait=WAIT).verdict
            is Verdict.NOT_APPLIED
        )
