"""The job use case over the memory store and the mock renderer: submit, run (claim, lease,
idempotent retry), cancel, resume, and signed webhooks retried with backoff."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from avatar_service.adapters.aligner.mock import MockAligner
from avatar_service.adapters.blobs.memory import MemoryBlobStore
from avatar_service.adapters.jobs.embedded import EmbeddedJobQueue
from avatar_service.adapters.renderer.mock import MockRenderer
from avatar_service.adapters.store.memory import MemoryStore
from avatar_service.adapters.tts.mock import MockSynthesizer
from avatar_service.core import job_requests
from avatar_service.core.avatar import AvatarState
from avatar_service.core.errors import Conflict, Invalid, NotFound, Unavailable
from avatar_service.core.jobs import Job, JobFilter, JobKind, JobStatus, JobUpdate, WebhookState
from avatar_service.core.limits import Limits
from avatar_service.core.records import Avatar, Namespace, utcnow
from avatar_service.core.speech import VisemeCue
from avatar_service.core.usecases.jobs import JobPolicy, JobUseCases
from avatar_service.core.usecases.render_requests import (
    Animation,
    AnimationRequest,
    SequenceRequest,
)
from avatar_service.core.usecases.rendering import RenderUseCases
from avatar_service.core.usecases.speech import SpeechRequest, SpeechUseCases
from avatar_service.core.usecases.webhook_delivery import UNREACHABLE, DeliveryPolicy
from avatar_service.core.webhooks import BadSignature, sign, verify_signature

SECRET = "s3cret"
HOOK = "https://receiver.example/hook"


@dataclass
class FakeSender:
    """Answers with ``answers`` in turn (an int status, or ``None``: no answer at all)."""

    answers: list[int | None] = field(default_factory=lambda: [204])
    posts: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        self.posts.append((url, body, dict(headers)))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if answer is None:
            raise Unavailable("connection refused")
        return answer

    def check(self) -> None:
        return None


@dataclass
class World:
    jobs: JobUseCases
    rendering: RenderUseCases
    store: MemoryStore
    blobs: MemoryBlobStore
    queue: EmbeddedJobQueue
    sender: FakeSender
    sleeps: list[float]


def _world(delay: float = 0.0, attempts: int = 3, secret: str | None = SECRET) -> World:
    store, blobs = MemoryStore(), MemoryBlobStore()
    store.create_avatar(Avatar("ava", "Ava", AvatarState()))
    limits = Limits()
    speech = SpeechUseCases(MockSynthesizer(), MockAligner(), store, blobs, limits)
    rendering = RenderUseCases(MockRenderer(frame_delay=delay), store, blobs, speech, limits)
    queue, sender, sleeps = EmbeddedJobQueue(), FakeSender(), []
    policy = JobPolicy(
        lease_seconds=30.0,
        delivery=DeliveryPolicy(secret=secret, max_attempts=attempts, backoff_base=0.5),
    )
    jobs = JobUseCases(store, store, queue, rendering, sender, policy, sleep=sleeps.append)
    return World(jobs, rendering, store, blobs, queue, sender, sleeps)


def _blink(**kw: object) -> AnimationRequest:
    return AnimationRequest(
        "ava",
        Animation.BLINK,
        duration=1.0,
        width=32,
        height=32,
        fps=10,
        **kw,  # type: ignore[arg-type]
    )


def test_a_submitted_job_is_queued_and_a_run_makes_its_render() -> None:
    w = _world()
    job = w.jobs.submit(_blink())
    assert job.status is JobStatus.QUEUED and job.kind is JobKind.ANIMATION
    assert w.queue.depth() == 1
    w.jobs.run(job.job_id)
    done = w.jobs.get(job.job_id)
    assert done.status is JobStatus.DONE and done.progress == 1.0 and done.attempts == 1
    assert done.result is not None and done.result["render_id"] == job.render_id
    assert done.result["video_url"] == f"/v1/renders/{job.render_id}"
    assert w.store.get_render(job.render_id).frames == 10
    assert done.lease_owner is None and done.finished_at is not None


def test_running_a_finished_job_again_makes_no_second_render() -> None:
    w = _world()
    job = w.jobs.submit(_blink())
    w.jobs.run(job.job_id)
    w.jobs.run(job.job_id)
    assert len(w.store.list_renders(avatar_id="ava").items) == 1
    assert w.jobs.get(job.job_id).attempts == 1


def test_a_job_whose_render_an_earlier_attempt_stored_completes_without_a_second() -> None:
    w = _world()
    job = w.jobs.submit(_blink())
    earlier = w.rendering.animate(_blink(), render_id=job.render_id)  # then that worker died
    w.jobs.run(job.job_id)
    done = w.jobs.get(job.job_id)
    assert done.status is JobStatus.DONE and done.result is not None
    assert done.result["frames"] == earlier.frames
    assert len(w.store.list_renders(avatar_id="ava").items) == 1
    assert [b.name for b in w.blobs.list(Namespace.RENDERS)] == [f"{job.render_id}.gif"]


def test_a_blob_left_by_an_interrupted_attempt_is_replaced_not_a_conflict() -> None:
    w = _world()
    job = w.jobs.submit(_blink())
    w.blobs.write(Namespace.RENDERS, f"{job.render_id}.gif", [b"partial"], max_size=10**6)
    w.jobs.run(job.job_id)
    assert w.jobs.get(job.job_id).status is JobStatus.DONE
    assert w.blobs.stat(Namespace.RENDERS, f"{job.render_id}.gif").size > len(b"partial")


def test_a_live_lease_is_waited_for_once_then_left_to_its_holder() -> None:
    w = _world()
    job = w.jobs.submit(_blink())
    now = utcnow()
    w.store.claim_job(job.job_id, "alive", lease_until=now + timedelta(seconds=5), now=now)
    w.jobs.run(job.job_id)  # sleeps are recorded, not slept: the lease is still live after
    assert len(w.sleeps) == 1 and 4.0 < w.sleeps[0] <= 5.1
    held = w.jobs.get(job.job_id)
    assert held.status is JobStatus.RUNNING and held.lease_owner == "alive"
    assert w.store.list_renders(avatar_id="ava").items == ()


def test_an_expired_lease_is_taken_over_and_the_job_completes() -> None:
    w = _world()
    job = w.jobs.submit(_blink())
    past = utcnow() - timedelta(seconds=60)
    w.store.claim_job(job.job_id, "dead", lease_until=past + timedelta(seconds=1), now=past)
    w.jobs.run(job.job_id)
    done = w.jobs.get(job.job_id)
    assert done.status is JobStatus.DONE and done.attempts == 2 and w.sleeps == []


def test_a_request_a_render_would_refuse_is_refused_at_submission() -> None:
    w = _world()
    with pytest.raises(NotFound) as caught:
        w.jobs.submit(AnimationRequest("nobody", Animation.NOD, width=32, height=32))
    assert caught.value.field == "avatar_id"
    with pytest.raises(Invalid) as invalid:
        w.jobs.submit(AnimationRequest("ava", Animation.NOD, width=32, height=32, format="bmp"))
    assert invalid.value.field == "format"
    assert not w.jobs.list_jobs().items


def test_a_render_error_fails_the_job_with_its_problem() -> None:
    w = _world()
    job = w.jobs.submit(AnimationRequest("ava", Animation.NOD, width=32, height=32))
    w.store.delete_avatar("ava")  # gone between submission and the run
    w.jobs.run(job.job_id)
    failed = w.jobs.get(job.job_id)
    assert failed.status is JobStatus.FAILED
    assert failed.error is not None and failed.error["kind"] == "NotFound"
    assert failed.error["field"] == "avatar_id" and "ava" in failed.error["detail"]


def test_cancelling_a_queued_job_stops_it_and_a_finished_one_conflicts() -> None:
    w = _world()
    job = w.jobs.submit(_blink())
    assert w.jobs.cancel(job.job_id).status is JobStatus.CANCELLED
    w.jobs.run(job.job_id)
    assert w.jobs.get(job.job_id).status is JobStatus.CANCELLED
    assert w.store.list_renders(avatar_id="ava").items == ()
    with pytest.raises(Conflict, match="already cancelled"):
        w.jobs.cancel(job.job_id)


def test_cancelling_a_running_job_stops_the_render_at_its_next_progress() -> None:
    w = _world(delay=0.05)
    job = w.jobs.submit(
        AnimationRequest("ava", Animation.IDLE, duration=4.0, width=32, height=32, fps=25)
    )
    worker = threading.Thread(target=w.jobs.run, args=(job.job_id,))
    worker.start()
    deadline = time.monotonic() + 5
    while w.jobs.get(job.job_id).status is not JobStatus.RUNNING:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    w.jobs.cancel(job.job_id)
    started = time.monotonic()
    worker.join(timeout=10)
    assert not worker.is_alive() and time.monotonic() - started < 3.0
    assert w.jobs.get(job.job_id).status is JobStatus.CANCELLED
    assert w.store.list_renders(avatar_id="ava").items == ()


def test_the_webhook_is_signed_and_carries_the_final_status() -> None:
    w = _world()
    job = w.jobs.submit(_blink(), webhook_url=HOOK)
    w.jobs.run(job.job_id)
    [(url, body, headers)] = w.sender.posts
    assert url == HOOK and headers["Avatar-Event"] == "job.done"
    assert headers["Avatar-Delivery"] == f"{job.job_id}.done"
    verify_signature(SECRET, headers["Avatar-Signature"], body)
    event = json.loads(body)
    assert event["type"] == "job.done" and event["job"]["result"]["render_id"] == job.render_id
    assert w.jobs.get(job.job_id).webhook_state is WebhookState.DELIVERED
    [delivery] = w.jobs.deliveries(job.job_id)
    assert delivery.status_code == 204 and delivery.attempt == 1


def test_a_failing_webhook_is_retried_with_doubling_backoff_until_it_succeeds() -> None:
    w = _world(attempts=5)
    w.sender.answers = [500, None, 200]
    job = w.jobs.submit(_blink(), webhook_url=HOOK)
    w.jobs.run(job.job_id)
    deliveries = w.jobs.deliveries(job.job_id)
    assert [(d.attempt, d.status_code) for d in deliveries] == [(1, 500), (2, None), (3, 200)]
    assert deliveries[1].error == UNREACHABLE  # never the network's reason
    assert w.sleeps == [0.5, 1.0]
    assert w.jobs.get(job.job_id).webhook_state is WebhookState.DELIVERED


def test_a_webhook_is_given_up_after_the_bounded_number_of_attempts() -> None:
    w = _world(attempts=3)
    w.sender.answers = [503]
    job = w.jobs.submit(_blink(), webhook_url=HOOK)
    w.jobs.run(job.job_id)
    assert len(w.sender.posts) == 3 and w.sleeps == [0.5, 1.0]
    assert w.jobs.get(job.job_id).webhook_state is WebhookState.FAILED
    w.jobs.run(job.job_id)  # a redelivered id sends nothing more
    assert len(w.sender.posts) == 3


@pytest.mark.parametrize("url", ["ftp://x/y", "not a url", "https://", "http://x/" + "a" * 2100])
def test_a_webhook_url_must_be_http(url: str) -> None:
    with pytest.raises(Invalid) as caught:
        _world().jobs.submit(_blink(), webhook_url=url)
    assert caught.value.field == "webhook_url"


def test_webhooks_need_a_secret() -> None:
    with pytest.raises(Invalid, match="AVATAR_JOB__WEBHOOK_SECRET"):
        _world(secret=None).jobs.submit(_blink(), webhook_url=HOOK)


def test_resume_hands_queued_and_running_jobs_back_to_the_queue() -> None:
    w = _world()
    queued, running, done = (w.jobs.submit(_blink()) for _ in range(3))
    w.jobs.run(done.job_id)
    now = utcnow()
    w.store.claim_job(running.job_id, "gone", lease_until=now, now=now)
    before = w.queue.depth()
    assert w.jobs.resume() == 2 and w.queue.depth() == before + 2
    listed = w.jobs.list_jobs(JobFilter(status=JobStatus.QUEUED))
    assert [j.job_id for j in listed.items] == [queued.job_id]


def test_embedded_workers_run_submitted_jobs() -> None:
    w = _world()
    w.jobs.serve(2)
    try:
        ids = [w.jobs.submit(_blink()).job_id for _ in range(4)]
        deadline = time.monotonic() + 10
        while not all(w.jobs.get(i).status is JobStatus.DONE for i in ids):
            assert time.monotonic() < deadline, [w.jobs.get(i).status for i in ids]
            time.sleep(0.02)
    finally:
        w.queue.close()


def test_render_requests_round_trip_through_their_stored_form() -> None:
    sequence = SequenceRequest(
        "ava",
        audio_id="au_1",
        cues=(VisemeCue("sil", 0.0, 0.2), VisemeCue("aa", 0.2, 0.5)),
        width=64,
        height=48,
        fps=30,
        format="webm",
        session_id="se",
        preset_id="pr",
        expressions=((0.1, "happy"),),
    )
    talk = AnimationRequest(
        "ava",
        Animation.TALK,
        speech=SpeechRequest("<speak>Hi there</speak>", "en-us", avatar_id="ava", ssml=True),
        format="gif",
    )
    for request in (sequence, talk, _blink()):
        stored = json.loads(json.dumps(job_requests.to_dict(request)))
        assert job_requests.from_dict(job_requests.kind_of(request), stored) == request
    with pytest.raises(Invalid):
        job_requests.from_dict(JobKind.SEQUENCE, {"width": 64})  # no avatar


def test_a_signature_fails_for_another_secret_an_altered_body_or_an_old_timestamp() -> None:
    now = int(time.time())
    header = sign(SECRET, b'{"a":1}', now)
    assert verify_signature(SECRET, header, b'{"a":1}') == now
    for secret, body, at in (
        (SECRET + "x", b'{"a":1}', now),
        (SECRET, b'{"a":2}', now),
        (SECRET, b'{"a":1}', now + 3600),
    ):
        with pytest.raises(BadSignature):
            verify_signature(secret, header, body, now=at)
    for bad in (None, "", "v1=abc", "t=x,v1=abc"):
        with pytest.raises(BadSignature):
            verify_signature(SECRET, bad, b"{}")


def test_a_queued_job_whose_message_never_reached_the_queue_is_handed_to_it_again() -> None:
    w = _world()
    request = job_requests.to_dict(_blink())
    stranded = Job(
        "job_stranded",
        JobKind.ANIMATION,
        request,
        avatar_id="ava",
        created_at=utcnow() - timedelta(minutes=5),
    )
    w.store.create_job(stranded)  # the row was written; the API stopped before the send
    w.store.create_job(Job("job_fresh", JobKind.ANIMATION, request, avatar_id="ava"))
    assert w.queue.depth() == 0
    assert w.jobs.requeue_stranded(60.0) == 1  # the fresh one may still be on its way
    assert w.queue.depth() == 1
    assert w.jobs.requeue_stranded(60.0) == 0  # while the queue holds messages: no sweep
    w.jobs.run("job_stranded")
    assert w.jobs.get("job_stranded").status is JobStatus.DONE


@pytest.mark.parametrize("progress", [-0.1, 1.5])
def test_progress_outside_zero_to_one_is_invalid(progress: float) -> None:
    with pytest.raises(Invalid) as caught:
        JobUpdate(progress=progress)
    assert caught.value.field == "progress"
