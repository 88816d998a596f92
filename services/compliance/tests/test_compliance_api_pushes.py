"""The guide's manual operations over HTTP (in-memory unit of work, FakeMetrc): push a batch
to Metrc, retry the failed pushes of a license (all, or the ones named), dismiss one; each
answers what the push round left, with the guide's guidance on what failed."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

from compliance.adapters.metrc import MetrcTransientError
from compliance.domain import OpeningBalance, PushPolicy, SubmissionState
from compliance.testing import LICENSE


class TestPushToMetrc:
    async def test_a_batch_that_waits_for_a_person_enters_metrc_when_pushed(self, compliance_api):
        api = compliance_api
        h = api.h
        await h.save_keys()
        b = h.batch(tag=h.tags[0])  # no source: waits for a manual push
        await h.record(b.created("40"))
        before = await api.client.get(f"/v1/batches/{b.batch_id}/metrc-link", headers=api.officer)
        assert before.json()["state"] == "UNLINKED"
        assert before.json()["problem"]["code"] == "SOURCE_REQUIRED"
        assert before.json()["problem"]["guidance"]
        answer = await api.client.post(
            f"/v1/compliance/batches/{b.batch_id}/push", headers=api.officer
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["link"]["state"] == "LINKED"
        assert body["link"]["tag"] == h.tags[0]
        assert [(s["kind"], s["state"]) for s in body["submissions"]] == [
            ("CREATE_PACKAGE", "ACCEPTED")
        ]
        assert body["submissions"][0]["quantity"] == "40"
        assert body["submissions"][0]["actor"] == "qa-1"
        assert h.package(b).quantity == Decimal(40)

    async def test_pushing_a_batch_in_step_with_metrc_says_so_and_sends_nothing(
        self, compliance_api
    ):
        api = compliance_api
        h = api.h
        await h.save_keys()
        b = h.batch(tag=h.tags[0], source=OpeningBalance())
        await h.record(b.created("10"))
        await h.settle()
        answer = await api.client.post(
            f"/v1/compliance/batches/{b.batch_id}/push", headers=api.officer
        )
        assert [n["code"] for n in answer.json()["notes"]] == ["NOTHING_TO_PUSH"]
        assert len(h.fake.writes) == 1

    async def test_an_unknown_batch_or_one_of_a_site_not_granted_is_not_found(self, compliance_api):
        api = compliance_api
        h = api.h
        b = h.batch(tag=h.tags[0])
        await h.record(b.created("10"))
        outsider = api.caller("compliance:sync", sites=(str(uuid4()),))
        for batch_id, headers in ((uuid4(), api.officer), (b.batch_id, outsider)):
            answer = await api.client.post(
                f"/v1/compliance/batches/{batch_id}/push", headers=headers
            )
            assert answer.status_code == 404
            assert answer.json()["error"]["code"] == "BATCH_NOT_TRACKED"
        assert h.fake.writes == []


class TestRetryAndDismiss:
    async def _failed_creates(self, api, count: int) -> list:
        h = api.h
        h.ctx.policy = PushPolicy(max_attempts=1)
        await h.save_keys()
        for i in range(count):
            await h.record(h.batch(f"B-{i}", tag=h.tags[i], source=OpeningBalance()).created("10"))
        h.fake.fail_next("create_packages", MetrcTransientError("503", status_code=503))
        await h.pusher.push_due()
        subs = h.submissions()
        assert {s.state for s in subs} == {SubmissionState.FAILED}
        return subs

    async def test_every_failed_push_of_a_license_is_retried_in_one_go(self, compliance_api):
        api = compliance_api
        await self._failed_creates(api, 3)
        answer = await api.client.post(
            f"/v1/compliance/licenses/{LICENSE}/retry", json={}, headers=api.officer
        )
        assert answer.status_code == 200, answer.text
        retried = answer.json()["submissions"]
        assert [s["state"] for s in retried] == ["ACCEPTED"] * 3
        assert all(s["manualRetries"] == 1 for s in retried)

    async def test_one_named_failed_push_is_retried_and_the_others_stay_failed(
        self, compliance_api
    ):
        api = compliance_api
        first, second = await self._failed_creates(api, 2)
        answer = await api.client.post(
            f"/v1/compliance/licenses/{LICENSE}/retry",
            json={"submissionIds": [str(first.id)]},
            headers=api.officer,
        )
        assert [s["id"] for s in answer.json()["submissions"]] == [str(first.id)]
        assert api.h.db.submissions[second.id].state is SubmissionState.FAILED

    async def test_retrying_a_submission_of_another_license_or_none_is_not_found(
        self, compliance_api
    ):
        api = compliance_api
        (first,) = await self._failed_creates(api, 1)
        for license_number, ids in (("OTHER-LICENSE", [str(first.id)]), (LICENSE, [str(uuid4())])):
            answer = await api.client.post(
                f"/v1/compliance/licenses/{license_number}/retry",
                json={"submissionIds": ids},
                headers=api.officer,
            )
            assert answer.status_code == 404
            assert answer.json()["error"]["code"] == "SUBMISSION_NOT_FOUND"
        assert api.h.db.submissions[first.id].state is SubmissionState.FAILED

    async def test_a_dismissed_push_is_settled_once_and_a_second_dismissal_conflicts(
        self, compliance_api
    ):
        api = compliance_api
        (first,) = await self._failed_creates(api, 1)
        answer = await api.client.post(
            f"/v1/compliance/submissions/{first.id}/dismiss", headers=api.officer
        )
        assert answer.status_code == 200
        assert answer.json()["dismissedBy"] == "qa-1"
        assert answer.json()["lastError"]["guidance"]
        again = await api.client.post(
            f"/v1/compliance/submissions/{first.id}/dismiss", headers=api.officer
        )
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "SUBMISSION_STATE_CONFLICT"
        unknown = await api.client.post(
            f"/v1/compliance/submissions/{uuid4()}/dismiss", headers=api.officer
        )
        assert unknown.status_code == 404

    async def test_manual_operations_need_compliance_sync(self, compliance_api):
        api = compliance_api
        (first,) = await self._failed_creates(api, 1)
        reader = api.caller("inventory:read", "compliance:manage")
        for path, body in (
            (f"/v1/compliance/batches/{first.batch_id}/push", None),
            (f"/v1/compliance/licenses/{LICENSE}/retry", {}),
            (f"/v1/compliance/submissions/{first.id}/dismiss", None),
        ):
            answer = await api.client.post(path, json=body, headers=reader)
            assert answer.status_code == 403, path
        assert api.h.db.submissions[first.id].state is SubmissionState.FAILED
        assert api.h.db.submissions[first.id].dismissed_at is None
