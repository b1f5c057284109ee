"""The shared blob-name rule and upload file-name sanitising."""

from __future__ import annotations

import pytest

from avatar_service.core.blobnames import MAX_NAME_LENGTH, safe_blob_name, sanitize_filename
from avatar_service.core.errors import Invalid


@pytest.mark.parametrize(
    "name", ["a.txt", "folder/sub/clip.mp4", "voice 1.wav", "ünïcode/名前.png"]
)
def test_relative_posix_names_are_accepted(name: str) -> None:
    assert safe_blob_name(name) == name


def test_names_are_nfkc_normalised() -> None:
    assert safe_blob_name("ﬁle.txt") == "file.txt"


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "a/../../x",
        "/etc/passwd",
        "C:\\x",
        "C:x",
        "a\\b",
        "..",
        ".",
        "",
        "a//b",
        "a/./b",
        "%2e%2e/x",
        "%2E%2E%2Fx",
        "..%2fx",
        "%252e%252e/x",
        "\x00x",
        "x\n",
        "\u202ex",
        "\u200bx",
        "．．/x",
        "..／x",
        "a/",
        "x/..",
        "%00",
        "a%5cb",
        " x",
        "x ",
        "x.",
        "\u2024\u2024/x",
    ],
)
def test_traversal_and_odd_names_are_refused(name: str) -> None:
    with pytest.raises(Invalid) as caught:
        safe_blob_name(name)
    assert caught.value.field == "name"


def test_over_long_names_are_refused() -> None:
    with pytest.raises(Invalid, match="longer than"):
        safe_blob_name("a" * (MAX_NAME_LENGTH + 1))
    with pytest.raises(Invalid, match="segment"):
        safe_blob_name("b" * 200)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("photo.png", "photo.png"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\clip.mp4", "clip.mp4"),
        ("..", "upload"),
        ("", "upload"),
        ("we<ird>|na:me?.wav", "we_ird_na_me_.wav"),
        (".hidden", "hidden"),
    ],
)
def test_uploaded_file_names_become_one_safe_segment(given: str, expected: str) -> None:
    assert sanitize_filename(given) == expected
    safe_blob_name(sanitize_filename(given))


def test_sanitised_long_names_keep_their_extension() -> None:
    cleaned = sanitize_filename("x" * 500 + ".webm")
    assert cleaned.endswith(".webm") and len(cleaned) <= 128
