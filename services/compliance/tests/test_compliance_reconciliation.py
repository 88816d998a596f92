"""Reconciliation, pure: every kind of difference between Canopy, Metrc and the queued writes is
classified with the fix it proposes; the finding lifecycle and the month-end report."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count
from uuid import UUID, uuid4

import pytest
from compliance.adapters.in_memory import InMemoryDatabase
from compliance.domain import (
    JurisdictionRules,
    LinkState,
    OpeningBalance,
    PackageLink,
    plan_batch_change,
    validate_rules,
)
from compliance.domain.reconciliation import (
    Finding,
    FindingClass,
    FindingConflictError,
    FindingState,
    FixKind,
    Lot,
    MetrcAdjustment,
    MetrcPackage,
    PendingWrite,
    PullProblem,
    ReconciliationInput,
    marked_finding,
    merge_run,
    movement_marker,
    reconcile,
    report_csv,
    report_rows,
    write_effect,
)
from compliance.domain.submissions import SubmissionKind, SubmissionState
from compliance.service_layer.record import record_batch_change
from compliance.testing import ITEM, LICENSE, BatchScript, colorado_rules, tags

SITE = uuid4()
AT = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
TAGS = tags(20)


def rules(**changes: object) -> JurisdictionRules:
    base = colorado_rules(SITE, LICENSE, item_map={"p-1": ITEM}, allow_opening_balance=True)
    return validate_rules(replace(base, **changes))  # type: ignore[arg-type]


def lot(n: int, physical: str, **changes: object) -> Lot:
    base = Lot(
        batch_id=UUID(int=n + 1),
        site_id=SITE,
        code=f"B-{n}",
        state=LinkState.LINKED,
        tag=TAGS[n],
        package_tag=TAGS[n],
        physical=Decimal(physical),
        unit="Grams",
        product_id="p-1",
        product_name="Blue Dream eighths",
        version=3,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def package(n: int, quantity: str, **changes: object) -> MetrcPackage:
    base = MetrcPackage(
        label=TAGS[n],
        metrc_id=1000 + n,
        status="active",
        quantity=Decimal(quantity),
        unit="Grams",
        item=ITEM,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def write(n: int, kind: SubmissionKind, quantity: str, state: SubmissionState) -> PendingWrite:
    return PendingWrite(
        submission_id=uuid4(),
        batch_id=UUID(int=n + 1),
        kind=kind,
        state=state,
        effect=write_effect(kind, Decimal(quantity)),
    )


def adjustment(n: int, quantity: str, note: str | None = "counted in Metrc") -> MetrcAdjustment:
    return MetrcAdjustment(
        key=f"sha256:{n}:{quantity}",
        label=TAGS[n],
        quantity=Decimal(quantity),
        reason="Drying",
        note=note,
        date="2026-11-20",
    )


def run(
    lots: list[Lot],
    packages: list[MetrcPackage],
    writes: list[PendingWrite] = (),  # type: ignore[assignment]
    adjustments: list[MetrcAdjustment] = (),  # type: ignore[assignment]
    **changes: object,
) -> list[Finding]:
    data = ReconciliationInput(
        license_number=LICENSE,
        lots=lots,
        packages=packages,
        adjustments=adjustments,
        writes=writes,
        rules={SITE: rules()},
    )
    return reconcile(replace(data, **changes))  # type: ignore[arg-type]


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


class TestEqualSidesAreNotFindings:
    def test_a_batch_metrc_shows_exactly_is_no_finding(self) -> None:
        assert run([lot(0, "10")], [package(0, "10")]) == []

    def test_batches_that_are_not_tracked_are_not_compared(self) -> None:
        untracked = lot(0, "10", state=LinkState.NOT_TRACKED, tag=None, package_tag=None)
        assert run([untracked], []) == []


class TestPendingPushes:
    def test_a_queued_adjustment_that_brings_metrc_to_canopy_will_settle(self) -> None:
        queued = write(0, SubmissionKind.ADJUST_PACKAGE, "-2", SubmissionState.PENDING)
        f = only(run([lot(0, "8")], [package(0, "10")], [queued]))
        assert f.finding_class is FindingClass.PENDING_PUSH
        assert f.fix.kind is FixKind.WAIT
        assert not f.fix.applicable
        assert f.pending_quantity == Decimal(-2)

    def test_a_sale_waiting_for_its_manifest_will_settle(self) -> None:
        sold = write(0, SubmissionKind.TRANSFER_OUT, "3", SubmissionState.PENDING)
        f = only(run([lot(0, "7")], [package(0, "10")], [sold]))
        assert f.finding_class is FindingClass.PENDING_PUSH

    def test_a_package_whose_create_is_queued_is_pending_not_missing(self) -> None:
        create = write(0, SubmissionKind.CREATE_PACKAGE, "10", SubmissionState.IN_FLIGHT)
        f = only(run([lot(0, "10", state=LinkState.PENDING)], [], [create]))
        assert f.finding_class is FindingClass.PENDING_PUSH


class TestFailedPushes:
    def test_a_stopped_adjustment_that_explains_the_difference_proposes_its_retry(self) -> None:
        failed = write(0, SubmissionKind.ADJUST_PACKAGE, "-2", SubmissionState.FAILED)
        f = only(run([lot(0, "8")], [package(0, "10")], [failed]))
        assert f.finding_class is FindingClass.PUSH_FAILED
        assert f.fix.kind is FixKind.RETRY_PUSH
        assert f.fix.actions[0].submission_ids == (failed.submission_id,)
        assert [e.key for e in f.evidence] == [str(failed.submission_id)]

    def test_a_rejected_create_of_a_package_metrc_lacks_proposes_its_retry(self) -> None:
        rejected = write(0, SubmissionKind.CREATE_PACKAGE, "10", SubmissionState.REJECTED)
        f = only(run([lot(0, "10", state=LinkState.PENDING)], [], [rejected]))
        assert f.finding_class is FindingClass.PUSH_FAILED
        assert f.fix.kind is FixKind.RETRY_PUSH


class TestChangesMadeInMetrc:
    def test_an_adjustment_made_in_metrc_is_the_evidence_and_canopy_records_the_movement(
        self,
    ) -> None:
        seen = adjustment(0, "-1.5")
        f = only(run([lot(0, "10")], [package(0, "8.5")], adjustments=[seen]))
        assert f.finding_class is FindingClass.CHANGED_IN_METRC
        assert f.fix.kind is FixKind.LOCAL_MOVEMENT
        action = f.fix.actions[0]
        assert action.quantity == Decimal("-1.5")
        assert action.version == 3
        assert [e.key for e in f.evidence] == [seen.key]

    def test_canopys_own_adjustments_in_metrc_are_not_evidence(self) -> None:
        ours = adjustment(0, "-1.5", note="cycle count [canopy:3c2b1a09]")
        f = only(run([lot(0, "10")], [package(0, "8.5")], adjustments=[ours]))
        assert f.finding_class is FindingClass.QUANTITY_DIFFERS

    def test_an_adjustment_an_earlier_fix_settled_is_not_evidence_again(self) -> None:
        old = adjustment(0, "-1.5")
        findings = run(
            [lot(0, "10")],
            [package(0, "8.5")],
            adjustments=[old],
            settled_evidence=frozenset({old.key}),
        )
        assert only(findings).finding_class is FindingClass.QUANTITY_DIFFERS


class TestUnexplainedDifferences:
    def test_a_difference_nothing_explains_pushes_canopys_count_to_metrc(self) -> None:
        f = only(run([lot(0, "10")], [package(0, "12")]))
        assert f.finding_class is FindingClass.QUANTITY_DIFFERS
        assert f.fix.kind is FixKind.PUSH_ADJUSTMENT
        assert f.fix.actions[0].quantity == Decimal(-2)

    def test_the_fix_closes_only_what_the_queued_writes_leave(self) -> None:
        queued = write(0, SubmissionKind.ADJUST_PACKAGE, "-1", SubmissionState.PENDING)
        f = only(run([lot(0, "10")], [package(0, "12")], [queued]))
        assert f.fix.actions[0].quantity == Decimal(-1)


class TestMissingPackages:
    def test_a_tracked_batch_whose_package_metrc_lacks_is_pushed_again(self) -> None:
        f = only(run([lot(0, "10")], []))
        assert f.finding_class is FindingClass.MISSING_IN_METRC
        assert f.fix.kind is FixKind.PUSH_PACKAGE
        assert f.metrc_quantity is None

    def test_an_active_package_no_batch_is_tracked_under_is_missing_in_canopy(self) -> None:
        f = only(run([], [package(5, "4")]))
        assert f.finding_class is FindingClass.MISSING_IN_CANOPY
        assert f.fix.kind is FixKind.LINK_PACKAGE
        assert f.fix.actions[0].batch_id is None
        assert f.fix.actions[0].tag == TAGS[5]
        assert f.site_id == SITE

    def test_the_batch_carrying_the_packages_tag_is_proposed_for_the_link(self) -> None:
        waiting = lot(5, "4", state=LinkState.UNLINKED, tag=None)
        f = only(run([waiting], [package(5, "4")]))
        assert f.fix.actions[0].batch_id == waiting.batch_id

    def test_inactive_packages_are_not_missing_in_canopy(self) -> None:
        assert run([], [package(5, "0", status="inactive")]) == []


class TestUnitsAndItems:
    def test_metrcs_item_differs_from_the_mapped_item_proposes_a_remap(self) -> None:
        f = only(run([lot(0, "10")], [package(0, "10", item="Blue Dream 7g")]))
        assert f.finding_class is FindingClass.UNIT_OR_ITEM_MISMATCH
        assert f.fix.kind is FixKind.REMAP_ITEM
        assert (f.fix.actions[0].product_id, f.fix.actions[0].metrc_name) == (
            "p-1",
            "Blue Dream 7g",
        )

    def test_a_package_received_by_transfer_keeps_the_shippers_item_and_is_no_finding(
        self,
    ) -> None:
        assert run([lot(0, "10", received=True)], [package(0, "10", item="Shipper's OG")]) == []

    def test_a_received_packages_unit_is_still_compared(self) -> None:
        received = lot(0, "10", received=True)
        f = only(run([received], [package(0, "0.01", unit="Kilograms", item="Shipper's OG")]))
        assert f.fix.kind is FixKind.REMAP_UNIT

    def test_a_unit_mismatch_is_reported_without_comparing_quantities(self) -> None:
        f = only(run([lot(0, "10")], [package(0, "0.01", unit="Kilograms")]))
        assert f.fix.kind is FixKind.REMAP_UNIT
        assert f.fix.actions[0].canopy_unit == "Grams"


class TestKeys:
    def test_a_pull_refused_for_the_keys_is_the_only_finding(self) -> None:
        problem = PullProblem(feed="packages.active", code="KEY_OR_PERMISSION", message="401")
        f = only(run([lot(0, "10")], [package(0, "3")], pull_problems=[problem]))
        assert f.finding_class is FindingClass.KEY_OR_PERMISSION
        assert f.fix.kind is FixKind.REPLACE_KEYS
        assert not f.fix.applicable
        assert f.site_id == SITE  # the license's site: readers scoped to it see the finding


class TestEqualAndOpposite:
    def test_two_lots_off_by_equal_and_opposite_amounts_are_one_finding(self) -> None:
        findings = run([lot(0, "10"), lot(1, "6")], [package(0, "12"), package(1, "4")])
        f = only(findings)
        assert f.finding_class is FindingClass.EQUAL_AND_OPPOSITE
        assert set(f.batch_ids) == {UUID(int=1), UUID(int=2)}
        assert f.fix.kind is FixKind.PUSH_ADJUSTMENT
        assert sorted(a.quantity for a in f.fix.actions if a.quantity) == [-2, 2]

    def test_amounts_two_lots_could_pair_with_are_not_guessed(self) -> None:
        lots = [lot(0, "10"), lot(1, "10"), lot(2, "6")]
        findings = run(lots, [package(0, "12"), package(1, "12"), package(2, "4")])
        assert [f.finding_class for f in findings] == [FindingClass.QUANTITY_DIFFERS] * 3

    def test_lots_of_different_items_do_not_pair(self) -> None:
        other = lot(1, "6", product_id="p-2", product_name="Other")
        findings = run([lot(0, "10"), other], [package(0, "12"), package(1, "4", item="Other")])
        assert {f.finding_class for f in findings} == {FindingClass.QUANTITY_DIFFERS}
        assert len(findings) == 2


class TestSpeed:
    def test_five_thousand_batches_reconcile_in_well_under_a_second(self) -> None:
        lots = [lot(0, str(n), batch_id=uuid4(), tag=f"T{n:023d}") for n in range(5000)]
        packages = [package(0, str(n), label=f"T{n:023d}") for n in range(5000)]
        packages[7] = replace(packages[7], quantity=Decimal(1))
        started = time.perf_counter()
        findings = run(lots, packages)
        assert time.perf_counter() - started < 1.0
        assert len(findings) == 1


class TestLifecycle:
    def _records(self) -> tuple[list[Finding], object]:
        findings = run([lot(0, "10"), lot(1, "5")], [package(0, "12"), package(1, "9")])
        ids = count(1)
        merged = merge_run([], findings, run_id=uuid4(), at=AT, new_id=lambda: UUID(int=next(ids)))
        return findings, merged

    def test_a_run_opens_new_findings_updates_known_ones_and_settles_gone_ones(self) -> None:
        findings, first = self._records()
        assert len(first.opened) == 2  # type: ignore[attr-defined]
        again = merge_run(
            first.opened,  # type: ignore[attr-defined]
            findings[:1],
            run_id=uuid4(),
            at=AT + timedelta(hours=1),
            new_id=uuid4,
        )
        assert (len(again.opened), len(again.updated), len(again.settled)) == (0, 1, 1)
        assert again.settled[0].state is FindingState.SETTLED

    def test_a_decided_finding_cannot_be_decided_again(self) -> None:
        _, merged = self._records()
        record = merged.opened[0]  # type: ignore[attr-defined]
        rejected = record.rejected("ana", AT, "counted again")
        with pytest.raises(FindingConflictError):
            rejected.approving("ana", AT, None)

    def test_a_fix_that_failed_leaves_the_finding_open_with_why(self) -> None:
        _, merged = self._records()
        record = merged.opened[0].approving("ana", AT, None)  # type: ignore[attr-defined]
        again = record.failed("inventory refused: OPTIMISTIC_LOCK_CONFLICT", AT)
        assert again.state is FindingState.OPEN
        assert again.decided_by is None


class TestMonthEndReport:
    def test_the_report_shows_each_finding_as_it_stood_on_the_date(self) -> None:
        _, merged = self._records_at()
        applied = merged[0].approving("ana", AT + timedelta(days=1), None).applied_by({}, AT)
        rows = report_rows([applied, merged[1]], AT + timedelta(hours=12))
        assert [r["state"] for r in rows] == ["OPEN", "OPEN"]
        later = {
            r["findingId"]: r for r in report_rows([applied, merged[1]], AT + timedelta(days=2))
        }
        row = later[str(applied.id)]
        assert (row["state"], row["approvedBy"], row["fixApplied"]) == ("APPLIED", "ana", "yes")
        assert later[str(merged[1].id)]["approvedBy"] == ""

    def test_the_csv_has_a_header_crlf_lines_and_no_formula_cells(self) -> None:
        _, merged = self._records_at()
        record = replace(merged[0], finding=replace(merged[0].finding, message="=HYPERLINK(evil)"))
        text = report_csv(report_rows([record], AT + timedelta(days=1)))
        lines = text.split("\r\n")
        assert lines[0].startswith("findingId,class,state")
        assert "'=HYPERLINK(evil)" in lines[1]
        assert ",Grams,10,12,0,PUSH_ADJUSTMENT," in lines[1]

    def _records_at(self) -> tuple[list[Finding], list]:  # type: ignore[type-arg]
        findings = run([lot(0, "10"), lot(1, "5")], [package(0, "12"), package(1, "9")])
        merged = merge_run([], findings, run_id=uuid4(), at=AT, new_id=uuid4)
        return findings, list(merged.opened)


class TestMovementsAFixRecorded:
    """A COUNT_DISCREPANCY movement recorded by an approved fix is already in Metrc: the planner
    moves the planned quantity and pushes nothing, and only for the finding that expects it."""

    def _script(self) -> tuple[BatchScript, PackageLink]:
        script = BatchScript(site_id=SITE, code="B-1", product_id="p-1", tag=TAGS[0])
        script.source = OpeningBalance()
        link = plan_batch_change(script.created("10"), None, rules()).link
        return script, link

    def test_a_settled_row_moves_the_planned_quantity_and_pushes_nothing(self) -> None:
        script, link = self._script()
        change = script.adjust("-1.5", notes=movement_marker(uuid4()))
        plan = plan_batch_change(change, link, rules(), settled=frozenset({(script.version, 0)}))
        assert plan.intents == ()
        assert plan.link.planned is not None
        assert plan.link.planned.quantity == Decimal("8.5")

    async def test_the_consumer_settles_only_a_movement_an_approved_finding_expects(self) -> None:
        db = InMemoryDatabase()
        script, link = self._script()
        finding = uuid4()
        async with db.uow() as uow:
            await uow.jurisdictions.save(rules())
            await uow.links.save(link)
            await uow.commit()
        db.expected_movements[finding] = {script.batch_id: Decimal("-1.5")}
        async with db.uow() as uow:
            marked = script.adjust("-1.5", notes=f"{movement_marker(finding)} counted")
            recorded = await record_batch_change(uow, marked, now=AT)
            assert recorded.submissions == ()
            forged = script.adjust("-2", notes=f"{movement_marker(finding)} not the amount")
            recorded = await record_batch_change(uow, forged, now=AT)
            assert [s.kind for s in recorded.submissions] == [SubmissionKind.ADJUST_PACKAGE]

    def test_a_marker_is_read_back_from_notes(self) -> None:
        finding = uuid4()
        assert marked_finding(f"x {movement_marker(finding)} y") == finding
        assert marked_finding("[reconciliation:not-a-uuid]") is None
        assert marked_finding(None) is None
