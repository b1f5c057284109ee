"""Lip sync from audio alone on the truth corpus (``contracts/truth_corpus.py``): Piper speech
whose true phone onsets come from the model's own durations, held-out sentences only.

Per condition (speaking rate, noise, reverb, sample rate), without a hint, with the transcript
and with another sentence's transcript as a hint (which the service should not follow), on the
``rhubarb`` timeline the service builds from recognised phones
(``core.recognition.recognised_timeline``):
- lips closed (A or X) within [onset - 40 ms, onset + 40 ms] of each true p, b, m;
- an open shape (C-F, or B for i, ɪ, y) at each true vowel's midpoint;
- shapes held over three or more true phones that need different shapes (count);
- true phones whose midpoint shows the rest shape X (the mouth shut mid-speech; X counts as
  closed above, so a recogniser that drops what it heard would score well there);
- shapes shown: how many cues, as a multiple of the cues of the true phones' timeline (a mouth
  that changes shape at every frame would close at every bilabial and hold nothing; this
  figure shows that cost).
As live streams in 20 ms chunks, the same scores of the cues a client holds at the end, and
again after the clip's words with their true times are sent (a ``words`` message); and
recordings sent with their words' true times (``words`` of ``POST /v1/lipsync/audio``). Then speed:
real-time factor of ``POST /v1/lipsync/audio`` over HTTP (a real server on loopback; the first
request, which loads the decoder, is the start-up, stated apart), and the live delay of
``/v1/lipsync/listen``: a 60 s recording sent in 20 ms chunks in real time, from the arrival of
the chunk holding a cue's start to that cue's event. Targets are printed, not asserted; the
machine is shared, so figures carry its load. The true phones through the same timeline come
first: the ceiling its 40 ms shortest cue leaves. With ``RHUBARB`` naming a Rhubarb Lip Sync
executable, the peer runs on the same held-out clips last (``peer_rhubarb``).

    python bench/run.py recognise                    # every recogniser
    python bench/bench_recognise.py phonenet         # one
    RHUBARB=/path/to/rhubarb python bench/run.py recognise
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from avatar_service.adapters.recognizer.phonenet_phones import PhoneNetRecognizer
from avatar_service.adapters.recognizer.pocketsphinx_phones import PocketsphinxRecognizer
from avatar_service.contracts.truth_corpus import TruthClip, truth_clips
from avatar_service.core.audio import encode_wav
from avatar_service.core.ports import PhoneRecognizer, StreamingRecognizer
from avatar_service.core.recognition import TranscriptHint, recognised_timeline, speech_only
from avatar_service.core.speech import Alignment, VisemeCue
from avatar_service.core.usecases.listening import LiveUpdate
from avatar_service.core.usecases.recognition import followed

sys.path.insert(0, os.path.dirname(__file__))
import peer_rhubarb
from lip_scores import Tally, true_timeline
from stats import percentile

RECOGNIZERS: dict[str, Callable[[], PhoneRecognizer]] = {
    "phonenet": PhoneNetRecognizer,
    "pocketsphinx": PocketsphinxRecognizer,
}
HINTS = ("without the transcript", "with the transcript", "with another sentence's transcript")


def report(per: dict[str, Tally], total: Tally, label: str) -> None:
    """A row per condition, the ``label`` row of them all, then where shapes were held."""
    for condition, tally in per.items():
        print(tally.row(condition))
    print(total.row(label))
    if total.held:
        print(total.held_rows())


def accuracy(clips: list[TruthClip], recognizer: PhoneRecognizer, split: str) -> None:
    """Each clip without a hint, with its transcript, and with the next sentence's (sorted)
    transcript, a hint the service should not follow; cues as the service builds them."""
    texts = sorted({clip.text for clip in clips})
    for mode in HINTS:
        print(f"\n-- {split}, {mode} as a hint")
        per: dict[str, Tally] = defaultdict(Tally)
        total, followed_hints = Tally(), 0
        for clip in clips:
            other = texts[(texts.index(clip.text) + 1) % len(texts)]
            text = {HINTS[1]: clip.text, HINTS[2]: other}.get(mode)
            hint = TranscriptHint(text) if text is not None else None
            result = recognizer.recognize(clip.samples, clip.sample_rate, hint)
            phonemes = speech_only(result.phonemes)
            cues = recognised_timeline(
                phonemes, clip.duration, "rhubarb", transcribed=followed(result)
            )
            followed_hints += followed(result)
            per[clip.condition.label].add(clip, cues)
            total.add(clip, cues)
        report(per, total, f"ALL {split}")
        if mode != HINTS[0]:
            print(f"hint followed in {followed_hints} of {len(clips)} clips")
    print("targets: lips closed >= 90%, open at vowels >= 85%, held over 3+ phones 0")
    print("(peer, Rhubarb 1.14 on 16 clips: 65% / 79% without transcript, 73% with)")


def hinted(recognizer: PhoneRecognizer) -> Callable[[np.ndarray, int, str], Alignment]:
    """``recognizer`` reading a stretch with its text, speech only (``RecogniseStretch``)."""

    def recognise(samples: np.ndarray, rate: int, text: str) -> Alignment:
        found = recognizer.recognize(samples, rate, TranscriptHint(text))
        return replace(found, phonemes=speech_only(found.phonemes))

    return recognise


def word_times_accuracy(clips: list[TruthClip], recognizer: PhoneRecognizer, split: str) -> None:
    """Each clip as a recording sent with its words' true times (``words`` of ``POST
    /v1/lipsync/audio``, ``core.word_timings.phones_over_recording``), scored as the rest."""
    from avatar_service.core.word_timings import WordSpan, phones_over_recording

    print(f"\n-- {split}, recordings with each word's times")
    per: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    for clip in clips:
        spans = [WordSpan(w.text, w.onset, w.end) for w in clip.words]
        phonemes, transcribed = phones_over_recording(
            hinted(recognizer), clip.samples, clip.sample_rate, spans
        )
        cues = recognised_timeline(phonemes, clip.duration, "rhubarb", transcribed=transcribed)
        per[clip.condition.label].add(clip, cues)
        total.add(clip, cues)
    report(per, total, f"ALL {split}, word times")


def live_accuracy(
    clips: list[TruthClip], recognizer: StreamingRecognizer, split: str, words: bool = False
) -> None:
    """Each clip as a live stream in 20 ms chunks, no transcript: the cues a client holds
    at its end (``core.usecases.listening``), scored as a recording's. With ``words``, the
    clip's words with their true times are sent once the audio is in (a ``words`` message, as
    a voice agent that knows them would send), and the corrected cues are scored."""
    from avatar_service.core.usecases.listening import ListenSession
    from avatar_service.core.word_timings import WordSpan

    assert isinstance(recognizer, PhoneRecognizer)
    recognise = hinted(recognizer)

    then = "then each word's times" if words else "without the transcript"
    print(f"\n-- {split}, live stream (20 ms chunks), {then}")
    per: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    for clip in clips:
        session = ListenSession(
            recognizer.open_stream(clip.sample_rate),
            clip.sample_rate,
            "rhubarb",
            recognise,
            max_seconds=600.0,
        )
        held: list[tuple[str, float]] = []

        def take(update: LiveUpdate) -> None:
            nonlocal held
            for cue in update.cues:
                held = [c for c in held if c[1] < cue.start] + [(cue.viseme, cue.start)]

        step = clip.sample_rate // 50
        for start in range(0, len(clip.samples), step):
            take(session.feed(clip.samples[start : start + step]))
        if words:
            take(session.words([WordSpan(w.text, w.onset, w.end) for w in clip.words]))
        session.close()
        ends = [start for _, start in held[1:]] + [clip.duration]
        cues = [VisemeCue(v, s, e) for (v, s), e in zip(held, ends, strict=True)]
        per[clip.condition.label].add(clip, cues)
        total.add(clip, cues)
    report(per, total, f"ALL {split}, live" + (" + word times" if words else ""))


def ceiling(clips: list[TruthClip], split: str) -> None:
    """The true phones themselves through the same timeline: what a perfect recogniser would
    score, given the timeline's shortest cue (40 ms, ``AVATAR_LIMITS__MIN_CUE_SECONDS``)."""
    total = Tally()
    for clip in clips:
        total.add(clip, true_timeline(clip))
    print(total.row(f"true phones, {split}"))


def rhubarb(executable: Path, clips: list[TruthClip], split: str) -> None:
    """Rhubarb Lip Sync on the same clips (``peer_rhubarb``): each of its recognisers, without
    and with the transcript, and its median real-time factor."""
    with tempfile.TemporaryDirectory(prefix="rhubarb-") as name:
        for recognizer in peer_rhubarb.RECOGNIZERS:
            for hinted in (False, True):
                total, factors = Tally(), []
                for clip in clips:
                    cues, seconds = peer_rhubarb.mouth_cues(
                        executable, clip, recognizer, hinted, Path(name)
                    )
                    total.add(clip, cues)
                    factors.append(seconds / clip.duration)
                label = f"rhubarb {recognizer}, {'with' if hinted else 'no'} transcript"
                print(total.row(f"{label}, {split}"))
                print(f"{'':<34} real-time factor median {statistics.median(factors):.3f}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve(recognizer: str) -> tuple[str, object]:
    import uvicorn

    from avatar_service.entrypoints.bootstrap import bootstrap
    from avatar_service.entrypoints.http.app import create_app
    from avatar_service.entrypoints.settings import Settings

    settings = Settings(
        tts="mock",
        aligner="mock",
        renderer="mock",
        store="memory",
        blobs="memory",
        recognizer=recognizer,
        _env_file=None,
    )
    container = bootstrap(settings)
    port = _free_port()
    config = uvicorn.Config(create_app(container), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"127.0.0.1:{port}", server


def speed(clips: list[TruthClip], address: str) -> None:
    import httpx

    print("\n-- speed over HTTP (POST /v1/lipsync/audio, WAV, no transcript)")
    wavs = [(encode_wav(c.samples, c.sample_rate), c.duration) for c in clips]
    with httpx.Client(base_url=f"http://{address}", timeout=120) as client:
        started = time.perf_counter()
        first = client.post("/v1/lipsync/audio", files={"audio": ("a.wav", wavs[0][0])})
        cold = time.perf_counter() - started
        assert first.status_code == 200, first.text
        warm = client.post("/v1/lipsync/audio", files={"audio": ("a.wav", wavs[0][0])})
        assert warm.status_code == 200
        warm_seconds = time.perf_counter() - started - cold
        ratios, cpu_ratios, audio = [], [], 0.0
        for wav, duration in wavs:
            cpu = time.process_time()
            begun = time.perf_counter()
            response = client.post("/v1/lipsync/audio", files={"audio": ("a.wav", wav)})
            assert response.status_code == 200, response.text
            ratios.append((time.perf_counter() - begun) / duration)
            cpu_ratios.append((time.process_time() - cpu) / duration)
            audio += duration
    print(
        f"start-up (first request, decoder load included): {cold * 1e3:.0f} ms; "
        f"the same request warm: {warm_seconds * 1e3:.0f} ms"
    )
    print(
        f"RTF wall over {len(wavs)} files ({audio:.0f} s of audio): median "
        f"{statistics.median(ratios):.4f}, p95 {percentile(ratios, 0.95):.4f}; "
        f"CPU of client+server process median {statistics.median(cpu_ratios):.4f}"
    )
    print("target: RTF <= 0.02")


def live_delay(clips: list[TruthClip], address: str, recognizer: StreamingRecognizer) -> None:
    print("\n-- live delay (/v1/lipsync/listen, 60 s in 20 ms chunks, real time)")
    pieces: list[np.ndarray] = []
    seconds = 0.0
    for clip in clips:
        if clip.sample_rate != 16000 or clip.condition.snr_db is not None:
            continue
        pieces += [clip.samples, np.zeros(4000, np.float32)]
        seconds += clip.duration + 0.25
        if seconds >= 60:
            break
    audio = np.concatenate(pieces)[: 60 * 16000]
    live_cost(audio, recognizer)
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    arrivals, events = stream_in_real_time(address, pcm)
    delays = []
    for received, message in events:
        if message["type"] != "viseme" or message["corrected"]:
            continue
        start = float(message["start"])
        index = min(len(arrivals) - 1, int(start / 0.02))
        delays.append(received - arrivals[index])
    corrected = sum(1 for _, m in events if m.get("corrected"))
    print(
        f"{len(delays)} cues ({corrected} corrections): delay p50 "
        f"{percentile(delays, 0.5) * 1e3:.0f} ms, p95 {percentile(delays, 0.95) * 1e3:.0f} ms, "
        f"max {max(delays) * 1e3:.0f} ms"
    )
    print("target: p50 <= 150 ms, p95 <= 250 ms")


def stream_in_real_time(
    address: str, pcm: bytes, after_chunk: Callable[[Any, int], None] | None = None
) -> tuple[list[float], list[tuple[float, dict[str, Any]]]]:
    """``pcm`` (16 kHz PCM16) sent to ``/v1/lipsync/listen`` in 20 ms chunks in real time,
    ``after_chunk(ws, index)`` after each: when each chunk was sent, and each event with when
    it came (``time.perf_counter``)."""
    from websockets.sync.client import connect

    chunk = 640  # bytes: 320 samples, 20 ms
    arrivals: list[float] = []
    events: list[tuple[float, dict[str, Any]]] = []
    with connect(f"ws://{address}/v1/lipsync/listen", max_size=None, ping_interval=None) as ws:
        ws.send(json.dumps({"type": "start", "sample_rate": 16000, "viseme_set": "rhubarb"}))
        json.loads(ws.recv())

        def receive() -> None:
            while True:
                message = json.loads(ws.recv())
                events.append((time.perf_counter(), message))
                if message["type"] == "end":
                    return

        reader = threading.Thread(target=receive)
        reader.start()
        begun = time.perf_counter()
        for index in range(len(pcm) // chunk):
            pause = begun + index * 0.02 - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            arrivals.append(time.perf_counter())
            ws.send(pcm[index * chunk : (index + 1) * chunk])
            if after_chunk is not None:
                after_chunk(ws, index)
        ws.send(json.dumps({"type": "end"}))
        reader.join()
    return arrivals, events


def live_cost(audio: np.ndarray, recognizer: StreamingRecognizer) -> None:
    """The delay's parts that do not depend on the machine's load: how much audio past a cue's
    start had to arrive before the cue was sent, and the CPU time one 20 ms chunk costs."""
    from avatar_service.core.usecases.listening import ListenSession

    session = ListenSession(
        recognizer.open_stream(16000),
        16000,
        "rhubarb",
        lambda *a: None,  # type: ignore[arg-type, return-value]
        max_seconds=600.0,
    )
    lags, costs = [], []
    for start in range(0, len(audio) - 320, 320):
        begun = time.thread_time()
        update = session.feed(audio[start : start + 320])
        costs.append(time.thread_time() - begun)
        lags += [update.heard - c.start for c in update.cues if not c.corrected]
    session.close()
    print(
        f"in-process, no network: audio heard past a cue's start before it is sent p50 "
        f"{percentile(lags, 0.5) * 1e3:.0f} ms, p95 {percentile(lags, 0.95) * 1e3:.0f} ms; "
        f"CPU per 20 ms chunk p50 {percentile(costs, 0.5) * 1e3:.1f} ms, "
        f"p95 {percentile(costs, 0.95) * 1e3:.1f} ms"
    )


def main() -> int:
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    names = [a for a in sys.argv[1:] if a in RECOGNIZERS] or list(RECOGNIZERS)
    tuning, clips = truth_clips("tuning"), truth_clips("heldout")
    print("\n-- the ceiling: the true phones as the timeline shows them")
    ceiling(tuning, "tuning")
    ceiling(clips, "held-out")
    for name in names:
        print(f"\n===== recogniser {name}")
        recognizer = RECOGNIZERS[name]()
        accuracy(tuning, recognizer, "tuning")
        accuracy(clips, recognizer, "held-out")
        word_times_accuracy(tuning, recognizer, "tuning")
        word_times_accuracy(clips, recognizer, "held-out")
        assert isinstance(recognizer, StreamingRecognizer)
        live_accuracy(tuning, recognizer, "tuning")
        live_accuracy(clips, recognizer, "held-out")
        live_accuracy(tuning, recognizer, "tuning", words=True)
        live_accuracy(clips, recognizer, "held-out", words=True)
        address, server = serve(name)
        speed(clips, address)
        live_delay(clips, address, recognizer)
        server.should_exit = True  # type: ignore[attr-defined]
    executable = peer_rhubarb.binary()
    if executable is None:
        print("\n(RHUBARB names no Rhubarb Lip Sync executable: the peer is not run)")
    else:
        print(f"\n===== peer: {executable}")
        rhubarb(executable, clips, "held-out")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
