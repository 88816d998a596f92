"""The planner turns what happened to a batch into the Metrc writes that mirror it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from compliance.domain import (
    AdjustPackage,
    BatchChange,
    ChangeLocation,
    CreatePackage,
    FinishPackage,
    FromBatches,
    FromHarvest,
    Ingredient,
    IngredientDraw,
    JurisdictionRules,
    LedgerEntry,
    LinkPackage,
    LinkState,
    OpeningBalance,
    PackageLink,
    ProblemCode,
    Program,
    ReceivedByTransfer,
    TransferOut,
    UnfinishPackage,
    plan_batch_change,
    plan_manual_push,
    validate_rules,
)
from compliance.testing import LICENSE, BatchScript, ManualClock, colorado_rules

SITE = uuid4()
TAG = "1A4FF0100000022000000001"


def rules(**changes: object) -> JurisdictionRules:
    base = colorado_rules(
        SITE,
        LICENSE,
        location_map={"vault": "Vault", "back": "Back Room"},
        allow_opening_balance=True,
    )
    return validate_rules(replace(base, **changes))  # type: ignore[arg-type]


def batch(**kwargs: object) -> BatchScript:
    kwargs.setdefault("tag", TAG)
    kwargs.setdefault("source", OpeningBalance())
    # 02:30 UTC on March 3rd is still March 2nd in Denver.
    return BatchScript(
        site_id=SITE,
        code="B-1",
        clock=ManualClock(datetime(2026, 3, 3, 2, 30, tzinfo=UTC)),
        **kwargs,
    )  # type: ignore[arg-type]


def tracked(script: BatchScript, site_rules: JurisdictionRules | None = None) -> PackageLink:
    plan = plan_batch_change(script.created("100"), None, site_rules or rules())
    return plan.link


class TestNewBatches:
    def test_an_opening_balance_becomes_one_create_of_the_intake_quantity_dated_in_the_facility_time_zone(
        self,
    ) -> None:
        plan = plan_batch_change(batch().created("100"), None, rules())
        assert plan.link.state is LinkState.PENDING
        assert plan.link.tag == TAG
        assert plan.intents == (
            CreatePackage(
                quantity=Decimal("100"),
                unit="Grams",
                product_id="product-1",
                product_name="Blue Dream 3.5g",
                location_id=None,
                source=OpeningBalance(),
                date=date(2026, 3, 2),
            ),
        )
        assert plan.link_changed

    def test_a_batch_received_by_transfer_is_linked_not_created(self) -> None:
        plan = plan_batch_change(
            batch(source=ReceivedByTransfer("0000012345")).created("40"), None, rules()
        )
        assert plan.intents == (
            LinkPackage(
                quantity=Decimal("40"),
                unit="Grams",
                product_id="product-1",
                product_name="Blue Dream 3.5g",
            ),
        )

    def test_a_batch_made_from_other_batches_is_created_from_their_packages(self) -> None:
        source = FromBatches(
            (Ingredient(uuid4(), Decimal("30")), Ingredient(uuid4(), Decimal("10")))
        )
        plan = plan_batch_change(batch(source=source).created("40"), None, rules())
        (create,) = plan.intents
        assert isinstance(create, CreatePackage)
        assert create.source == source

    def test_the_package_starts_where_most_of_the_batch_is_when_locations_are_tracked(self) -> None:
        plan = plan_batch_change(
            batch().created("10", location="back"), None, rules(track_locations=True)
        )
        (create,) = plan.intents
        assert isinstance(create, CreatePackage)
        assert create.location_id == "back"
        assert plan.link.planned is not None
        assert plan.link.planned.location_id == "back"

    def test_an_opening_balance_where_the_facility_may_not_create_one_waits_for_a_person(
        self,
    ) -> None:
        plan = plan_batch_change(batch().created("100"), None, rules(allow_opening_balance=False))
        assert plan.intents == ()
        assert plan.link.state is LinkState.UNLINKED
        assert [n.code for n in plan.notes] == [ProblemCode.OPENING_BALANCE_NOT_ALLOWED]
        assert "may not create" in plan.notes[0].message

    def test_a_batch_without_a_source_is_not_pushed_and_says_why(self) -> None:
        plan = plan_batch_change(batch(source=None).created("100"), None, rules())
        assert plan.intents == ()
        assert plan.link.state is LinkState.UNLINKED
        assert plan.notes[0].code is ProblemCode.SOURCE_REQUIRED
        assert plan.notes[0].guidance

    def test_a_batch_packaged_from_a_harvest_is_created_from_the_harvests_weight(self) -> None:
        harvest = FromHarvest(str(uuid4()), "Harvest 1")
        plan = plan_batch_change(batch(source=harvest).created("453.5924"), None, rules())
        (create,) = plan.intents
        assert isinstance(create, CreatePackage)
        assert (create.source, create.quantity) == (harvest, Decimal("453.5924"))
        assert plan.link.state is LinkState.PENDING


class TestSitesWithoutMetrc:
    @pytest.mark.parametrize(
        ("site_rules", "why"),
        [
            (None, "no jurisdiction rules"),
            (rules(program=Program.HEMP, require_metrc_id=False), "hemp is not tracked"),
            (rules(require_metrc_id=False), "does not require Metrc ids"),
        ],
    )
    def test_a_site_without_metrc_pushes_nothing_and_says_so(
        self, site_rules: JurisdictionRules | None, why: str
    ) -> None:
        script = batch()
        plan = plan_batch_change(script.created("100"), None, site_rules)
        assert plan.intents == ()
        assert plan.link.state is LinkState.NOT_TRACKED
        assert plan.notes[0].code is ProblemCode.SITE_NOT_METRC
        assert why in plan.notes[0].message
        later = plan_batch_change(script.adjust("-5"), plan.link, site_rules)
        assert later.intents == ()
        assert later.notes == ()  # said once, not on every change
        assert later.link.batch.physical == Decimal("95")

    def test_a_tracked_batch_whose_site_stops_pushing_keeps_its_link_and_plans_nothing(
        self,
    ) -> None:
        script = batch()
        link = tracked(script)
        plan = plan_batch_change(script.adjust("-5"), link, rules(require_metrc_id=False))
        assert plan.intents == ()
        assert plan.link.state is LinkState.PENDING
        assert plan.notes[0].code is ProblemCode.SITE_NOT_METRC

    def test_a_batch_created_before_its_site_pushed_waits_for_a_manual_push(self) -> None:
        script = batch()
        plan = plan_batch_change(script.created("100"), None, None)
        later = plan_batch_change(script.adjust("-5"), plan.link, rules())
        assert later.intents == ()
        assert later.link.state is LinkState.UNLINKED
        assert later.notes[0].code is ProblemCode.NEEDS_MANUAL_PUSH

    def test_changes_to_a_batch_compliance_never_saw_created_wait_for_a_manual_push(self) -> None:
        script = batch()
        script.created("100")
        plan = plan_batch_change(script.adjust("-5"), None, rules())
        assert plan.intents == ()
        assert plan.link.state is LinkState.UNLINKED
        assert plan.notes[0].code is ProblemCode.NEEDS_MANUAL_PUSH


class TestQuantityChanges:
    def test_every_change_of_physical_quantity_becomes_an_adjustment_with_its_cause_and_note(
        self,
    ) -> None:
        script = batch()
        link = tracked(script)
        plan = plan_batch_change(
            script.adjust("-2.5", "COUNT_DISCREPANCY", "cycle count"), link, rules()
        )
        assert plan.intents == (
            AdjustPackage(
                quantity=Decimal("-2.5"),
                unit="Grams",
                cause="COUNT_DISCREPANCY",
                note="cycle count",
                date=date(2026, 3, 2),
            ),
        )
        for change, cause in (
            (script.dispose("1", "DAMAGED"), "DAMAGED"),
            (script.sample("1"), "SAMPLE"),
            (script.give_back("3"), "RETURN"),
        ):
            link = plan.link
            plan = plan_batch_change(change, link, rules())
            (adjust,) = plan.intents
            assert isinstance(adjust, AdjustPackage)
            assert adjust.cause == cause
        assert plan.link.planned is not None
        assert plan.link.planned.quantity == script.physical == Decimal("98.5")

    def test_moves_between_buckets_change_nothing_in_metrc(self) -> None:
        script = batch()
        plan = plan_batch_change(script.created("100"), None, rules())
        for change in (
            script.go_live(),
            script.marked_defective("5"),
            script.quarantined(),
            script.released(),
        ):
            plan = plan_batch_change(change, plan.link, rules())
            assert plan.intents == ()
        assert plan.link.planned is not None
        assert plan.link.planned.quantity == Decimal("100") == script.physical

    def test_adjusting_a_quarantined_batch_adjusts_its_package(self) -> None:
        script = batch()
        plan = plan_batch_change(script.created("100"), None, rules())
        plan = plan_batch_change(script.quarantined(), plan.link, rules())
        plan = plan_batch_change(script.adjust("-4", "QUALITY_ISSUE"), plan.link, rules())
        (adjust,) = plan.intents
        assert isinstance(adjust, AdjustPackage)
        assert adjust.quantity == Decimal("-4")

    def test_a_sale_is_not_an_adjustment_it_waits_for_a_transfer_manifest(self) -> None:
        script = batch()
        link = tracked(script)
        plan = plan_batch_change(script.sell("10", "SO-9"), link, rules())
        assert plan.intents == (
            TransferOut(quantity=Decimal("10"), reference_type="ORDER", reference_id="SO-9"),
        )

    def test_stock_that_went_into_another_batch_is_a_draw_not_an_adjustment(self) -> None:
        script = batch()
        into = uuid4()
        link = tracked(script)
        plan = plan_batch_change(script.consumed("30", into), link, rules())
        assert plan.intents == (IngredientDraw(into_batch_id=into, quantity=Decimal("30")),)

    def test_increases_are_planned_before_decreases_so_metrc_never_dips_below_zero(self) -> None:
        script = batch()
        link = tracked(script)
        script.version += 1
        script.on_hand += Decimal("5")
        change = BatchChange(
            batch=script.facts(),
            entries=(
                LedgerEntry(
                    batch_version=script.version,
                    sequence=0,
                    bucket="ON_HAND",
                    type="ADJUSTMENT",
                    change=Decimal("-100"),
                    reason="LOST",
                ),
                LedgerEntry(
                    batch_version=script.version,
                    sequence=1,
                    bucket="ON_HAND",
                    type="RETURN",
                    change=Decimal("105"),
                ),
            ),
            created=False,
            occurred_at=datetime(2026, 3, 2, 18, tzinfo=UTC),
            actor="user-1",
        )
        plan = plan_batch_change(change, link, rules())
        assert [(i.cause, i.quantity) for i in plan.intents if isinstance(i, AdjustPackage)] == [
            ("RETURN", Decimal("105")),
            ("LOST", Decimal("-100")),
        ]


class TestLocations:
    def test_the_package_follows_the_bulk_of_the_batch_not_every_move(self) -> None:
        script = batch()
        site = rules(track_locations=True)
        plan = plan_batch_change(script.created("100"), None, site)
        plan = plan_batch_change(script.move("40", "back"), plan.link, site)
        assert plan.intents == ()  # 60 stay in the vault
        plan = plan_batch_change(script.move("20", "back"), plan.link, site)
        assert plan.intents == (ChangeLocation(location_id="back", date=date(2026, 3, 2)),)

    def test_moves_are_not_pushed_when_the_site_does_not_track_locations(self) -> None:
        script = batch()
        link = tracked(script)
        plan = plan_batch_change(script.move("100", "back"), link, rules())
        assert plan.intents == ()


class TestFinishing:
    def test_reaching_zero_finishes_the_package_and_stock_coming_back_unfinishes_it_first(
        self,
    ) -> None:
        script = batch()
        link = tracked(script)
        plan = plan_batch_change(script.adjust("-100", "LOST"), link, rules())
        assert [type(i) for i in plan.intents] == [AdjustPackage, FinishPackage]
        plan = plan_batch_change(script.give_back("5"), plan.link, rules())
        assert [type(i) for i in plan.intents] == [UnfinishPackage, AdjustPackage]
        assert plan.link.planned is not None
        assert plan.link.planned.finished is False

    def test_selling_out_finishes_after_the_sale(self) -> None:
        script = batch()
        link = tracked(script)
        plan = plan_batch_change(script.sell("100"), link, rules())
        assert [type(i) for i in plan.intents] == [TransferOut, FinishPackage]
        plan = plan_batch_change(script.sold_out(), plan.link, rules())
        assert plan.intents == ()


class TestDeliveredTwiceOrLate:
    def test_a_change_delivered_twice_is_planned_once(self) -> None:
        script = batch()
        change = script.adjust("-5")
        link = tracked(batch())
        first = plan_batch_change(change, replace(link, batch_id=script.batch_id), rules())
        again = plan_batch_change(change, first.link, rules())
        assert again.intents == ()
        assert again.link == first.link

    def test_a_change_older_than_what_compliance_has_is_ignored(self) -> None:
        script = batch()
        link = tracked(script)
        old = script.adjust("-1")
        newer = plan_batch_change(script.adjust("-1"), link, rules())
        assert plan_batch_change(old, newer.link, rules()).intents == ()

    def test_a_missed_change_is_reported_as_drift_at_the_next_change_never_invented(self) -> None:
        script = batch()
        link = tracked(script)
        script.adjust("-7")  # never delivered
        plan = plan_batch_change(script.adjust("-1"), link, rules())
        assert plan.notes == ()  # a version may come in several events: judged when it is over
        plan = plan_batch_change(script.adjust("-2"), plan.link, rules())
        assert [n.code for n in plan.notes] == [ProblemCode.QUANTITY_DRIFT]
        assert "add up to 99" in plan.notes[0].message
        assert "held 92" in plan.notes[0].message
        assert [i.quantity for i in plan.intents if isinstance(i, AdjustPackage)] == [Decimal("-2")]

    def test_a_version_written_in_several_events_is_not_drift(self) -> None:
        script = batch()
        link = tracked(script)
        script.version += 1
        script.on_hand -= Decimal("3")
        rows = [
            LedgerEntry(
                batch_version=script.version,
                sequence=0,
                bucket="ON_HAND",
                type="ADJUSTMENT",
                change=Decimal("-1"),
                reason="LOST",
            ),
            LedgerEntry(
                batch_version=script.version,
                sequence=1,
                bucket="ON_HAND",
                type="DISPOSAL",
                change=Decimal("-2"),
                reason="DAMAGED",
            ),
        ]
        at = datetime(2026, 3, 2, 18, tzinfo=UTC)
        for row in rows:  # one event per row, both carrying the batch as it is after both
            change = BatchChange(
                batch=script.facts(), entries=(row,), created=False, occurred_at=at, actor="u"
            )
            plan = plan_batch_change(change, link, rules())
            assert plan.notes == ()
            link = plan.link
        assert plan_batch_change(script.adjust("-1"), link, rules()).notes == ()


class TestTags:
    def test_a_new_tag_before_the_package_exists_replaces_the_old_one(self) -> None:
        script = batch(tag=None)
        link = tracked(script)
        plan = plan_batch_change(script.retagged(TAG), link, rules())
        assert plan.link.tag == TAG
        assert plan.link_changed

    def test_a_new_tag_after_the_package_exists_is_refused(self) -> None:
        script = batch()
        link = tracked(script).linked(datetime(2026, 3, 2, tzinfo=UTC), metrc_package_id=7)
        plan = plan_batch_change(script.retagged("1A4FF0100000022000000099"), link, rules())
        assert plan.link.tag == TAG
        assert plan.notes[0].code is ProblemCode.TAG_CHANGE_AFTER_LINK


class TestManualPush:
    def test_a_batch_not_in_metrc_enters_with_its_current_quantity_as_an_opening_balance(
        self,
    ) -> None:
        script = batch(source=FromBatches((Ingredient(uuid4(), Decimal(1)),)))
        link = plan_batch_change(script.created("100"), None, None).link
        link = plan_batch_change(script.adjust("-10"), link, rules()).link
        plan = plan_manual_push(link, rules(), datetime(2026, 3, 4, 18, tzinfo=UTC))
        (create,) = plan.intents
        assert isinstance(create, CreatePackage)
        assert create.source == OpeningBalance()
        assert create.quantity == Decimal("90")
        assert create.date == date(2026, 3, 4)
        assert plan.link.state is LinkState.PENDING

    def test_a_batch_received_by_transfer_is_linked_by_a_manual_push(self) -> None:
        script = batch(source=ReceivedByTransfer())
        link = plan_batch_change(script.created("100"), None, None).link
        (intent,) = plan_manual_push(link, rules(), datetime(2026, 3, 4, tzinfo=UTC)).intents
        assert isinstance(intent, LinkPackage)

    def test_a_manual_push_is_refused_where_opening_balances_are_not_allowed(self) -> None:
        link = plan_batch_change(batch().created("100"), None, None).link
        plan = plan_manual_push(
            link, rules(allow_opening_balance=False), datetime(2026, 3, 4, tzinfo=UTC)
        )
        assert plan.intents == ()
        assert plan.notes[0].code is ProblemCode.OPENING_BALANCE_NOT_ALLOWED

    def test_an_empty_batch_has_nothing_to_push(self) -> None:
        script = batch()
        link = plan_batch_change(script.created("5"), None, None).link
        link = plan_batch_change(script.adjust("-5"), link, None).link
        plan = plan_manual_push(link, rules(), datetime(2026, 3, 4, tzinfo=UTC))
        assert plan.intents == ()
        assert plan.notes[0].code is ProblemCode.QUANTITY_NOT_POSITIVE

    def test_a_tracked_batch_plans_nothing_new(self) -> None:
        script = batch()
        assert (
            plan_manual_push(tracked(script), rules(), datetime(2026, 3, 4, tzinfo=UTC)).intents
            == ()
        )
