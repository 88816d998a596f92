"""Recovering writes whose outcome is unknown: read Metrc back, then decide; never resend blindly.

A submission stays IN_FLIGHT when its send got no answer, or when the process died between
claiming it and recording the outcome. Once ``policy.read_back_after`` has passed since its
send (longer than Metrc can still take to apply an abandoned request), :meth:`Recovery.recover`
reads Metrc back (the package by tag; for an adjustment, the package's adjustment history since,
looking for the submission's marker in the note) and applies ``read_back.decide``: applied ->
accepted; not applied -> pending again, due now (sending it again is safe); Metrc holds
something else under the tag -> rejected for a person to look at.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from compliance.adapters.metrc.errors import MetrcAuthError, MetrcError
from compliance.adapters.metrc.port import MetrcPort
from compliance.domain import (
    AdjustPackage,
    Direction,
    LinkPackage,
    Problem,
    ProblemCode,
    ReadBack,
    Submission,
    SyncStatus,
    Verdict,
    decide,
    problem,
)
from compliance.domain.cultivation_read_back import decide_plant_batch
from compliance.domain.read_back import Decision
from compliance.service_layer.context import ServiceContext
from compliance.service_layer.cultivation_requests import observe_cultivation
from compliance.service_layer.metrc_requests import package_view
from compliance.service_layer.outcomes import store_accepted, store_failed, store_rejected
from compliance.service_layer.send import keys_work, still_in_flight

__all__ = ["Recovery", "RecoveryReport"]


@dataclass
class RecoveryReport:
    checked: int = 0
    applied: int = 0
    not_applied: int = 0
    conflicts: int = 0
    too_early: int = 0
    failed: int = 0
    unreadable: int = 0
    skipped: dict[str, Problem] = field(default_factory=dict)


class Recovery:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def recover(self) -> RecoveryReport:
        ctx = self._ctx
        report = RecoveryReport()
        async with ctx.uow() as uow:
            stale = await uow.submissions.in_flight(
                sent_before=ctx.now() - ctx.policy.read_back_after
            )
        by_license: dict[str, list[Submission]] = defaultdict(list)
        for s in stale:
            by_license[s.license_number].append(s)
        for license_number, subs in by_license.items():
            opened = await ctx.metrc_for(license_number)
            if isinstance(opened, Problem):
                report.skipped[license_number] = opened
                continue
            for s in subs:
                if not await self._recover_one(opened, s, report):
                    break
        return report

    async def _recover_one(self, metrc: MetrcPort, s: Submission, report: RecoveryReport) -> bool:
        """Read back and settle ``s``; False when the license's keys were refused."""
        ctx = self._ctx
        started = ctx.now()
        report.checked += 1
        planted: Decision | None = None
        seen: ReadBack | None = None
        try:
            if s.is_cultivation:
                seen_batch = await observe_cultivation(metrc, s)
                planted = decide_plant_batch(
                    s, seen_batch, now=ctx.now(), wait=ctx.policy.read_back_after
                )
            else:
                seen = await _observe(metrc, s)
        except MetrcAuthError as error:
            # A package's tag held by another facility answers 401 while the keys work: that is
            # a conflict for a person. A cultivation read-back names records only this
            # facility's writes made: a 401 there is the keys (or their permissions), so the
            # write stays in flight and is read back once the keys are fixed.
            if s.is_cultivation or not await keys_work(metrc, s.license_number):
                await ctx.keys_refused(s.license_number, error, actor=ctx.system_actor)
                report.skipped[s.license_number] = problem(
                    ProblemCode.CREDENTIALS_INVALID, error.message
                )
                return False
            seen = None
        except MetrcError:
            report.unreadable += 1
            return True
        decision_problem: Problem | None
        ids: tuple[int, ...]
        if planted is not None:
            verdict, ids, decision_problem = planted.verdict, planted.metrc_ids, planted.problem
        elif seen is None:
            message = f"Package {s.tag} belongs to another facility in Metrc."
            decision_problem = problem(ProblemCode.PACKAGE_CONFLICT, message, field="tag")
            verdict = Verdict.CONFLICT
            ids = ()
        else:
            decision = decide(s, seen, now=ctx.now(), wait=ctx.policy.read_back_after)
            verdict, ids, decision_problem = decision.verdict, decision.metrc_ids, decision.problem
        if verdict is Verdict.TOO_EARLY:
            report.too_early += 1
            return True
        async with ctx.uow() as uow:
            current = await still_in_flight(uow, s)
            if current is None:
                return True
            now = ctx.now()
            status = SyncStatus.SUCCESS
            if verdict is Verdict.APPLIED:
                await store_accepted(uow, current, now=now, actor=ctx.system_actor, metrc_ids=ids)
                report.applied += 1
            elif verdict is Verdict.CONFLICT:
                assert decision_problem is not None
                await store_rejected(
                    uow, current, decision_problem, now=now, actor=ctx.system_actor
                )
                report.conflicts += 1
                status = SyncStatus.REJECTED
            elif ctx.policy.exhausted(current.attempts):
                decision_problem = problem(
                    ProblemCode.METRC_UNAVAILABLE,
                    f"Metrc did not apply it after {current.attempts} attempts.",
                )
                await store_failed(uow, current, decision_problem, now=now, actor=ctx.system_actor)
                report.failed += 1
                status = SyncStatus.FAILED
            else:
                decision_problem = problem(
                    ProblemCode.METRC_UNAVAILABLE,
                    "Metrc had not applied it when read back; it is sent again.",
                )
                await uow.submissions.save(current.requeue(retry_at=now, error=decision_problem))
                report.not_applied += 1
                status = SyncStatus.RETRYING
            await ctx.log(
                uow,
                operation="plantbatches.read_back" if s.is_cultivation else "packages.read_back",
                direction=Direction.CHECK,
                status=status,
                started=started,
                actor=ctx.system_actor,
                license_number=s.license_number,
                site_id=s.site_id,
                objects=1,
                accepted=int(verdict is Verdict.APPLIED),
                rejected=int(verdict is Verdict.CONFLICT),
                batch_ids=(s.batch_id,),
                submission_ids=(s.id,),
                problem=decision_problem,
            )
            await uow.commit()
        return True


async def _observe(metrc: MetrcPort, s: Submission) -> ReadBack:
    tag = s.tag
    intent = s.intent
    if tag is None or isinstance(intent, LinkPackage):
        return ReadBack(package=None)
    if isinstance(intent, AdjustPackage):
        assert s.sent_at is not None
        # Metrc files an adjustment under the date sent (facility-local), which may be a day
        # before the UTC date of the send: look from the day before the earlier of the two.
        first_day = min(intent.date, s.sent_at.date()) - timedelta(days=1)
        since = datetime.combine(first_day, time.min, tzinfo=UTC)
        history = await metrc.package_adjustments_since(s.license_number, tag, since)
        return ReadBack(package=None, adjustment_notes=[a.adjustment_note for a in history])
    return ReadBack(package=package_view(await metrc.find_package(s.license_number, tag)))
