"""The guide's validation before a push, with stable codes and the guide's guidance; the rules
as data; the backoff policy."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from compliance.domain import (
    GUIDANCE,
    AdjustPackage,
    AdjustReasonInfo,
    ChangeLocation,
    CreatePackage,
    FromBatches,
    Ingredient,
    Intent,
    InvalidRulesError,
    JurisdictionRules,
    LinkPackage,
    LinkState,
    MetrcCatalog,
    MetrcPackageView,
    OpeningBalance,
    PackageLink,
    PlannedPackage,
    Problem,
    ProblemCode,
    Program,
    PushPolicy,
    SentAs,
    SentIngredient,
    Submission,
    check_arrived_package,
    check_rules_against_catalog,
    plan_batch_change,
    prepare,
    problem_from_metrc_message,
    validate_rules,
)
from compliance.testing import LICENSE, REASONS, BatchScript

SITE = uuid4()
TAG = "1A4FF0100000022000000001"
# 17:00 UTC = 10:00 in Denver on March 2nd.
NOW = datetime(2026, 3, 2, 17, tzinfo=UTC)
TODAY = date(2026, 3, 2)

RULES = validate_rules(
    JurisdictionRules(
        site_id=SITE,
        state="co",
        program=Program.CANNABIS,
        require_metrc_id=True,
        metrc_base_url="https://sandbox-api-co.metrc.com/",
        license_number=f" {LICENSE} ",
        time_zone="America/Denver",
        reason_map=dict(REASONS),
        unit_map={"g": "Grams"},
        item_map={"product-2": "Pre-Roll"},
        location_map={"vault": "Vault"},
        allow_opening_balance=True,
    )
)
CATALOG = MetrcCatalog(
    items=("Blue Dream 3.5g", "Pre-Roll"),
    units=("Grams", "Each"),
    reasons=(
        AdjustReasonInfo("Entry Error"),
        AdjustReasonInfo("Theft", requires_note=True),
        AdjustReasonInfo("Waste"),
    ),
    locations=("Vault",),
    fetched_at=NOW,
)


def link(**changes: object) -> PackageLink:
    script = BatchScript(site_id=SITE, code="B-1", tag=TAG, source=OpeningBalance())
    base = plan_batch_change(script.created("100"), None, RULES).link
    return replace(base, **changes)  # type: ignore[arg-type]


def submission(intent: Intent) -> Submission:
    return Submission.new(
        id=uuid4(),
        sequence=1,
        license_number=LICENSE,
        site_id=SITE,
        batch_id=uuid4(),
        intent=intent,
        now=NOW,
        actor="u",
    )


def create(**changes: object) -> CreatePackage:
    base = CreatePackage(
        quantity=Decimal(100), unit="g", product_id="product-1", product_name="Blue Dream 3.5g",
        location_id=None, source=OpeningBalance(), date=TODAY,
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def adjust(**changes: object) -> AdjustPackage:
    base = AdjustPackage(quantity=Decimal(-5), unit="Grams", cause="LOST", note="count", date=TODAY)
    return replace(base, **changes)  # type: ignore[arg-type]


def check(
    intent: Intent,
    *,
    tag: str | None = TAG,
    owner: object = None,
    sources: dict[object, PackageLink] | None = None,
    rules: JurisdictionRules = RULES,
    now: datetime = NOW,
) -> SentAs | list[Problem]:
    s = submission(intent)
    return prepare(
        s,
        link=link(),
        rules=rules,
        catalog=CATALOG,
        tag=tag,
        tag_owner=owner,
        sources=sources or {},
        now=now,
    )  # type: ignore[arg-type]


def codes(result: SentAs | list[Problem]) -> list[ProblemCode]:
    assert isinstance(result, list), result
    return [p.code for p in result]


class TestPackageCreation:
    def test_a_valid_create_resolves_metrcs_names(self) -> None:
        sent = check(create())
        assert sent == SentAs(tag=TAG, item="Blue Dream 3.5g", unit="Grams")

    def test_every_problem_is_reported_at_once_with_the_guides_guidance(self) -> None:
        result = check(
            create(
                quantity=Decimal(0),
                unit="Stone",
                product_name="Unknown",
                date=TODAY + timedelta(days=2),
            ),
            tag="1A4-short",
        )
        assert codes(result) == [
            ProblemCode.TAG_INVALID,
            ProblemCode.ITEM_NOT_FOUND,
            ProblemCode.UNIT_INVALID,
            ProblemCode.QUANTITY_NOT_POSITIVE,
            ProblemCode.DATE_IN_FUTURE,
        ]
        assert isinstance(result, list)
        assert all(p.guidance == GUIDANCE[p.code] for p in result)
        assert "24 alphanumeric characters" in result[0].guidance

    def test_no_tag_is_the_guides_package_tag_not_available(self) -> None:
        (error,) = check(create(), tag=None)  # type: ignore[misc]
        assert error.code is ProblemCode.TAG_NOT_AVAILABLE
        assert "Obtain Metrc tags from the state" in error.guidance

    @pytest.mark.parametrize(
        "tag",
        [
            "1a4ff0100000022000000001",
            "1A4FF010000002200000000",
            "1A4FF01000000220000000012",
            "1A4FF0100000022 00000001",
        ],
    )
    def test_a_tag_is_24_uppercase_alphanumeric_characters(self, tag: str) -> None:
        assert codes(check(create(), tag=tag)) == [ProblemCode.TAG_INVALID]

    def test_a_tag_held_by_another_batch_is_refused(self) -> None:
        assert codes(check(create(), owner=uuid4())) == [ProblemCode.TAG_IN_USE]

    def test_an_opening_balance_is_refused_where_the_rules_no_longer_allow_it(self) -> None:
        assert codes(check(create(), rules=replace(RULES, allow_opening_balance=False))) == [
            ProblemCode.OPENING_BALANCE_NOT_ALLOWED
        ]

    def test_a_product_mapped_to_a_metrc_item_uses_that_item(self) -> None:
        sent = check(create(product_id="product-2", product_name="Joint"))
        assert isinstance(sent, SentAs)
        assert sent.item == "Pre-Roll"

    def test_a_location_must_be_mapped_to_one_metrc_lists(self) -> None:
        sent = check(create(location_id="vault"))
        assert isinstance(sent, SentAs)
        assert sent.location == "Vault"
        assert codes(check(create(location_id="garage"))) == [ProblemCode.LOCATION_NOT_MAPPED]

    def test_ingredients_come_from_the_sources_packages_in_their_units(self) -> None:
        source_id = uuid4()
        source = link(batch_id=source_id, state=LinkState.LINKED, tag="1A4FF0100000022000000009")
        recipe = FromBatches((Ingredient(source_id, Decimal("2.5")),))
        sent = check(create(source=recipe), sources={source_id: source})
        assert isinstance(sent, SentAs)
        assert sent.ingredients == (
            SentIngredient(tag="1A4FF0100000022000000009", quantity=Decimal("2.5"), unit="Grams"),
        )

    def test_a_source_not_in_metrc_stops_the_create(self) -> None:
        source_id = uuid4()
        recipe = FromBatches((Ingredient(source_id, Decimal(1)),))
        assert codes(check(create(source=recipe))) == [ProblemCode.INGREDIENT_NOT_LINKED]
        pending = link(batch_id=source_id, state=LinkState.PENDING)
        assert codes(check(create(source=recipe), sources={source_id: pending})) == [
            ProblemCode.INGREDIENT_NOT_LINKED
        ]


class TestDates:
    def test_dates_are_judged_in_the_facilitys_time_zone(self) -> None:
        # 03:00 UTC on March 3rd is still March 2nd in Denver: March 3rd is in the future there.
        early = datetime(2026, 3, 3, 3, tzinfo=UTC)
        assert isinstance(check(create(date=TODAY), now=early), SentAs)
        assert codes(check(create(date=date(2026, 3, 3)), now=early)) == [
            ProblemCode.DATE_IN_FUTURE
        ]

    def test_a_date_only_ahead_because_clocks_disagree_waits_for_the_date(self) -> None:
        # 06:55 UTC = 23:55 in Denver: tomorrow starts in five minutes.
        just_before = datetime(2026, 3, 3, 6, 55, tzinfo=UTC)
        (error,) = check(create(date=date(2026, 3, 3)), now=just_before)  # type: ignore[misc]
        assert error.code is ProblemCode.DATE_IN_FUTURE
        assert error.retry_at == datetime(2026, 3, 3, 7, tzinfo=UTC)
        (far,) = check(create(date=date(2026, 3, 5)), now=just_before)  # type: ignore[misc]
        assert far.retry_at is None


class TestAdjustments:
    def test_an_adjustment_carries_the_mapped_reason_and_its_intent_marker(self) -> None:
        s = submission(adjust())
        sent = prepare(
            s,
            link=link(),
            rules=RULES,
            catalog=CATALOG,
            tag=TAG,
            tag_owner=None,
            sources={},
            now=NOW,
        )
        assert isinstance(sent, SentAs)
        assert (sent.reason, sent.unit) == ("Theft", "Grams")
        assert sent.note == f"count [canopy:{s.id}]"

    def test_a_cause_without_a_reason_is_the_guides_reason_required(self) -> None:
        rules = replace(RULES, reason_map={k: v for k, v in REASONS.items() if k != "LOST"})
        (error,) = check(adjust(), rules=rules)  # type: ignore[misc]
        assert error.code is ProblemCode.REASON_REQUIRED
        assert "No Metrc adjustment reason is mapped for LOST" in error.message

    def test_a_reason_the_state_does_not_have_is_refused(self) -> None:
        rules = replace(RULES, reason_map={**REASONS, "LOST": "Vanished"})
        (error,) = check(adjust(), rules=rules)  # type: ignore[misc]
        assert error.code is ProblemCode.REASON_REQUIRED
        assert "'Vanished'" in error.message

    def test_a_move_needs_a_mapped_location(self) -> None:
        assert codes(check(ChangeLocation(location_id="garage", date=TODAY))) == [
            ProblemCode.LOCATION_NOT_MAPPED
        ]


class TestTransferredPackages:
    LINK = LinkPackage(
        quantity=Decimal(40), unit="Grams", product_id="product-1", product_name="Blue Dream 3.5g"
    )
    SENT = SentAs(tag=TAG, item="Blue Dream 3.5g", unit="Grams")
    PACKAGE = MetrcPackageView(
        id=9, label=TAG, quantity=Decimal(40), original_quantity=Decimal(50), unit="Grams",
        item="Blue Dream 3.5g", location=None, finished=False,
    )  # fmt: skip

    def test_the_arrived_package_is_linked_when_item_unit_and_quantity_agree(self) -> None:
        assert check_arrived_package(submission(self.LINK), self.SENT, self.PACKAGE) is None

    def test_a_package_not_yet_received_in_metrc_is_reported_with_what_to_do(self) -> None:
        error = check_arrived_package(submission(self.LINK), self.SENT, None)
        assert error is not None
        assert error.code is ProblemCode.PACKAGE_NOT_RECEIVED
        assert "Receive the transfer in Metrc" in error.guidance

    def test_every_difference_is_named(self) -> None:
        package = replace(self.PACKAGE, quantity=Decimal(39), unit="Ounces")
        error = check_arrived_package(submission(self.LINK), self.SENT, package)
        assert error is not None
        assert error.code is ProblemCode.LINK_MISMATCH
        assert "unit Ounces (batch: Grams)" in error.message
        assert "quantity 39 (batch: 40)" in error.message

    def test_the_shippers_item_is_linked_whatever_the_receiver_names_the_product(self) -> None:
        package = replace(self.PACKAGE, item="Shipper's Bulk Flower - Blue Dream")
        assert check_arrived_package(submission(self.LINK), self.SENT, package) is None

    def test_a_received_package_needs_no_item_in_the_receivers_catalog(self) -> None:
        sent = check(self.LINK)
        assert isinstance(sent, SentAs)
        assert sent.item is None

    def test_a_finished_package_is_not_linked(self) -> None:
        error = check_arrived_package(
            submission(self.LINK), self.SENT, replace(self.PACKAGE, finished=True)
        )
        assert error is not None
        assert error.code is ProblemCode.LINK_MISMATCH


class TestMetrcMessages:
    @pytest.mark.parametrize(
        ("message", "guide_says"),
        [
            ("Tag 1A4FF0100000022000000001 is not valid.", "Obtain Metrc tags"),
            (
                "Package 1A4 has only 5 Grams available; 7 Grams was requested.",
                "larger than its source",
            ),
            ("Item Foo does not exist in the current Facility.", "exist and be active"),
            ("Adjustment Reason Foo is not valid.", "adjustment reason is required"),
            (
                "Ingredients were not specified. Facility X cannot create opening balance packages.",
                "without a source",
            ),
            ("Could not process.", "Check the jurisdiction"),
        ],
    )
    def test_a_rejection_keeps_metrcs_words_and_gets_the_matching_guidance(
        self, message: str, guide_says: str
    ) -> None:
        error = problem_from_metrc_message(message)
        assert error.code is ProblemCode.METRC_REJECTED
        assert error.message == message
        assert guide_says in error.guidance


class TestRules:
    def test_rules_are_trimmed_and_normalised(self) -> None:
        assert (RULES.state, RULES.license_number, RULES.metrc_base_url) == (
            "CO",
            LICENSE,
            "https://sandbox-api-co.metrc.com",
        )
        assert RULES.pushes_to_metrc

    def test_every_broken_rule_is_reported_at_once(self) -> None:
        broken = replace(
            RULES, state="Colorado", time_zone="Mars/Olympus", metrc_base_url="ftp://x?y=1", license_number=None,
            reason_map={"LOST": "Theft", "WHATEVER": "x", "THEFT": " "},
        )  # fmt: skip
        with pytest.raises(InvalidRulesError) as raised:
            validate_rules(broken)
        fields = [v.field for v in raised.value.violations]
        assert fields == [
            "state",
            "time_zone",
            "metrc_base_url",
            "license_number",
            "reason_map",
            "reason_map",
            "reason_map.THEFT",
        ]
        assert raised.value.code == "INVALID_JURISDICTION_RULES"
        assert "needs a Metrc adjustment reason for DAMAGED" in raised.value.violations[4].message

    def test_a_site_that_does_not_require_metrc_needs_no_license_or_reasons(self) -> None:
        hemp = validate_rules(
            JurisdictionRules(
                site_id=SITE, state="OR", program=Program.HEMP, require_metrc_id=False
            )
        )
        assert not hemp.pushes_to_metrc
        assert "hemp" in hemp.why_not_metrc

    def test_names_metrc_does_not_list_are_found(self) -> None:
        rules = replace(
            RULES,
            reason_map={**REASONS, "LOST": "Vanished"},
            unit_map={"g": "Gramz"},
            location_map={"vault": "Attic"},
        )
        violations = check_rules_against_catalog(rules, CATALOG)
        assert [v.field for v in violations] == [
            "reason_map.LOST",
            "unit_map.g",
            "location_map.vault",
        ]
        assert "Entry Error, Theft, Waste" in violations[0].message
        assert check_rules_against_catalog(RULES, CATALOG) == []


class TestBackoff:
    def test_retries_back_off_exponentially_with_jitter_up_to_a_cap(self) -> None:
        policy = PushPolicy(first_retry=timedelta(seconds=10), max_retry=timedelta(minutes=1))
        delays = [policy.retry_at(attempts=n, now=NOW, jitter=1.0) - NOW for n in (1, 2, 3, 4, 9)]
        assert delays == [timedelta(seconds=s) for s in (10, 20, 40, 60, 60)]
        assert policy.retry_at(attempts=1, now=NOW, jitter=0.0) - NOW == timedelta(seconds=5)

    def test_retry_after_is_never_undercut(self) -> None:
        policy = PushPolicy(first_retry=timedelta(seconds=1))
        assert policy.retry_at(
            attempts=1, now=NOW, jitter=0.5, retry_after=timedelta(seconds=30)
        ) == NOW + timedelta(seconds=30)

    def test_a_policy_outside_metrcs_limits_is_refused(self) -> None:
        with pytest.raises(ValueError, match="Metrc's limit"):
            PushPolicy(max_objects_per_request=11)


def test_a_planned_package_is_what_metrc_will_show() -> None:
    assert link().planned == PlannedPackage(quantity=Decimal(100), finished=False, location_id=None)
