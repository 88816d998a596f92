"""What was pushed, over HTTP (in-memory unit of work, FakeMetrc): a batch's Metrc link and
its package's writes with why each waits, the ledger and the sync log filtered and paged by
cursor, the notification feed and every license's sync health."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from uuid import uuid4

from compliance.domain import OpeningBalance
from compliance.testing import LICENSE


async def _pushed_batch(api, code: str = "B-1", *, index: int = 0, adjustments: int = 0):
    h = api.h
    b = h.batch(code, tag=h.tags[index], source=OpeningBalance())
    await h.record(b.created("100"))
    for _ in range(adjustments):
        await h.record(b.adjust("-1"))
    return b


def _cursor(*parts: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode()


class TestBatchLink:
    async def test_the_batch_detail_shows_its_metrc_link_and_the_state_of_its_last_push(
        self, compliance_api
    ):
        api = compliance_api
        await api.h.save_keys()
        b = await _pushed_batch(api, adjustments=1)
        reader = api.caller("inventory:read")
        pending = await api.client.get(f"/v1/batches/{b.batch_id}/metrc-link", headers=reader)
        assert pending.status_code == 200
        assert pending.json()["state"] == "PENDING"
        assert pending.json()["lastPush"]["kind"] == "ADJUST_PACKAGE"
        assert pending.json()["lastPush"]["state"] == "PENDING"
        assert pending.json()["lastPush"]["quantity"] == "-1"
        assert pending.json()["openWrites"] == 2
        await api.h.settle()
        linked = (
            await api.client.get(f"/v1/batches/{b.batch_id}/metrc-link", headers=reader)
        ).json()
        assert linked["state"] == "LINKED"
        assert linked["tag"] == b.tag
        assert linked["metrcPackageId"] is not None
        assert linked["plannedQuantity"] == "99"
        assert linked["lastPush"]["state"] == "ACCEPTED"
        assert linked["lastPush"]["metrcReason"] == "Entry Error"
        assert linked["openWrites"] == 0
        assert linked["source"] == {
            "kind": "OPENING_BALANCE",
            "manifestNumber": None,
            "ingredientBatchIds": [],
        }

    async def test_every_write_of_the_package_says_why_it_waits(self, compliance_api):
        api = compliance_api
        b = await _pushed_batch(api, adjustments=2)  # no keys: nothing goes
        answer = await api.client.get(f"/v1/compliance/batches/{b.batch_id}", headers=api.officer)
        assert answer.status_code == 200
        waits = [(s["kind"], s["waitsFor"]) for s in answer.json()["submissions"]]
        assert waits == [
            ("CREATE_PACKAGE", "READY"),
            ("ADJUST_PACKAGE", "BEHIND_EARLIER_WRITE"),
            ("ADJUST_PACKAGE", "BEHIND_EARLIER_WRITE"),
        ]

    async def test_a_batch_of_a_site_the_caller_may_not_see_is_not_found(self, compliance_api):
        api = compliance_api
        b = await _pushed_batch(api)
        outsider = api.caller("inventory:read", "compliance:sync", sites=(str(uuid4()),))
        for path in (
            f"/v1/batches/{b.batch_id}/metrc-link",
            f"/v1/compliance/batches/{b.batch_id}",
        ):
            answer = await api.client.get(path, headers=outsider)
            assert answer.status_code == 404, path
            assert answer.json()["error"]["code"] == "BATCH_NOT_TRACKED"
        unknown = await api.client.get(f"/v1/batches/{uuid4()}/metrc-link", headers=api.officer)
        assert unknown.status_code == 404

    async def test_the_link_needs_inventory_read_and_the_write_list_compliance_sync(
        self, compliance_api
    ):
        api = compliance_api
        b = await _pushed_batch(api)
        reader, syncer = api.caller("inventory:read"), api.caller("compliance:sync")
        assert (
            await api.client.get(f"/v1/compliance/batches/{b.batch_id}", headers=reader)
        ).status_code == 403
        assert (
            await api.client.get(f"/v1/batches/{b.batch_id}/metrc-link", headers=syncer)
        ).status_code == 403


class TestLedgerAndSyncLog:
    async def test_the_ledger_is_filtered_and_paged_newest_first_without_gaps_or_repeats(
        self, compliance_api
    ):
        api = compliance_api
        await api.h.save_keys()
        for i in range(3):
            await _pushed_batch(api, f"B-{i}", index=i, adjustments=1)
        await api.h.settle()
        seen: list[int] = []
        cursor = None
        while True:
            params = {"licenseNumber": LICENSE, "limit": 4, "state": ["ACCEPTED"]}
            if cursor:
                params["cursor"] = cursor
            page = (
                await api.client.get(
                    "/v1/compliance/submissions", params=params, headers=api.officer
                )
            ).json()
            seen += [s["sequence"] for s in page["items"]]
            if not page["hasMore"]:
                assert page["nextCursor"] is None
                break
            cursor = page["nextCursor"]
        assert seen == sorted(seen, reverse=True)
        assert len(seen) == len(set(seen)) == 6
        creates = await api.client.get(
            "/v1/compliance/submissions", params={"kind": "CREATE_PACKAGE"}, headers=api.officer
        )
        assert {s["kind"] for s in creates.json()["items"]} == {"CREATE_PACKAGE"}
        assert len(creates.json()["items"]) == 3

    async def test_the_sync_log_is_queryable_by_license_site_status_type_and_time(
        self, compliance_api
    ):
        api = compliance_api
        await api.h.save_keys()
        started = api.h.clock.now()
        for i in range(3):
            await _pushed_batch(api, f"B-{i}", index=i, adjustments=1)
            await api.h.settle()
        everything = (
            await api.client.get(
                "/v1/compliance/sync-log", params={"limit": 500}, headers=api.officer
            )
        ).json()["items"]
        assert {e["operation"] for e in everything} >= {"credentials.validate", "packages.create"}
        for params, check in (
            ({"licenseNumber": LICENSE}, lambda e: e["licenseNumber"] == LICENSE),
            ({"siteId": str(api.h.site_id)}, lambda e: e["siteId"] == str(api.h.site_id)),
            ({"status": "SUCCESS"}, lambda e: e["status"] == "SUCCESS"),
            ({"operation": "packages.adjust"}, lambda e: e["operation"] == "packages.adjust"),
            ({"since": started.isoformat()}, lambda e: e["startedAt"] >= started.isoformat()),
        ):
            found = (
                await api.client.get("/v1/compliance/sync-log", params=params, headers=api.officer)
            ).json()["items"]
            assert found, params
            assert all(check(e) for e in found), params
        other = await api.client.get(
            "/v1/compliance/sync-log", params={"siteId": str(uuid4())}, headers=api.officer
        )
        assert other.json()["items"] == []
        entry = next(e for e in everything if e["operation"] == "packages.create")
        assert entry["direction"] == "PUSH"
        assert entry["objects"] >= 1
        assert entry["durationMs"] >= 0

    async def test_the_sync_log_pages_by_cursor_through_entries_of_the_same_instant(
        self, compliance_api
    ):
        api = compliance_api
        await api.h.save_keys()
        for i in range(4):  # the manual clock does not move: many entries share an instant
            await _pushed_batch(api, f"B-{i}", index=i)
        await api.h.pusher.push_due()
        total = len(api.h.db.sync_log)
        ids: list[str] = []
        cursor = None
        while True:
            params: dict[str, object] = {"limit": 2}
            if cursor:
                params["cursor"] = cursor
            page = (
                await api.client.get("/v1/compliance/sync-log", params=params, headers=api.officer)
            ).json()
            ids += [e["id"] for e in page["items"]]
            if not page["hasMore"]:
                break
            cursor = page["nextCursor"]
        assert len(ids) == len(set(ids)) == total

    async def test_a_cursor_this_api_did_not_give_out_is_refused(self, compliance_api):
        api = compliance_api
        for path, cursor in (
            ("/v1/compliance/sync-log", "bm90LWEtY3Vyc29y"),
            ("/v1/compliance/submissions", "WyJ4Il0="),
            ("/v1/compliance/sync-log", "%%%"),
            ("/v1/compliance/sync-log", _cursor("0001-01-01T00:00:00+14:00", str(uuid4()))),
            ("/v1/compliance/sync-log", _cursor("2026-03-02T10:00:00", str(uuid4()))),
            ("/v1/compliance/sync-log", _cursor("2026-03-02T10:00:00+00:00", "not-a-uuid")),
            ("/v1/compliance/submissions", _cursor("-5")),
            ("/v1/compliance/submissions", _cursor("99999999999999999999")),
            ("/v1/compliance/submissions", _cursor("²")),
        ):
            answer = await api.client.get(path, params={"cursor": cursor}, headers=api.officer)
            assert answer.status_code == 422, (path, cursor)
            assert answer.json()["error"]["code"] == "VALIDATION_ERROR"

    async def test_a_naive_time_or_an_unknown_parameter_is_refused(self, compliance_api):
        api = compliance_api
        for params in ({"since": "2026-03-02T10:00:00"}, {"state": "LOST"}, {"colour": "red"}):
            answer = await api.client.get(
                "/v1/compliance/submissions", params=params, headers=api.officer
            )
            assert answer.status_code == 422, params


class TestFeedAndHealth:
    async def test_the_feed_lists_open_notifications_of_a_license_newest_first(
        self, compliance_api
    ):
        api = compliance_api
        await api.h.save_keys(user="USER-KEY-0000000000000000")  # refused: KEY_INVALID
        b = api.h.batch(tag=api.h.tags[0])  # no source: BATCH_NOT_PUSHED
        await api.h.record(b.created("5"))
        feed = await api.client.get(
            "/v1/compliance/notifications",
            params={"licenseNumber": LICENSE, "openOnly": "true"},
            headers=api.officer,
        )
        assert feed.status_code == 200
        kinds = [n["kind"] for n in feed.json()]
        assert "KEY_INVALID" in kinds
        assert all(n["licenseNumber"] == LICENSE and n["resolvedAt"] is None for n in feed.json())
        assert all(n["guidance"] for n in feed.json())
        times = [n["createdAt"] for n in feed.json()]
        assert times == sorted(times, reverse=True)

    async def test_sync_health_shows_each_licenses_queue_and_keys(self, compliance_api):
        api = compliance_api
        before = (await api.client.get("/v1/compliance/health", headers=api.officer)).json()
        assert [h["licenseNumber"] for h in before] == [LICENSE]  # from the site's rules
        assert before[0]["keyStatus"] is None
        await api.h.save_keys()
        await _pushed_batch(api, adjustments=1)
        api.h.clock.advance(timedelta(minutes=3))
        (health,) = (await api.client.get("/v1/compliance/health", headers=api.officer)).json()
        assert health["keyStatus"] == "VALID"
        assert health["waiting"] == 2
        assert health["inFlight"] == 0
        assert health["stopped"] == 0
        assert health["oldestWaitingSeconds"] == 180
        await api.h.settle()
        (health,) = (await api.client.get("/v1/compliance/health", headers=api.officer)).json()
        assert health["waiting"] == 0
        assert health["oldestWaitingSeconds"] is None

    async def test_reading_the_log_feed_and_health_needs_compliance_sync(self, compliance_api):
        api = compliance_api
        manager = api.caller("compliance:manage", "inventory:read")
        for path in (
            "/v1/compliance/submissions",
            "/v1/compliance/sync-log",
            "/v1/compliance/notifications",
            "/v1/compliance/health",
        ):
            answer = await api.client.get(path, headers=manager)
            assert answer.status_code == 403, path


class TestLicenseWideDataAndSites:
    async def test_a_caller_granted_some_sites_reads_by_site_and_nothing_license_wide(
        self, compliance_api
    ):
        api = compliance_api
        await api.h.save_keys()
        await _pushed_batch(api)
        await api.h.settle()
        mine = str(api.h.site_id)
        scoped = api.caller("compliance:sync", "compliance:manage", sites=(mine,))
        for path, params in (
            ("/v1/compliance/submissions", {"siteId": mine}),
            ("/v1/compliance/sync-log", {"siteId": mine}),
        ):
            answer = await api.client.get(path, params=params, headers=scoped)
            assert answer.status_code == 200, path
            assert answer.json()["items"], path
        for method, path in (
            ("GET", "/v1/compliance/submissions"),
            ("GET", "/v1/compliance/sync-log"),
            ("GET", "/v1/compliance/notifications"),
            ("GET", "/v1/compliance/health"),
            ("GET", "/v1/compliance/credentials"),
            ("GET", f"/v1/compliance/credentials/{LICENSE}"),
            ("POST", f"/v1/compliance/credentials/{LICENSE}/validate"),
            ("POST", "/v1/compliance/credentials/rotate"),
            ("POST", f"/v1/compliance/licenses/{LICENSE}/retry"),
            ("POST", f"/v1/compliance/submissions/{uuid4()}/dismiss"),
        ):
            body = {} if path.endswith("/retry") else None
            answer = await api.client.request(method, path, json=body, headers=scoped)
            assert answer.status_code == 403, (method, path)
            assert answer.json()["error"]["code"] == "SITE_ACCESS_DENIED"
