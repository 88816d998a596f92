"""Step 1 of a push round: claim a license's ready submissions, validated, before anything is sent.

In one transaction with the license locked: read the license's open queue, take what ordering
says is ready, validate each against the guide's rules and what Metrc lists (``prepare``),
reject the invalid ones with their guidance, give a create without a tag one of the facility's
available tags, and mark the rest IN_FLIGHT with the values they will be sent with. This is
committed *before* anything is sent: after a crash they are found in flight, and the recovery
reads Metrc back before any of them is sent again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from compliance.domain import (
    CREATES_PACKAGE,
    Direction,
    JurisdictionRules,
    MetrcCatalog,
    PackageLink,
    Problem,
    ProblemCode,
    Submission,
    SyncStatus,
    link_changed,
    prepare,
    problem,
    ready,
)
from compliance.domain.cultivation_validation import prepare_cultivation
from compliance.domain.submissions import PLANT_BATCH_KINDS
from compliance.service_layer.context import ServiceContext
from compliance.service_layer.metrc_requests import OPERATIONS
from compliance.service_layer.open_queue import OpenQueueCache
from compliance.service_layer.outcomes import combine, store_rejected
from compliance.service_layer.ports import UnitOfWork
from compliance.service_layer.report import PushReport

__all__ = ["claim_ready"]


async def claim_ready(
    ctx: ServiceContext,
    license_number: str,
    catalog: MetrcCatalog,
    report: PushReport,
    *,
    limit: int | None = None,
    cache: OpenQueueCache | None = None,
) -> list[Submission]:
    """The license's ready submissions (at most ``limit``, else ``policy.claim_limit``), now
    IN_FLIGHT with their Metrc values (committed). ``cache``: the lane's open queue as last
    read, so only what changed is read again."""
    now = ctx.now()
    actor = ctx.system_actor
    async with ctx.uow() as uow:
        await uow.lock_license(license_number)
        queue = await uow.submissions.open_for_license(license_number, cache=cache)
        most = ctx.policy.claim_limit if limit is None else min(limit, ctx.policy.claim_limit)
        candidates = [s for s in ready(queue, now) if s.is_attempted][:most]
        if not candidates:
            await uow.commit()
            return []
        keys = set().union(*(s.package_keys for s in candidates))
        await uow.links.lock(keys)
        links = await uow.links.get_many(keys)
        rules: dict[UUID, JurisdictionRules | None] = {}
        for site_id in {s.site_id for s in candidates}:
            rules[site_id] = await uow.jurisdictions.get(site_id)
        free_tags = await _free_tags(uow, license_number, catalog, candidates, links)
        tagged = _give_tags(candidates, links, rules, free_tags, now)
        await uow.links.save_many(tagged)
        for given in tagged:
            await uow.outbox.add(link_changed(given, at=now, actor=actor))
        tags = {t for s in candidates if (t := _tag_of(links.get(s.batch_id))) is not None}
        owners = await uow.links.owners_of_tags(license_number, tags)
        in_metrc = await uow.submissions.plant_batches_in_metrc(
            {k for s in candidates if s.kind in PLANT_BATCH_KINDS for k in s.package_keys}
        )
        claimed: list[Submission] = []
        for s in candidates:
            link, site_rules = links.get(s.batch_id), rules.get(s.site_id)
            if s.is_cultivation and site_rules is not None and site_rules.pushes_to_metrc:
                # A plant batch write: no package link; the guide's plant batch rules.
                planted = prepare_cultivation(
                    s,
                    rules=site_rules,
                    catalog=catalog,
                    in_metrc=in_metrc,
                    now=now,
                    open_queue=queue,
                    sources=links,
                )
                if isinstance(planted, list):
                    await _refuse(ctx, uow, s, planted, now=now, report=report)
                else:
                    claimed.append(s.send(now, sent_as=planted))
                continue
            if link is None or site_rules is None or not site_rules.pushes_to_metrc:
                why = site_rules.why_not_metrc if site_rules else "the site has no rules"
                error = problem(ProblemCode.SITE_NOT_METRC, f"Not pushed to Metrc: {why}.")
                await _refuse(ctx, uow, s, [error], now=now, report=report)
                continue
            tag = link.tag
            prepared = prepare(
                s,
                link=link,
                rules=site_rules,
                catalog=catalog,
                tag=tag,
                tag_owner=owners.get(tag) if tag else None,
                sources=links,
                now=now,
            )
            if isinstance(prepared, list):
                await _refuse(ctx, uow, s, prepared, now=now, report=report)
                continue
            claimed.append(s.send(now, sent_as=prepared))
        await uow.submissions.save_many(claimed)
        await uow.commit()
    return claimed


def _tag_of(link: PackageLink | None) -> str | None:
    return None if link is None else link.tag


def _give_tags(
    candidates: Sequence[Submission],
    links: dict[UUID, PackageLink],
    rules: dict[UUID, JurisdictionRules | None],
    free_tags: list[str],
    now: datetime,
) -> list[PackageLink]:
    """Give each create without a tag one of the facility's free tags (in ``links``); the links
    that changed."""
    tagged: list[PackageLink] = []
    for s in candidates:
        link, site_rules = links.get(s.batch_id), rules.get(s.site_id)
        if (
            free_tags
            and s.kind in CREATES_PACKAGE
            and link is not None
            and link.tag is None
            and site_rules is not None
            and site_rules.pushes_to_metrc
        ):
            links[s.batch_id] = link.with_tag(free_tags.pop(0), now)
            tagged.append(links[s.batch_id])
    return tagged


async def _refuse(
    ctx: ServiceContext,
    uow: UnitOfWork,
    s: Submission,
    problems: list[Problem],
    *,
    now: datetime,
    report: PushReport,
) -> None:
    """Validation stopped ``s``: wait when every problem clears on its own, else reject."""
    error = combine(problems)
    waits = [p.retry_at for p in problems if p.retry_at is not None]
    if len(waits) == len(problems):
        await uow.submissions.save(s.requeue(retry_at=max(waits), error=error))
        return
    await store_rejected(uow, s, error, now=now, actor=ctx.system_actor)
    report.rejected += 1
    await ctx.log(
        uow,
        operation=OPERATIONS[s.kind],
        direction=Direction.PUSH,
        status=SyncStatus.REJECTED,
        started=now,
        actor=ctx.system_actor,
        license_number=s.license_number,
        site_id=s.site_id,
        objects=1,
        rejected=1,
        batch_ids=(s.batch_id,),
        submission_ids=(s.id,),
        problem=error,
    )


async def _free_tags(
    uow: UnitOfWork,
    license_number: str,
    catalog: MetrcCatalog,
    candidates: Sequence[Submission],
    links: dict[UUID, PackageLink],
) -> list[str]:
    """The facility's available tags no link holds yet, when some create needs one."""
    wants_tag = any(
        s.kind in CREATES_PACKAGE
        and (link := links.get(s.batch_id)) is not None
        and link.tag is None
        for s in candidates
    )
    if not wants_tag or not catalog.available_tags:
        return []
    taken = await uow.links.tags_in_use(license_number, catalog.available_tags)
    return [t for t in catalog.available_tags if t not in taken]
