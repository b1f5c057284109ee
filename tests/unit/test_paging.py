"""The cursor codec and the two limit rules every listing shares."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from avatar_service.core.errors import Invalid
from avatar_service.core.paging import (
    MAX_PAGE,
    check_page_size,
    check_store_limit,
    decode_cursor,
    encode_cursor,
)

MOMENT = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


def test_a_cursor_names_the_position_it_was_made_from() -> None:
    assert decode_cursor(encode_cursor((MOMENT, "av_1|2"))) == (MOMENT, "av_1|2")


def test_a_cursor_is_url_safe_without_padding() -> None:
    cursor = encode_cursor((MOMENT, "av_x"))
    assert cursor.replace("-", "").replace("_", "").isalnum()


def test_naive_and_offset_moments_encode_as_the_same_utc_instant() -> None:
    plus_two = MOMENT.astimezone(timezone(timedelta(hours=2)))
    naive = MOMENT.replace(tzinfo=None)
    assert encode_cursor((plus_two, "a")) == encode_cursor((naive, "a"))
    assert encode_cursor((MOMENT, "a")) == encode_cursor((naive, "a"))


@pytest.mark.parametrize(
    "cursor", ["", "!!!", "bm8tc2VwYXJhdG9y", encode_cursor((MOMENT, "a"))[:-4]]
)
def test_a_cursor_no_listing_made_is_invalid(cursor: str) -> None:
    with pytest.raises(Invalid) as caught:
        decode_cursor(cursor)
    assert caught.value.field == "cursor"


@pytest.mark.parametrize("limit", [0, -1, True, 1.5, "3"])
def test_a_store_limit_is_a_positive_integer(limit: object) -> None:
    with pytest.raises(Invalid):
        check_store_limit(limit)  # type: ignore[arg-type]
    assert check_store_limit(10_000) == 10_000


@pytest.mark.parametrize("limit", [0, MAX_PAGE + 1])
def test_a_page_size_lies_between_one_and_the_maximum(limit: int) -> None:
    with pytest.raises(Invalid, match=f"between 1 and {MAX_PAGE}"):
        check_page_size(limit)
    assert check_page_size(MAX_PAGE) == MAX_PAGE
