"""docs/architecture.md and the README stay true: every plugin hook and contract suite they
name exists, and every one that exists is named (a new hook or suite fails here until the
docs say where it fits)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import avatar_service.contracts as contracts
from avatar_service.plugins import hookspecs

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "docs" / "architecture.md", ROOT / "README.md"]
HOOK = re.compile(r"\bavatar_register_\w+")
SUITE = re.compile(r"\b[A-Z]\w*Contract\b")
SUITE_FILE = re.compile(r"\bcontracts/(\w+)\.py\b")


def hooks() -> set[str]:
    return {
        name
        for name, value in vars(hookspecs).items()
        if name.startswith("avatar_") and callable(value) and hasattr(value, "avatar_service_spec")
    }


def suites() -> set[str]:
    return {
        name
        for name, value in vars(contracts).items()
        if name.endswith("Contract") and isinstance(value, type)
    }


def test_the_hook_and_suite_lists_are_found() -> None:
    assert "avatar_register_synthesizers" in hooks()
    assert "StoreContract" in suites()


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_hook_named_exists_and_every_hook_is_named(doc: Path) -> None:
    named = set(HOOK.findall(doc.read_text(encoding="utf-8")))
    assert named - hooks() == set(), "named but not a hook"
    assert hooks() - named == set(), "a hook the document does not name"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_suite_named_exists_and_every_suite_is_named(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    named = set(SUITE.findall(text))
    assert named - suites() == set(), "named but not a contract suite"
    assert suites() - named == set(), "a contract suite the document does not name"
    for module in SUITE_FILE.findall(text):
        assert (ROOT / "contracts" / f"{module}.py").is_file(), module


def test_every_file_the_map_names_exists() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    paths = set(
        re.findall(
            r"`((?:core|adapters|plugins|entrypoints|contracts|renderer|tests)/[\w/.*-]+)`", text
        )
    )
    assert paths
    for path in paths:
        assert list(ROOT.glob(path)), f"docs/architecture.md names {path}, which does not exist"
