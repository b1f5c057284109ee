"""Speech benchmarks: lip sync over HTTP (espeak, and joe: the neural voice installed with the
project), synthesis real-time factor, the Piper adapter's overhead over piper-tts itself (on a
built voice and on joe), the cold start of ``avatar serve`` with joe loaded, and dtw alignment
accuracy and speed.

    python bench/bench_speech.py [http] [http_joe] [piper] [piper_joe] [cold] [dtw]

HTTP figures come from a real uvicorn server on 127.0.0.1 (httpx client with keep-alive),
with the in-memory store and blobs so the figure is speech, not storage. Targets are printed
beside the figures, not asserted.
"""

from __future__ import annotations

import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import uvicorn

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "adapters"))

from stats import percentile, summary, timed  # noqa: E402

from avatar_service.adapters.aligner.dtw import DtwAligner  # noqa: E402
from avatar_service.adapters.tts.espeak import EspeakSynthesizer  # noqa: E402
from avatar_service.adapters.tts.piper import PiperSynthesizer  # noqa: E402
from avatar_service.core.ports import SynthesisRequest  # noqa: E402
from avatar_service.core.speech import SynthesisOptions  # noqa: E402
from avatar_service.entrypoints.bootstrap import bootstrap  # noqa: E402
from avatar_service.entrypoints.http.app import create_app  # noqa: E402
from avatar_service.entrypoints.logging import configure_logging  # noqa: E402
from avatar_service.entrypoints.settings import Settings  # noqa: E402
from avatar_service.plugins.manager import make_plugin_manager  # noqa: E402

SENTENCE_20 = (
    "Please call me back when you have a moment to talk about the plan for the office "
    "on Monday morning."
)  # 20 words
PARAGRAPH = (
    "The quick brown fox jumps over the lazy dog. Please call me back when you have a moment "
    "to talk about the plan. She sells sea shells by the sea shore, and the shells she sells "
    "are surely sea shells. "
)


def serve(app: object) -> tuple[uvicorn.Server, str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return server, f"http://127.0.0.1:{port}"


def bench_http(tts: str = "espeak", rounds: int = 200, target: str = "p50 <= 30 ms") -> None:
    name = "espeak" if tts == "espeak" else "joe (neural, the default voice)"
    print(f"POST /v1/lipsync, {name}, 20 words ({len(SENTENCE_20.split())}): uvicorn on loopback")
    settings = Settings(
        tts=tts,
        aligner="dtw",
        renderer="mock",
        store="memory",
        blobs="memory",
        log={"level": "warning"},
        _env_file=None,
    )
    configure_logging(settings)
    container = bootstrap(settings, plugin_manager=make_plugin_manager(load_entrypoints=False))
    server, base = serve(create_app(container))
    try:
        with httpx.Client(base_url=base, timeout=300) as client:

            def lipsync() -> None:
                response = client.post("/v1/lipsync", json={"text": SENTENCE_20})
                response.raise_for_status()

            speech = container.adapters.synthesizer

            def synthesize() -> None:
                speech.synthesize(SynthesisRequest(SENTENCE_20))

            http: list[float] = []
            direct: list[float] = []
            timed(lipsync, repeat=1, warmup=3)
            for _ in range(rounds):  # interleaved: load on the shared machine hits both alike
                http += timed(lipsync, repeat=1, warmup=0)
                direct += timed(synthesize, repeat=1, warmup=0)
            duration = speech.synthesize(SynthesisRequest(SENTENCE_20)).duration
    finally:
        server.should_exit = True
    print("  " + summary("HTTP lipsync", http) + f"   target {target}")
    print("  " + summary("synthesize alone (baseline)", direct))
    print(
        f"  HTTP + viseme + storage overhead over synthesis: "
        f"{(statistics.median(http) - statistics.median(direct)) * 1e3:.2f} ms at p50"
    )
    rtf = statistics.median(direct) / duration
    print(f"  synthesis real-time factor: {rtf:.4f} ({duration:.2f} s of audio, {1 / rtf:.0f}x)")


def bench_http_joe() -> None:
    bench_http("auto", rounds=8, target="(none set; see the RTF)")


def bench_piper(joe: bool = False) -> None:
    from piper import PiperVoice, SynthesisConfig
    from piper_voice import build_voice

    from avatar_service.adapters.tts import piper_inference
    from avatar_service.plugins.voice_packages import installed_voices

    which = "joe (en_US-joe-medium)" if joe else "built"
    print(f"piper adapter vs PiperVoice.synthesize on the same {which} voice (20 words)")
    # The adapter runs piper-tts' public steps itself (phonemize, phoneme ids,
    # phoneme_ids_to_audio) with the same samples, bit for bit
    # (tests/adapters/test_piper_inference.py), so its figure can be below the baseline.
    rounds = 20 if joe else 150
    with tempfile.TemporaryDirectory() as folder:
        model = build_voice(Path(folder), "en_US-tiny-bench")
        models = installed_voices() if joe else []
        cache = Path(folder) / "cache"
        if joe:
            adapter = PiperSynthesizer(models=models, cache_dir=cache)
        else:
            adapter = PiperSynthesizer(model_path=model, cache_dir=cache)
        adapter.synthesize(SynthesisRequest(SENTENCE_20))
        # The very PiperVoice (onnxruntime session) the adapter loaded: two sessions of one
        # model differ by a millisecond or more per call, more than the overhead measured.
        voice = adapter._voice(adapter._entry(None))
        assert isinstance(voice, PiperVoice)
        # No word phoneme cache: every call phonemizes every word (text never seen before).
        cold_adapter = PiperSynthesizer(
            model_path=None if joe else model, models=models, word_cache_size=0, cache_dir=cache
        )
        cold_adapter._loaded = adapter._loaded  # the same session again
        cold_adapter.synthesize(SynthesisRequest(SENTENCE_20))

        def direct() -> None:
            audio = [
                c.audio_float_array for c in voice.synthesize(SENTENCE_20, include_alignments=True)
            ]
            np.concatenate(audio)

        def through_adapter() -> None:
            adapter.synthesize(SynthesisRequest(SENTENCE_20))

        def through_cold_adapter() -> None:
            cold_adapter.synthesize(SynthesisRequest(SENTENCE_20))

        # The adapter's own audio path (piper-tts' public steps, no timings): the adapter
        # minus this is what its phoneme and word timings cost.
        config = SynthesisConfig(length_scale=voice.config.length_scale)

        def audio_only() -> None:
            piper_inference.synthesize(voice, SENTENCE_20, config)

        base: list[float] = []
        ours: list[float] = []
        cold: list[float] = []
        bare: list[float] = []
        for _ in range(3):
            for warm_up in (direct, through_adapter, through_cold_adapter, audio_only):
                warm_up()
        runs = [
            (direct, base),
            (through_adapter, ours),
            (through_cold_adapter, cold),
            (audio_only, bare),
        ]
        for index in range(rounds):
            # Interleaved, so load on the shared machine hits all alike, and rotated: a call's
            # place in the round alone moves its time by a millisecond or more.
            turn = index % len(runs)
            for call, figures in runs[turn:] + runs[:turn]:
                figures += timed(call, repeat=1, warmup=0)
        duration = adapter.synthesize(SynthesisRequest(SENTENCE_20)).duration
    print("  " + summary("PiperVoice.synthesize (baseline, with alignments)", base))
    print("  " + summary("PiperSynthesizer.synthesize (+ timings)", ours))
    print("  " + summary("PiperSynthesizer.synthesize, no word cache", cold))
    print("  " + summary("the adapter's audio path alone (no timings)", bare))
    for label, figures in (("warm word cache", ours), ("no word cache", cold)):
        overhead = statistics.median(figures) / statistics.median(base) - 1
        extra = (statistics.median(figures) - statistics.median(base)) * 1e3
        print(
            f"  adapter overhead at p50, {label}: {overhead * 100:+.1f}% ({extra:.2f} ms per "
            f"call, {duration:.2f} s of audio)   target <= 5%"
        )
    rtf = statistics.median(ours) / duration
    print(f"  real-time factor through the adapter: {rtf:.3f} ({1 / rtf:.1f}x real time)")
    for label, figures in (("warm word cache", ours), ("no word cache", cold)):
        # Calls of one round ran back to back, so their ratio sees the same machine load.
        paired = statistics.median(f / b for f, b in zip(figures, base, strict=True)) - 1
        cost = (statistics.median(figures) - statistics.median(bare)) * 1e3
        print(
            f"  {label}: median of per-round ratios to the baseline {paired * 100:+.1f}%; "
            f"timings (phonemes, words) cost {cost:.2f} ms at p50 over the audio path alone"
        )


def bench_dtw() -> None:
    espeak = EspeakSynthesizer()
    aligner = DtwAligner(espeak, "en-us")
    cases = [
        ("en-us+f3 at rate 1.25", "en-us+f3", SynthesisOptions(rate=1.25)),
        ("en-us at rate 0.8, pitch 1.5", "en-us", SynthesisOptions(rate=0.8, pitch=1.5)),
        ("en-us+klatt at rate 1.1", "en-us+klatt", SynthesisOptions(rate=1.1)),
    ]
    print("dtw: truth spoken by another voice/rate, aligned against en-us at rate 1.0")
    text = PARAGRAPH * 2
    for label, voice, options in cases:
        truth = espeak.synthesize(SynthesisRequest(text, voice_id=voice, options=options))
        alignment = aligner.align(truth.samples, truth.sample_rate, text)
        assert truth.phonemes is not None
        if [p.symbol for p in truth.phonemes] != [p.symbol for p in alignment.phonemes]:
            print(f"  {label}: phoneme sequences differ; skipped")
            continue
        expected = np.array([t for p in truth.phonemes for t in (p.start, p.end)])
        got = np.array([t for p in alignment.phonemes for t in (p.start, p.end)])
        errors = list(np.abs(expected - got) * 1e3)
        print(
            f"  {label}: boundary error median {statistics.median(errors):.1f} ms "
            f"(target <= 25), p90 {percentile(errors, 0.9):.1f} ms (target <= 60), "
            f"n={len(errors)}"
        )
    long_text = PARAGRAPH * 8
    minute = espeak.synthesize(
        SynthesisRequest(long_text, voice_id="en-us+f3", options=SynthesisOptions(rate=1.1))
    )
    seconds = timed(
        lambda: aligner.align(minute.samples, minute.sample_rate, long_text), repeat=5, warmup=1
    )
    per_minute = statistics.median(seconds) / minute.duration * 60
    print(
        f"  speed: {statistics.median(seconds):.3f} s for {minute.duration:.1f} s of audio "
        f"(p95 {percentile(seconds, 0.95):.3f} s) = {per_minute:.3f} s per minute "
        "(target <= 0.5)"
    )


def bench_piper_joe() -> None:
    bench_piper(joe=True)


def bench_cold() -> None:
    """``avatar serve`` to ``/ready`` 200 (every adapter checked: joe loaded), in a fresh data
    folder (the first start patches the model into the cache) and again (the cache is used)."""
    import os
    import subprocess

    print("cold start: avatar serve -> /ready 200 with the neural voice loaded")
    avatar = Path(sys.executable).with_name("avatar")
    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AVATAR_")}
        env.update(AVATAR_RENDERER="mock", AVATAR_LOG__LEVEL="warning")
        for label in ("first start (patches the model once)", "next start (cached model)"):
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            started = time.perf_counter()
            process = subprocess.Popen(
                [str(avatar), "serve", "--port", str(port)],
                cwd=folder,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                while True:
                    try:
                        ready = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=60)
                        if ready.status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if process.poll() is not None:
                        raise SystemExit("avatar serve exited")
                    time.sleep(0.05)
                print(f"  {label}: {time.perf_counter() - started:.2f} s")
            finally:
                process.terminate()
                process.wait(timeout=30)


def main() -> None:
    parts = {
        "http": bench_http,
        "http_joe": bench_http_joe,
        "piper": bench_piper,
        "piper_joe": bench_piper_joe,
        "cold": bench_cold,
        "dtw": bench_dtw,
    }
    chosen = [a for a in sys.argv[1:] if a in parts] or list(parts)
    for index, name in enumerate(chosen):
        if index:
            print()
        parts[name]()


if __name__ == "__main__":
    main()
