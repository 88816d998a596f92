"""The storage ports behave the same on PostgreSQL as on the in-memory reference: every test
runs on both (``store`` is parametrized), so the adapters cannot drift from what the service
layer was built and tested against."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from compliance.adapters.in_memory import InMemoryDatabase
from compliance.adapters.metrc import MetrcTransientError
from compliance.adapters.postgres import ComplianceUnitOfWork, payload_of
from compliance.domain import (
    AdjustPackage,
    CreatePackage,
    FromBatches,
    FromHarvest,
    Ingredient,
    IngredientDraw,
    Intent,
    LinkState,
    ManifestSettlement,
    Notification,
    NotificationKind,
    OpeningBalance,
    PackageLink,
    ProblemCode,
    ReceivedByTransfer,
    SentAs,
    Severity,
    Submission,
    SubmissionKind,
    SubmissionQuery,
    SubmissionState,
    SyncLogQuery,
    SyncStatus,
    TransferOut,
    problem,
)
from compliance.domain.cultivation_intents import (
    CultivationChange,
    CultivationIntent,
    PlantBatchCountChange,
    PlantBatchDestroy,
    PlantBatchGrowthPhase,
    PlantBatchMove,
    PlantBatchPlanting,
    PlantBatchSplitOff,
    PlantingSource,
)
from compliance.service_layer.open_queue import OpenQueueCache
from compliance.service_layer.outcomes import store_accepted
from compliance.service_layer.ports import TagTakenError, UnitOfWork
from compliance.service_layer.record_cultivation import record_cultivation_changes
from compliance.testing import START, ComplianceHarness
from shared.database import Database
from shared.testing.plugin import migrated_copy

MIGRATIONS = Path(__file__).resolve().parents[2] / "src" / "compliance" / "migrations"


@dataclass
class Store:
    name: str
    uow: Callable[[], UnitOfWork]
    published: Callable[[], Awaitable[list[dict[str, object]]]]
    """The committed events, oldest first, as their envelopes' ``event_type`` and ``payload``."""


@pytest.fixture(params=["in_memory", "postgres"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    if request.param == "in_memory":
        db = InMemoryDatabase()

        async def committed_events() -> list[dict[str, object]]:
            return [
                {"event_type": e.event_type, "payload": payload_of(e).model_dump(mode="json")}
                for e in db.events
            ]

        yield Store("in_memory", db.uow, committed_events)
        return
    server = request.getfixturevalue("postgres_server")  # a session fixture, not async
    name = await migrated_copy(server, MIGRATIONS)
    database = Database(server.url_for(name), name="compliance-test", min_size=1, max_size=8)

    async def outbox_events() -> list[dict[str, object]]:
        async with database.connection() as conn:
            rows = await conn.fetch("SELECT payload FROM outbox ORDER BY id")
        envelopes = [json.loads(r["payload"]) for r in rows]
        return [{"event_type": e["event_type"], "payload": e["payload"]} for e in envelopes]

    yield Store("postgres", lambda: ComplianceUnitOfWork(database), outbox_events)
    await database.close()
    await server.drop_database(name)


async def rich_records() -> ComplianceHarness:
    """Records as the service layer makes them: rules, sealed keys, links of every source, the
    ledger in every state (accepted, pending after a 5xx with its problem, draws), the sync log
    and notifications."""
    h = ComplianceHarness()
    await h.save_keys()
    source = h.batch("SRC", source=OpeningBalance(), tag=h.tags.pop(0))
    await h.record(source.created("100"))
    await h.settle()
    made = h.batch(
        "MADE",
        source=FromBatches((Ingredient(source.batch_id, Decimal("30.5")),)),
        tag=h.tags.pop(0),
    )
    await h.record(made.created("30.5"))
    await h.record(source.consumed("30.5", into=made.batch_id))
    await h.settle()
    await h.record(source.adjust("-2.25", notes="spilled"))
    h.fake.fail_next("adjust_packages", MetrcTransientError("Metrc answered 503", status_code=503))
    await h.pusher.push_due()
    return h


async def copy_into(store: Store, h: ComplianceHarness) -> None:
    async with store.uow() as uow:
        for rules in h.db.rules.values():
            await uow.jurisdictions.save(rules)
        for credentials in h.db.credentials.values():
            await uow.credentials.save(credentials)
        for link in h.db.links.values():
            await uow.links.save(link)
        for s in sorted(h.db.submissions.values(), key=lambda s: s.sequence):
            await uow.submissions.add(s)
        for entry in h.db.sync_log:
            await uow.sync_log.add(entry)
        for n in h.db.notifications.values():
            await uow.notifications.raise_(n)
        await uow.commit()


class TestRecordsReadBackEqual:
    async def test_every_record_the_service_layer_makes_reads_back_equal_to_what_was_stored(
        self, store: Store
    ) -> None:
        h = await rich_records()
        assert {s.state for s in h.db.submissions.values()} >= {
            SubmissionState.ACCEPTED,
            SubmissionState.PENDING,
        }
        assert any(s.last_error for s in h.db.submissions.values())
        await copy_into(store, h)
        async with store.uow() as uow:
            for site_id, rules in h.db.rules.items():
                assert await uow.jurisdictions.get(site_id) == rules
            assert await uow.credentials.all() == sorted(
                h.db.credentials.values(), key=lambda c: c.license_number
            )
            assert await uow.links.get_many(list(h.db.links)) == h.db.links
            for s in h.db.submissions.values():
                assert await uow.submissions.get(s.id) == s
            entries = await uow.sync_log.query(SyncLogQuery(limit=1000))
            assert sorted(entries, key=lambda e: e.id) == sorted(h.db.sync_log, key=lambda e: e.id)
            assert sorted(await uow.notifications.recent(), key=lambda n: n.id) == sorted(
                h.db.notifications.values(), key=lambda n: n.id
            )


class TestTransactions:
    async def test_nothing_is_visible_to_others_before_commit_and_nothing_stays_without_it(
        self, store: Store
    ) -> None:
        h = ComplianceHarness()
        async with store.uow() as writer:
            await writer.jurisdictions.save(h.rules)
            assert await writer.jurisdictions.get(h.site_id) == h.rules
            async with store.uow() as reader:
                assert await reader.jurisdictions.get(h.site_id) is None
        async with store.uow() as reader:
            assert await reader.jurisdictions.get(h.site_id) is None
        async with store.uow() as writer:
            await writer.jurisdictions.save(h.rules)
            await writer.commit()
        async with store.uow() as reader:
            assert await reader.jurisdictions.for_license(h.rules.license_number or "") == [h.rules]

    async def test_events_are_published_only_when_the_unit_of_work_commits(
        self, store: Store
    ) -> None:
        h = await rich_records()
        events = h.db.events[:3]
        async with store.uow() as uow:
            for e in events:
                await uow.outbox.add(e)
        assert await store.published() == []
        async with store.uow() as uow:
            for e in events:
                await uow.outbox.add(e)
            await uow.commit()
        published = await store.published()
        assert [p["event_type"] for p in published] == [e.event_type for e in events]
        assert published[0]["payload"]["batch_id"] == str(events[0].batch_id)  # type: ignore[index]

    async def test_the_sequence_only_grows_even_across_a_rollback(self, store: Store) -> None:
        async with store.uow() as uow:
            first = await uow.submissions.next_sequence()
        async with store.uow() as uow:
            second = await uow.submissions.next_sequence()
            third = await uow.submissions.next_sequence()
        assert first < second < third

    async def test_a_license_lock_holds_a_second_unit_of_work_until_the_first_ends(
        self, store: Store
    ) -> None:
        order: list[str] = []
        first_has_it = asyncio.Event()

        async def first() -> None:
            async with store.uow() as uow:
                await uow.lock_license("L-1")
                first_has_it.set()
                await asyncio.sleep(0.3)
                order.append("first done")

        async def second() -> None:
            await first_has_it.wait()
            async with store.uow() as uow:
                await uow.lock_license("L-1")
                order.append("second locked")
                await uow.lock_license("L-2")

        await asyncio.gather(first(), second())
        assert order == ["first done", "second locked"]


def _link(h: ComplianceHarness, tag: str | None, *, license_number: str = "L-1") -> PackageLink:
    b = h.batch(f"B-{uuid4().hex[:4]}", tag=tag, source=OpeningBalance())
    b.created("5")
    return PackageLink(
        batch_id=b.batch_id,
        site_id=h.site_id,
        license_number=license_number,
        state=LinkState.PENDING,
        batch=b.facts(),
        applied_through=(1, 0),
        updated_at=START,
        tag=tag,
        source=b.source,
    )


class TestLinks:
    async def test_a_tag_names_one_batch_per_license_and_a_refused_save_changes_nothing(
        self, store: Store
    ) -> None:
        h = ComplianceHarness()
        tag = h.tags[0]
        first, second = _link(h, tag), _link(h, tag)
        elsewhere = _link(h, tag, license_number="L-2")
        async with store.uow() as uow:
            await uow.links.save(first)
            with pytest.raises(TagTakenError):
                await uow.links.save(second)
            await uow.links.save(elsewhere)
            await uow.links.save(replace(first, state=LinkState.LINKED, metrc_package_id=7))
            await uow.commit()
        async with store.uow() as uow:
            assert await uow.links.owner_of_tag("L-1", tag) == first.batch_id
            assert await uow.links.owner_of_tag("L-2", tag) == elsewhere.batch_id
            assert await uow.links.get(second.batch_id) is None
            assert (await uow.links.get(first.batch_id)) == replace(
                first, state=LinkState.LINKED, metrc_package_id=7
            )
            assert await uow.links.tags_in_use("L-1", [tag, h.tags[1]]) == {tag}
            assert await uow.links.tags_in_use("L-1", []) == set()

    async def test_many_links_are_saved_at_once_under_the_same_tag_rule(self, store: Store) -> None:
        h = ComplianceHarness()
        one, two, untagged = _link(h, h.tags[0]), _link(h, h.tags[1]), _link(h, None)
        async with store.uow() as uow:
            await uow.links.save_many([one, two, untagged])
            await uow.links.save_many([replace(one, state=LinkState.LINKED, metrc_package_id=3)])
            await uow.links.save_many([])
            await uow.commit()
        async with store.uow() as uow:
            assert await uow.links.get_many([one.batch_id, two.batch_id, untagged.batch_id]) == {
                one.batch_id: replace(one, state=LinkState.LINKED, metrc_package_id=3),
                two.batch_id: two,
                untagged.batch_id: untagged,
            }
            assert await uow.links.owners_of_tags("L-1", [h.tags[0], h.tags[1], h.tags[2]]) == {
                h.tags[0]: one.batch_id,
                h.tags[1]: two.batch_id,
            }
            assert await uow.links.owners_of_tags("L-2", [h.tags[0]]) == {}
            with pytest.raises(TagTakenError):
                await uow.links.save_many([_link(h, h.tags[2]), _link(h, h.tags[0])])

    async def test_a_link_read_then_saved_keeps_its_batch_or_takes_the_new_one(
        self, store: Store
    ) -> None:
        h = ComplianceHarness()
        kept, changed = _link(h, h.tags[0]), _link(h, h.tags[1])
        async with store.uow() as uow:
            await uow.links.save_many([kept, changed])
            await uow.commit()
        async with store.uow() as uow:
            read = await uow.links.get_many([kept.batch_id, changed.batch_id])
            linked = replace(read[kept.batch_id], state=LinkState.LINKED, metrc_package_id=7)
            moved = replace(
                read[changed.batch_id],
                batch=replace(read[changed.batch_id].batch, physical=Decimal("4.2500")),
            )
            await uow.links.save_many([linked, moved])
            await uow.commit()
        async with store.uow() as uow:
            assert await uow.links.get_many([kept.batch_id, changed.batch_id]) == {
                kept.batch_id: linked,
                changed.batch_id: moved,
            }
            assert moved.batch.physical == Decimal("4.2500") != kept.batch.physical


def _submission(
    h: ComplianceHarness,
    sequence: int,
    *,
    batch_id: UUID | None = None,
    license_number: str = "L-1",
) -> Submission:
    return Submission.new(
        id=uuid4(),
        sequence=sequence,
        license_number=license_number,
        site_id=h.site_id,
        batch_id=batch_id or uuid4(),
        intent=AdjustPackage(
            quantity=Decimal("-1.5"), unit="Grams", cause="DAMAGED", note=None, date=START.date()
        ),
        now=START,
        actor="user-1",
    )


class TestTheLedger:
    async def test_queue_due_in_flight_stopped_and_counts_follow_the_states(
        self, store: Store
    ) -> None:
        h = ComplianceHarness()
        later = START + timedelta(minutes=5)
        batch = uuid4()
        a, b, c, d = (_submission(h, n, batch_id=batch) for n in (1, 2, 3, 4))
        other = _submission(h, 5, license_number="L-2")
        accepted = a.send(START, sent_as=SentAs(tag=h.tags[0])).accept(later, metrc_ids=(11,))
        in_flight = b.send(START, sent_as=SentAs(tag=h.tags[0], reason="Waste"))
        failed = c.fail(START, problem(ProblemCode.METRC_UNAVAILABLE, "503")).dismiss(
            later, actor="lead"
        )
        rejected = d.reject(START, problem(ProblemCode.ITEM_NOT_FOUND, "no item"))
        waiting = replace(other, next_attempt_at=later)
        async with store.uow() as uow:
            for s in (a, b, c, d, other):
                await uow.submissions.add(s)
            for s in (accepted, in_flight, failed, rejected, waiting):
                await uow.submissions.save(s)
            with pytest.raises(KeyError):
                await uow.submissions.save(_submission(h, 99))
            await uow.commit()
        async with store.uow() as uow:
            subs = uow.submissions
            assert [s.id for s in await subs.open_for_license("L-1")] == [b.id, d.id]
            assert await subs.licenses_with_due(START) == []
            assert await subs.licenses_with_due(later) == ["L-2"]
            assert [s.id for s in await subs.in_flight(sent_before=START)] == [b.id]
            assert await subs.in_flight(sent_before=START - timedelta(seconds=1)) == []
            assert [s.id for s in await subs.stopped("L-1")] == [d.id]
            assert [s.id for s in await subs.for_batch(batch)] == [a.id, b.id, c.id, d.id]
            assert await subs.get_many([d.id, a.id, uuid4()]) == [accepted, rejected]
            assert await subs.count_by_state() == {
                ("L-1", SubmissionState.ACCEPTED): 1,
                ("L-1", SubmissionState.IN_FLIGHT): 1,
                ("L-1", SubmissionState.FAILED): 1,
                ("L-1", SubmissionState.REJECTED): 1,
                ("L-2", SubmissionState.PENDING): 1,
            }
            adjust = SubmissionKind.ADJUST_PACKAGE
            assert [
                (c.license_number, c.kind, c.state, c.count, c.oldest_created_at)
                for c in await subs.counts()
            ] == [
                ("L-1", adjust, SubmissionState.ACCEPTED, 1, START),
                ("L-1", adjust, SubmissionState.FAILED, 1, START),
                ("L-1", adjust, SubmissionState.IN_FLIGHT, 1, START),
                ("L-1", adjust, SubmissionState.REJECTED, 1, START),
                ("L-2", adjust, SubmissionState.PENDING, 1, START),
            ]

    async def test_many_transitions_are_saved_at_once_and_an_unknown_one_is_refused(
        self, store: Store
    ) -> None:
        h = ComplianceHarness()
        traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        a, b = replace(_submission(h, 1), trace_parent=traceparent), _submission(h, 2)
        sent_a = a.send(START, sent_as=SentAs(tag=h.tags[0]))
        sent_b = b.send(START, sent_as=SentAs(tag=h.tags[1]))
        async with store.uow() as uow:
            await uow.submissions.add(a)
            await uow.submissions.add(b)
            await uow.submissions.save_many([sent_a, sent_b])
            done = sent_a.accept(START, metrc_ids=(41, 42))
            await uow.submissions.save_many([done])
            await uow.commit()
        async with store.uow() as uow:
            assert await uow.submissions.get_many([a.id, b.id]) == [done, sent_b]
            assert done.trace_parent == traceparent
            with pytest.raises(KeyError):
                await uow.submissions.save_many([_submission(h, 99)])

    async def test_a_retry_saves_the_trace_of_the_request_that_asked_for_it(
        self, store: Store
    ) -> None:
        h = ComplianceHarness()
        intake = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        retry_request = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        why = problem(ProblemCode.ITEM_NOT_FOUND, "no such item")
        a, b = (replace(_submission(h, n), trace_parent=intake) for n in (1, 2))
        async with store.uow() as uow:
            await uow.submissions.add(a)
            await uow.submissions.add(b)
            await uow.commit()
        rejected = [s.send(START, sent_as=SentAs(tag=h.tags[0])).reject(START, why) for s in (a, b)]
        retried_a = rejected[0].retry(START, trace_parent=retry_request)
        retried_b = rejected[1].retry(START, trace_parent=retry_request)
        async with store.uow() as uow:
            await uow.submissions.save(retried_a)  # one at a time
            await uow.submissions.save_many([retried_b])  # and many at once
            await uow.commit()
        async with store.uow() as uow:
            assert await uow.submissions.get_many([a.id, b.id]) == [retried_a, retried_b]
        assert {retried_a.trace_parent, retried_b.trace_parent} == {retry_request}

    async def test_the_open_queue_read_through_a_cache_equals_a_full_read_as_rows_change(
        self, store: Store
    ) -> None:
        h = ComplianceHarness()
        batch = uuid4()
        subs = [_submission(h, n, batch_id=batch) for n in (1, 2, 3)]
        cache = OpenQueueCache()

        async def both() -> tuple[list[Submission], list[Submission]]:
            async with store.uow() as uow:
                return (
                    await uow.submissions.open_for_license("L-1", cache=cache),
                    await uow.submissions.open_for_license("L-1"),
                )

        async with store.uow() as uow:
            for s in subs:
                await uow.submissions.add(s)
            await uow.commit()
        cached, full = await both()
        assert cached == full == subs
        sent = subs[0].send(START, sent_as=SentAs(tag=h.tags[0]))
        later = _submission(h, 4, batch_id=batch)
        async with store.uow() as uow:
            await uow.submissions.save(sent)
            await uow.submissions.save(
                subs[1].reject(START, problem(ProblemCode.ITEM_NOT_FOUND, "x"))
            )
            await uow.submissions.add(later)
            await uow.commit()
        cached, full = await both()
        assert cached == full
        assert [s.id for s in cached] == [subs[0].id, subs[1].id, subs[2].id, later.id]
        assert cached[0] == sent
        async with store.uow() as uow:
            await uow.submissions.save(sent.accept(START))
            await uow.commit()
        cached, full = await both()
        assert cached == full
        assert [s.id for s in cached] == [subs[1].id, subs[2].id, later.id]

    async def test_search_filters_and_pages_newest_first(self, store: Store) -> None:
        h = await rich_records()
        await copy_into(store, h)
        everything = sorted(h.db.submissions.values(), key=lambda s: -s.sequence)
        queries = [
            SubmissionQuery(),
            SubmissionQuery(limit=2),
            SubmissionQuery(before_sequence=everything[1].sequence),
            SubmissionQuery(states=frozenset({SubmissionState.ACCEPTED})),
            SubmissionQuery(kinds=frozenset({SubmissionKind.INGREDIENT_DRAW})),
            SubmissionQuery(batch_id=everything[0].batch_id, site_id=h.site_id),
            SubmissionQuery(license_number="nobody"),
            SubmissionQuery(created_since=START + timedelta(seconds=1)),
            SubmissionQuery(created_until=START + timedelta(days=1)),
        ]
        async with store.uow() as uow:
            for query in queries:
                expected = [s for s in everything if query.matches(s)][: query.limit]
                assert await uow.submissions.search(query) == expected, query
            draws = [s for s in everything if s.kind is SubmissionKind.INGREDIENT_DRAW]
            into = draws[0].intent.into_batch_id  # type: ignore[union-attr]
            assert await uow.submissions.draws_into(into) == draws


class TestSyncLogAndFeed:
    async def test_the_sync_log_filters_by_license_site_status_operation_and_time(
        self, store: Store
    ) -> None:
        h = await rich_records()
        await copy_into(store, h)
        log = sorted(h.db.sync_log, key=lambda e: (e.started_at, e.id), reverse=True)
        first = log[-1]
        queries = [
            SyncLogQuery(license_number=first.license_number),
            SyncLogQuery(site_id=h.site_id),
            SyncLogQuery(status=SyncStatus.SUCCESS),
            SyncLogQuery(operation="packages.create"),
            SyncLogQuery(since=log[0].started_at),
            SyncLogQuery(until=log[0].started_at, limit=2),
        ]
        async with store.uow() as uow:
            for query in queries:
                found = await uow.sync_log.query(query)
                expected = [
                    e
                    for e in log
                    if (query.license_number is None or e.license_number == query.license_number)
                    and (query.site_id is None or e.site_id == query.site_id)
                    and (query.status is None or e.status is query.status)
                    and (query.operation is None or e.operation == query.operation)
                    and (query.since is None or e.started_at >= query.since)
                    and (query.until is None or e.started_at < query.until)
                ][: query.limit]
                assert {e.id for e in found} == {e.id for e in expected}, query

    async def test_the_sync_log_pages_by_keyset_through_entries_of_one_instant(
        self, store: Store
    ) -> None:
        h = await rich_records()  # its clock stands still: many entries share an instant
        await copy_into(store, h)
        log = sorted(h.db.sync_log, key=lambda e: (e.started_at, e.id), reverse=True)
        assert len({e.started_at for e in log}) < len(log)
        pages: list[list[UUID]] = []
        before = None
        async with store.uow() as uow:
            while True:
                page = await uow.sync_log.query(SyncLogQuery(limit=3, before=before))
                if not page:
                    break
                pages.append([e.id for e in page])
                before = (page[-1].started_at, page[-1].id)
        assert [i for page in pages for i in page] == [e.id for e in log]

    async def test_one_open_notification_per_cause_until_it_is_resolved(self, store: Store) -> None:
        def note(at_minute: int, key: str | None = "key-invalid:L-1") -> Notification:
            return Notification(
                id=uuid4(),
                kind=NotificationKind.KEY_INVALID,
                severity=Severity.ERROR,
                title="keys",
                message="refused",
                guidance="validate",
                created_at=START + timedelta(minutes=at_minute),
                license_number="L-1",
                dedup_key=key,
            )

        first, again, after, free = note(1), note(2), note(3), note(4, key=None)
        async with store.uow() as uow:
            assert await uow.notifications.raise_(first)
            assert not await uow.notifications.raise_(again)
            await uow.notifications.resolve("key-invalid:L-1", START + timedelta(minutes=2))
            assert await uow.notifications.raise_(after)
            assert await uow.notifications.raise_(free)
            await uow.commit()
        async with store.uow() as uow:
            feed = uow.notifications
            assert [n.id for n in await feed.recent()] == [free.id, after.id, first.id]
            assert [n.id for n in await feed.recent(open_only=True)] == [free.id, after.id]
            assert [n.id for n in await feed.recent(license_number="L-9")] == []
            assert [n.id for n in await feed.undelivered(2)] == [first.id, after.id]
            await feed.mark_emailed(first.id, START)
            assert [n.id for n in await feed.undelivered(5)] == [after.id, free.id]


def _plant_batch_writes(site_id: UUID) -> tuple[UUID, UUID, list[Submission]]:
    """A planted batch's writes of every kind (its planting accepted) and a batch split off it."""
    parent, child, day = uuid4(), uuid4(), date(2026, 3, 1)
    intents: list[CultivationIntent] = [
        PlantBatchPlanting(
            name="P", plant_type="Clone", count=10, strain="OG", location_id="l1", date=day
        ),
        PlantBatchCountChange(
            name="P", quantity=-1, reason="Waste", note=None, date=day, count_before=10,
            count_after=9,
        ),
        PlantBatchMove(name="P", location_id="l2", date=day),
        PlantBatchDestroy(
            name="P", count=1, waste_method="Grinder", waste_reason="Male", waste_weight=Decimal(
                "1.25"), waste_unit="Grams", material_mixed=None, note="n", date=day,
            count_before=9, count_after=8,
        ),
        PlantBatchGrowthPhase(
            name="P", count=2, tags=("1A4FF0100000022000000101", "1A4FF0100000022000000102"),
            growth_phase="Flowering", location_id="l2", date=day, count_before=8, count_after=6,
        ),
        PlantBatchSplitOff(
            name="P", group_name="C", new_plant_batch_id=child, count=3, strain="OG",
            location_id="l2", date=day, count_before=6, count_after=3,
        ),
    ]  # fmt: skip
    subs = [
        Submission.new(
            id=uuid4(), sequence=i + 1, license_number="LIC", site_id=site_id, batch_id=parent,
            intent=intent, now=START, actor="grower",
        )
        for i, intent in enumerate(intents)
    ]  # fmt: skip
    planting = subs[0].send(START, sent_as=SentAs(tag="", item="OG", location="Vault"))
    subs[0] = planting.accept(START, metrc_ids=(4242,))
    return parent, child, subs


class TestPlantBatchWrites:
    async def test_every_plant_batch_write_reads_back_equal_and_a_batch_is_in_metrc_once_created(
        self, store: Store
    ) -> None:
        parent, child, subs = _plant_batch_writes(uuid4())
        async with store.uow() as uow:
            for s in subs:
                await uow.submissions.add(
                    replace(s, sequence=await uow.submissions.next_sequence())
                )
            await uow.commit()
        async with store.uow() as uow:
            stored = await uow.submissions.for_plant_batch(parent)
            assert [replace(s, sequence=0) for s in stored] == [
                replace(s, sequence=0) for s in subs
            ]
            assert await uow.submissions.plant_batches_in_metrc({parent, child}) == {parent}
            split = stored[-1]
            assert [s.id for s in await uow.submissions.for_plant_batch(child)] == [split.id]
            await uow.submissions.save(
                split.send(START, sent_as=SentAs(tag="", location="Vault")).accept(START)
            )
            await uow.commit()
        async with store.uow() as uow:
            assert await uow.submissions.plant_batches_in_metrc({parent, child}) == {parent, child}
            assert await uow.submissions.draws_into(child) == []

    async def test_a_planting_from_a_package_and_a_package_from_a_harvest_read_back_equal(
        self, store: Store
    ) -> None:
        planted, package, harvest, day = uuid4(), uuid4(), uuid4(), date(2026, 3, 1)
        writes: list[tuple[UUID, Intent]] = [
            (planted, PlantBatchPlanting(
                name="Q", plant_type="Seed", count=5, strain="OG", location_id="l1", date=day,
                source=PlantingSource(batch_id=package, quantity=Decimal("5"), unit="Each"),
            )),
            (harvest, IngredientDraw(into_batch_id=package, quantity=Decimal("100.5"))),
            (package, CreatePackage(
                quantity=Decimal("100.5"), unit="Grams", product_id="p", product_name="Bulk",
                location_id=None, source=FromHarvest(str(harvest), "H-1"), date=day,
            )),
        ]  # fmt: skip
        async with store.uow() as uow:
            subs = [
                Submission.new(
                    id=uuid4(), sequence=await uow.submissions.next_sequence(),
                    license_number="LIC", site_id=uuid4(), batch_id=batch_id, intent=intent,
                    now=START, actor="grower",
                )
                for batch_id, intent in writes
            ]  # fmt: skip
            for s in subs:
                await uow.submissions.add(s)
            await uow.commit()
        async with store.uow() as uow:
            assert await uow.submissions.get_many([s.id for s in subs]) == subs
            assert [s.kind for s in subs] == [
                SubmissionKind.PLANT_BATCH_FROM_PACKAGE, SubmissionKind.INGREDIENT_DRAW,
                SubmissionKind.CREATE_HARVEST_PACKAGE,
            ]  # fmt: skip
            assert await uow.submissions.draws_into(package) == [subs[1]]
            sent = SentAs(tag="", item="OG", location="Vault")
            await uow.submissions.save(subs[0].send(START, sent_as=sent).accept(START))
            await uow.commit()
        async with store.uow() as uow:
            assert await uow.submissions.plant_batches_in_metrc({planted}) == {planted}


class TestALateDrawMeetsItsRecordsAcceptance:
    @pytest.mark.parametrize("store", ["postgres"], indirect=True)
    async def test_a_draw_recorded_while_its_package_is_accepted_is_settled_not_left_pending(
        self, store: Store
    ) -> None:
        h = ComplianceHarness()
        harvest = uuid4()
        link = _link(h, "1A4FF0100000022000000999")
        package = link.batch_id
        async with store.uow() as uow:
            await uow.jurisdictions.save(h.rules)
            await uow.links.save(link)
            create = Submission.new(
                id=uuid4(), sequence=await uow.submissions.next_sequence(), license_number="L-1",
                site_id=h.site_id, batch_id=package, now=START, actor="u",
                intent=CreatePackage(
                    quantity=Decimal("100.5"), unit="Grams", product_id="p", product_name="Bulk",
                    location_id=None, source=FromHarvest(str(harvest), "H-1"), date=START.date(),
                ),
            )  # fmt: skip
            await uow.submissions.add(create)
            await uow.commit()
        draw = CultivationChange(
            site_id=h.site_id,
            aggregate_id=harvest,
            intent=IngredientDraw(into_batch_id=package, quantity=Decimal("100.5")),
            actor="grower",
            occurred_at=START,
        )

        async def record_the_draw() -> None:
            async with store.uow() as uow:
                await record_cultivation_changes(uow, [draw], now=START)
                await uow.commit()

        async with store.uow() as accepting:
            sent = create.send(START, sent_as=SentAs(tag="", location="Vault"))
            await store_accepted(accepting, sent, now=START, actor="compliance", metrc_ids=(7,))
            drawing = asyncio.create_task(record_the_draw())
            # Unlocked, the draw commits here having seen no accepted create, after the
            # acceptance looked for draws and found none.
            await asyncio.wait({drawing}, timeout=0.3)
            await accepting.commit()
        await drawing
        async with store.uow() as uow:
            (stored,) = await uow.submissions.draws_into(package)
        assert stored.state is SubmissionState.ACCEPTED


class TestReconciliationReads:
    @pytest.mark.parametrize("store", ["postgres"], indirect=True)
    async def test_a_lot_says_whether_its_package_was_received_by_transfer(
        self, store: Store
    ) -> None:
        h = ComplianceHarness()
        own = _link(h, "1A4FF0100000022000000901")
        received = replace(
            _link(h, "1A4FF0100000022000000902"), source=ReceivedByTransfer("0000000042")
        )
        async with store.uow() as uow:
            await uow.links.save_many([own, received])
            await uow.commit()
        async with store.uow() as uow:
            assert isinstance(uow, ComplianceUnitOfWork)
            lots = await uow.reconciliation.lots("L-1")
        assert {lot.batch_id: lot.received for lot in lots} == {
            own.batch_id: False, received.batch_id: True,
        }  # fmt: skip

    @pytest.mark.parametrize("store", ["postgres"], indirect=True)
    async def test_a_rejected_sale_is_an_open_write_until_its_return_is_recorded(
        self, store: Store
    ) -> None:
        transfer_id = uuid4()

        def sale(sequence: int) -> Submission:
            return Submission.new(
                id=uuid4(), sequence=sequence, license_number="L-1", site_id=uuid4(), batch_id=uuid4(),
                now=START, actor="u",
                intent=TransferOut(
                    quantity=Decimal(5), reference_type="TRANSFER", reference_id=str(transfer_id)
                ),
            )  # fmt: skip

        def settled(accepted: bool) -> ManifestSettlement:
            return ManifestSettlement(
                transfer_id=transfer_id, manifest_number="0000000042", accepted=accepted
            )

        waiting, returned, taken = sale(1), sale(2), sale(3)
        async with store.uow() as uow:
            for s in (waiting, returned, taken):
                await uow.submissions.add(s)
            await uow.submissions.save(waiting.settle_by_manifest(START, settled(False)))
            await uow.submissions.save(
                returned.settle_by_manifest(START, settled(False)).return_recorded()
            )
            await uow.submissions.save(taken.settle_by_manifest(START, settled(True)))
            await uow.commit()
        async with store.uow() as uow:
            assert isinstance(uow, ComplianceUnitOfWork)
            writes = await uow.reconciliation.writes("L-1")
        assert [(w.submission_id, w.state, w.effect) for w in writes] == [
            (waiting.id, SubmissionState.SETTLED, Decimal(-5)),
        ]
