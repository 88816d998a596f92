"""The guide's manual operations: push a batch, retry failed pushes, dismiss one."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from uuid import uuid4

import pytest
from compliance.adapters.metrc import MetrcTransientError
from compliance.domain import (
    InvalidTransitionError,
    LinkState,
    OpeningBalance,
    ProblemCode,
    PushDismissed,
    PushPolicy,
    PushRetried,
    SubmissionState,
)
from compliance.service_layer import DismissSubmission, NotFoundError, PushBatch, RetryFailed
from compliance.testing import LICENSE, ComplianceHarness


class TestPushToMetrc:
    async def test_a_batch_from_before_the_integration_enters_metrc_with_its_current_quantity(
        self,
    ) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        rules = h.db.rules.pop(h.site_id)  # the site was not set up for Metrc yet
        b = h.batch(tag=h.tags[0], source=OpeningBalance())
        await h.record(b.created("100"))
        await h.record(b.adjust("-20"))
        h.db.rules[h.site_id] = rules
        await h.record(b.adjust("-5"))  # still not pushed: it waits for a person
        assert h.fake.writes == []
        result = await h.manual.push_batch(PushBatch(batch_id=b.batch_id, actor="qa"))
        assert result.link.state is LinkState.LINKED
        assert [s.state for s in result.submissions] == [SubmissionState.ACCEPTED]
        assert h.package(b).quantity == Decimal(75)  # type: ignore[union-attr]
        assert result.submissions[0].actor == "qa"

    async def test_a_failed_push_is_retried_with_the_same_validation_after_the_cause_is_fixed(
        self,
    ) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        b = h.batch(tag=h.tags[0], source=OpeningBalance(), product_name="Blue Dream Eighth")
        await h.record(b.created("100"))
        await h.record(b.adjust("-1"))
        await h.settle()
        first, second = h.submissions(b)
        assert first.state is SubmissionState.REJECTED
        assert first.last_error is not None
        assert first.last_error.code is ProblemCode.ITEM_NOT_FOUND
        assert second.state is SubmissionState.PENDING  # held behind the failed create
        # The compliance team maps the product to the Metrc item, then pushes again.
        h.db.rules[h.site_id] = replace(h.rules, item_map={"product-1": "Blue Dream 3.5g"})
        result = await h.manual.push_batch(PushBatch(batch_id=b.batch_id, actor="qa"))
        assert [s.state for s in result.submissions] == [SubmissionState.ACCEPTED] * 2
        assert h.package(b).quantity == Decimal(99)  # type: ignore[union-attr]
        retried = [e for e in h.db.events if isinstance(e, PushRetried)]
        assert [(e.submission_id, e.actor) for e in retried] == [(first.id, "qa")]

    async def test_pushing_a_batch_in_step_with_metrc_says_so(self) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        b = h.batch(tag=h.tags[0], source=OpeningBalance())
        await h.record(b.created("100"))
        await h.settle()
        result = await h.manual.push_batch(PushBatch(batch_id=b.batch_id, actor="qa"))
        assert [n.code for n in result.notes] == [ProblemCode.NOTHING_TO_PUSH]
        assert len(h.fake.writes) == 1

    async def test_pushing_a_batch_compliance_never_heard_of_is_a_clear_error(self) -> None:
        h = ComplianceHarness()
        with pytest.raises(NotFoundError) as raised:
            await h.manual.push_batch(PushBatch(batch_id=uuid4(), actor="qa"))
        assert raised.value.code == "BATCH_NOT_TRACKED"


class TestRetryAndDismiss:
    async def test_all_failed_pushes_of_a_license_are_retried_in_one_go(self) -> None:
        h = ComplianceHarness(policy=PushPolicy(max_attempts=1))
        await h.save_keys()
        batches = []
        for i in range(3):
            b = h.batch(f"B-{i}", tag=h.tags[i], source=OpeningBalance())
            await h.record(b.created("10"))
            batches.append(b)
        h.fake.fail_next("create_packages", MetrcTransientError("503", status_code=503))
        await h.pusher.push_due()
        assert {s.state for s in h.submissions()} == {SubmissionState.FAILED}
        retried = await h.manual.retry_failed(RetryFailed(license_number=LICENSE, actor="qa"))
        assert [s.state for s in retried] == [SubmissionState.ACCEPTED] * 3
        assert all(s.manual_retries == 1 and s.attempts == 1 for s in retried)

    async def test_one_named_failed_push_is_retried(self) -> None:
        h = ComplianceHarness(policy=PushPolicy(max_attempts=1))
        await h.save_keys()
        for i in range(2):
            await h.record(h.batch(f"B-{i}", tag=h.tags[i], source=OpeningBalance()).created("10"))
        h.fake.fail_next("create_packages", MetrcTransientError("503", status_code=503))
        await h.pusher.push_due()
        first, second = h.submissions()
        (retried,) = await h.manual.retry_failed(
            RetryFailed(license_number=LICENSE, actor="qa", submission_ids=(first.id,))
        )
        assert retried.state is SubmissionState.ACCEPTED
        assert h.db.submissions[second.id].state is SubmissionState.FAILED

    async def test_retrying_an_unknown_submission_is_a_clear_error(self) -> None:
        h = ComplianceHarness()
        with pytest.raises(NotFoundError) as raised:
            await h.manual.retry_failed(
                RetryFailed(license_number=LICENSE, actor="qa", submission_ids=(uuid4(),))
            )
        assert raised.value.code == "SUBMISSION_NOT_FOUND"

    async def test_dismissing_a_failed_write_lets_the_writes_behind_it_go(self) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        b = h.batch(tag=h.tags[0], source=OpeningBalance())
        await h.record(b.created("100"))
        await h.settle()
        facility = h.fake.facilities[LICENSE]
        facility.packages[b.tag] = facility.packages[b.tag].model_copy(
            update={"quantity": Decimal(1)}
        )  # type: ignore[index]
        await h.record(b.adjust("-50"))  # Metrc refuses: it holds 1
        await h.record(b.move("10", "back"))
        await h.record(b.adjust("+30", "REWEIGH"))
        await h.settle()
        rejected = next(s for s in h.submissions(b) if s.state is SubmissionState.REJECTED)
        assert [s.state for s in h.submissions(b)][-1] is SubmissionState.PENDING
        # The team corrects the package in Metrc by hand and dismisses the failed write.
        dismissed = await h.manual.dismiss(DismissSubmission(submission_id=rejected.id, actor="qa"))
        assert dismissed.dismissed_by == "qa"
        await h.settle()
        assert [s.state for s in h.submissions(b)][-1] is SubmissionState.ACCEPTED
        assert any(isinstance(e, PushDismissed) for e in h.db.events)
        with pytest.raises(InvalidTransitionError):
            await h.manual.dismiss(DismissSubmission(submission_id=rejected.id, actor="qa"))
