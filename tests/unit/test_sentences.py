"""The sentence splitter: sentences in order, offsets that slice the text, no empty ones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avatar_service.core.sentences import split_sentences


def _texts(text: str, max_chars: int = 300) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text, max_chars)]


def test_splits_at_terminal_punctuation_and_keeps_closing_quotes() -> None:
    text = 'Hello there! How are you? He said "fine." Then he left.'
    assert _texts(text) == ["Hello there!", "How are you?", 'He said "fine."', "Then he left."]


def test_does_not_split_after_abbreviations_initials_or_decimals() -> None:
    text = "Dr. Smith met J. Doe at 3.14 pm, e.g. today. Next one."
    assert _texts(text) == ["Dr. Smith met J. Doe at 3.14 pm, e.g. today.", "Next one."]


def test_blank_lines_end_a_sentence_without_punctuation() -> None:
    assert _texts("A title\n\nThe body text.") == ["A title", "The body text."]


def test_long_sentences_are_cut_at_a_clause_then_at_a_space() -> None:
    text = "one two three, four five six seven eight nine ten eleven twelve"
    pieces = _texts(text, max_chars=20)
    assert pieces[0] == "one two three,"
    assert all(len(p) <= 20 for p in pieces)
    assert " ".join(pieces) == text


def test_punctuation_only_pieces_join_their_neighbour() -> None:
    assert _texts("Wait... ! Really?") == ["Wait... !", "Really?"]


def test_text_without_anything_to_say_gives_no_sentence() -> None:
    assert split_sentences("   \n  ") == []


def test_max_chars_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        split_sentences("Hello.", 0)


@given(st.text(alphabet="ab .!?\n,", max_size=200), st.integers(5, 50))
def test_spans_are_ordered_trimmed_and_within_the_text(text: str, max_chars: int) -> None:
    spans = split_sentences(text, max_chars)
    previous = 0
    for span in spans:
        assert previous <= span.start < span.end <= len(text)
        piece = text[span.start : span.end]
        assert piece == piece.strip()
        previous = span.end
    joined = "".join(text[s.start : s.end] for s in spans)
    assert "".join(joined.split()) == "".join(text.split())  # nothing dropped but whitespace


def test_clauses_are_cut_after_their_marks_keeping_offsets() -> None:
    from avatar_service.core.sentences import split_clauses

    text = "Well, this is the first part; and here comes the second part. Short one."
    spans = split_clauses(text, split_sentences(text), min_chars=10)
    pieces = [text[s.start : s.end] for s in spans]
    assert pieces == [
        "Well, this is the first part;",
        "and here comes the second part.",
        "Short one.",
    ]


def test_a_short_last_clause_joins_the_one_before() -> None:
    from avatar_service.core.sentences import split_clauses

    text = "One long enough clause here, then the end, ok."
    spans = split_clauses(text, split_sentences(text), min_chars=16)
    assert [text[s.start : s.end] for s in spans] == [
        "One long enough clause here,",
        "then the end, ok.",
    ]
