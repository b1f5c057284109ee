"""Contract suite for ``JobStore`` adapters (see ``core.ports.JobStore``).

Ids are random and listings are filtered by a per-test avatar id, so the suite also runs
against a persistent database that holds other jobs.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from avatar_service.core.errors import Conflict, Invalid, NotFound
from avatar_service.core.jobs import (
    Job,
    JobFilter,
    JobKind,
    JobStatus,
    JobUpdate,
    WebhookDelivery,
    WebhookState,
)
from avatar_service.core.ports import JobStore
from avatar_service.core.records import utcnow


def _job(avatar_id: str | None = None, kind: JobKind = JobKind.SEQUENCE) -> Job:
    return Job(
        job_id=f"job_{uuid.uuid4().hex[:24]}",
        kind=kind,
        request={"avatar_id": avatar_id, "nested": {"list": [1, 2.5, "x"]}},
        avatar_id=avatar_id,
        webhook_url="https://example.com/hook",
        webhook_state=WebhookState.PENDING,
    )


def _soon(seconds: float = 60.0) -> tuple[datetime, datetime]:
    now = utcnow()
    return now, now + timedelta(seconds=seconds)


@pytest.mark.contract
class JobStoreContract:
    @pytest.fixture
    def adapter(self) -> JobStore:
        raise NotImplementedError("must be overridden in derived classes")

    def test_a_created_job_reads_back_equal(self, adapter: JobStore) -> None:
        job = _job("av-1")
        adapter.create_job(job)
        got = adapter.get_job(job.job_id)
        assert got.request == job.request and got.kind is JobKind.SEQUENCE
        assert got.status is JobStatus.QUEUED and got.webhook_state is WebhookState.PENDING
        assert got.created_at == job.created_at and got.created_at.utcoffset() is not None

    def test_a_duplicate_id_conflicts_and_a_missing_one_is_not_found(
        self, adapter: JobStore
    ) -> None:
        job = adapter.create_job(_job())
        with pytest.raises(Conflict):
            adapter.create_job(job)
        missing = f"job_{uuid.uuid4().hex}"
        with pytest.raises(NotFound):
            adapter.get_job(missing)
        with pytest.raises(NotFound):
            adapter.update_job(missing, JobUpdate(progress=0.5))
        with pytest.raises(NotFound):
            adapter.claim_job(missing, "w", lease_until=utcnow(), now=utcnow())
        with pytest.raises(NotFound):
            adapter.add_webhook_delivery(WebhookDelivery(missing, 1, "https://x", 200, None, 0.1))

    def test_listing_filters_and_pages_oldest_first(self, adapter: JobStore) -> None:
        avatar = f"av-{uuid.uuid4().hex[:12]}"
        made = [
            adapter.create_job(_job(avatar, JobKind.ANIMATION if i % 2 else JobKind.SEQUENCE))
            for i in range(5)
        ]
        adapter.create_job(_job("someone-else"))
        ids, cursor = [], None
        while True:
            page = adapter.list_jobs(where=JobFilter(avatar_id=avatar), limit=2, cursor=cursor)
            ids += [j.job_id for j in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert ids == [j.job_id for j in made]
        animations = adapter.list_jobs(
            where=JobFilter(avatar_id=avatar, kind=JobKind.ANIMATION), limit=50
        )
        assert [j.job_id for j in animations.items] == [made[1].job_id, made[3].job_id]
        with pytest.raises(Invalid):
            adapter.list_jobs(cursor="not a cursor")

    def test_listing_filters_by_status(self, adapter: JobStore) -> None:
        avatar = f"av-{uuid.uuid4().hex[:12]}"
        queued, running = adapter.create_job(_job(avatar)), adapter.create_job(_job(avatar))
        now, until = _soon()
        adapter.claim_job(running.job_id, "w", lease_until=until, now=now)
        for status, expected in ((JobStatus.QUEUED, queued), (JobStatus.RUNNING, running)):
            page = adapter.list_jobs(where=JobFilter(status=status, avatar_id=avatar))
            assert [j.job_id for j in page.items] == [expected.job_id]

    def test_a_claim_starts_the_job_once(self, adapter: JobStore) -> None:
        job = adapter.create_job(_job())
        now, until = _soon()
        claimed = adapter.claim_job(job.job_id, "w1", lease_until=until, now=now)
        assert claimed is not None
        assert claimed.status is JobStatus.RUNNING and claimed.attempts == 1
        assert claimed.lease_owner == "w1" and claimed.started_at is not None
        assert claimed.version == job.version + 1
        assert adapter.claim_job(job.job_id, "w2", lease_until=until, now=now) is None
        assert adapter.get_job(job.job_id).lease_owner == "w1"

    def test_an_expired_lease_can_be_taken_over(self, adapter: JobStore) -> None:
        job = adapter.create_job(_job())
        now = utcnow()
        first = adapter.claim_job(job.job_id, "w1", lease_until=now + timedelta(seconds=1), now=now)
        assert first is not None
        later = now + timedelta(seconds=2)
        second = adapter.claim_job(
            job.job_id, "w2", lease_until=later + timedelta(seconds=60), now=later
        )
        assert second is not None and second.lease_owner == "w2" and second.attempts == 2
        assert second.started_at == first.started_at

    def test_of_concurrent_claims_exactly_one_wins(self, adapter: JobStore) -> None:
        job = adapter.create_job(_job())
        now, until = _soon()
        barrier = threading.Barrier(8)

        def claim(i: int) -> bool:
            barrier.wait()
            return adapter.claim_job(job.job_id, f"w{i}", lease_until=until, now=now) is not None

        with ThreadPoolExecutor(8) as pool:
            wins = list(pool.map(claim, range(8)))
        assert sum(wins) == 1
        assert adapter.get_job(job.job_id).attempts == 1

    def test_finished_jobs_are_never_claimed(self, adapter: JobStore) -> None:
        job = adapter.create_job(_job())
        adapter.update_job(job.job_id, JobUpdate(status=JobStatus.CANCELLED))
        now, until = _soon()
        assert adapter.claim_job(job.job_id, "w", lease_until=until, now=now) is None

    def test_a_conditional_update_applies_only_when_its_condition_holds(
        self, adapter: JobStore
    ) -> None:
        job = adapter.create_job(_job())
        now, until = _soon()
        adapter.claim_job(job.job_id, "w1", lease_until=until, now=now)
        running = frozenset({JobStatus.RUNNING})
        assert adapter.update_job(job.job_id, JobUpdate(progress=0.5), owner="w2") is None
        assert (
            adapter.update_job(
                job.job_id, JobUpdate(progress=0.5), statuses=frozenset({JobStatus.QUEUED})
            )
            is None
        )
        updated = adapter.update_job(
            job.job_id, JobUpdate(progress=0.5), statuses=running, owner="w1"
        )
        assert updated is not None and updated.progress == 0.5
        done = adapter.update_job(
            job.job_id,
            JobUpdate(
                status=JobStatus.DONE,
                progress=1.0,
                result={"render_id": "rd_x"},
                finished_at=utcnow(),
                clear_lease=True,
            ),
            statuses=running,
            owner="w1",
        )
        assert done is not None and done.status is JobStatus.DONE
        assert done.lease_owner is None and done.lease_expires_at is None
        assert adapter.get_job(job.job_id).result == {"render_id": "rd_x"}
        assert done.version == job.version + 3

    def test_a_failure_keeps_its_problem_and_webhook_state(self, adapter: JobStore) -> None:
        job = adapter.create_job(_job())
        problem = {"kind": "NotFound", "title": "Not found", "detail": "no avatar", "field": "x"}
        adapter.update_job(job.job_id, JobUpdate(status=JobStatus.FAILED, error=problem))
        adapter.update_job(job.job_id, JobUpdate(webhook_state=WebhookState.DELIVERED))
        got = adapter.get_job(job.job_id)
        assert got.error == problem and got.webhook_state is WebhookState.DELIVERED

    def test_deliveries_list_in_attempt_order(self, adapter: JobStore) -> None:
        job = adapter.create_job(_job())
        assert adapter.list_webhook_deliveries(job.job_id) == []
        for attempt, status in ((1, 500), (2, None), (3, 204)):
            adapter.add_webhook_delivery(
                WebhookDelivery(
                    job.job_id,
                    attempt,
                    "https://example.com/hook",
                    status,
                    None if status else "refused",
                    0.25,
                )
            )
        got = adapter.list_webhook_deliveries(job.job_id)
        assert [(d.attempt, d.status_code) for d in got] == [(1, 500), (2, None), (3, 204)]
        assert got[1].error == "refused" and got[2].ok and not got[0].ok
