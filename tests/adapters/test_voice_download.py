"""``avatar voices download``'s engine: a voice fetched over HTTP (a loopback server here) or
copied from a path lands whole in the voices folder, and a wrong sha256 leaves nothing."""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from avatar_service.adapters.tts.piper import PiperSynthesizer
from avatar_service.adapters.tts.voice_download import download_voice
from avatar_service.core.errors import Invalid, Unavailable

sys.path.insert(0, str(Path(__file__).parent))
from piper_voice import build_voice


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """A loopback HTTP server publishing a built voice: (base URL, model sha256, folder)."""
    folder = tmp_path_factory.mktemp("published")
    model = build_voice(folder, "en_GB-tiny-female")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        digest = hashlib.sha256(model.read_bytes()).hexdigest()
        yield f"http://127.0.0.1:{server.server_address[1]}", digest, folder
    finally:
        server.shutdown()
        server.server_close()


def test_a_voice_downloaded_over_http_is_verified_and_speaks(
    published: tuple[str, str, Path], tmp_path: Path
) -> None:
    base, digest, _ = published
    voices = tmp_path / "voices"
    written = download_voice(
        f"{base}/en_GB-tiny-female.onnx", voices, sha256=digest, gender="female"
    )
    assert written == [voices / "en_GB-tiny-female.onnx", voices / "en_GB-tiny-female.onnx.json"]
    assert hashlib.sha256(written[0].read_bytes()).hexdigest() == digest
    [voice] = PiperSynthesizer(voices_dir=voices).voices()
    assert (voice.voice_id, voice.gender) == ("en_GB-tiny-female", "female")
    assert list(voices.glob(".*")) == []  # no partial files left


def test_a_wrong_sha256_leaves_nothing_behind(
    published: tuple[str, str, Path], tmp_path: Path
) -> None:
    base, _, _ = published
    with pytest.raises(Unavailable, match="expected 0000"):
        download_voice(f"{base}/en_GB-tiny-female.onnx", tmp_path, sha256="0" * 64)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_url_is_unavailable_and_leaves_nothing(
    published: tuple[str, str, Path], tmp_path: Path
) -> None:
    base, _, _ = published
    with pytest.raises(Unavailable, match="cannot download"):
        download_voice(f"{base}/en_US-nobody.onnx", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_voice_is_copied_from_a_local_path(
    published: tuple[str, str, Path], tmp_path: Path
) -> None:
    _, digest, folder = published
    written = download_voice(str(folder / "en_GB-tiny-female.onnx"), tmp_path, sha256=digest)
    assert json.loads(written[1].read_text("utf-8"))["dataset"] == "en_GB-tiny-female"


def test_an_oversized_model_is_refused(published: tuple[str, str, Path], tmp_path: Path) -> None:
    base, _, _ = published
    with pytest.raises(Unavailable, match="over 100 bytes"):
        download_voice(f"{base}/en_GB-tiny-female.onnx", tmp_path, max_bytes=100)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "source", ["http://127.0.0.1:9/../../etc/passwd", "ftp://example.com/a.onnx", "voice"]
)
def test_sources_that_name_no_model_are_invalid(source: str, tmp_path: Path) -> None:
    with pytest.raises(Invalid):
        download_voice(source, tmp_path)
    with pytest.raises(Invalid, match="64 hex"):
        download_voice("http://127.0.0.1:9/a.onnx", tmp_path, sha256="abc")
