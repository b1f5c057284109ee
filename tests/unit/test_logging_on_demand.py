"""Logging of one-shot commands: the level holds at once, and the structlog set-up is finished
by the first record that passes it, or once anything loads structlog."""

from __future__ import annotations

import json
import subprocess
import sys

PRELUDE = """
import logging, sys
from avatar_service.entrypoints.logging_on_demand import OnDemandLogging
from avatar_service.entrypoints.settings import Settings
setup = OnDemandLogging(Settings(_env_file=None, log={"level": "warning", "format": "json"}))
setup.start()
"""


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PRELUDE + code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_nothing_is_loaded_until_a_record_passes_the_level() -> None:
    done = run(
        "logging.getLogger('x').info('quiet')\nprint('structlog' in sys.modules, setup.finished)"
    )
    assert done.stdout.split() == ["False", "False"]
    assert done.stderr == ""


def test_the_first_record_finishes_the_set_up_and_is_written_by_it() -> None:
    done = run("logging.getLogger('x').warning('loud %s', 1)\nprint(setup.finished)")
    assert done.stdout.split() == ["True"]
    [line] = done.stderr.splitlines()
    record = json.loads(line)
    assert (record["event"], record["level"], record["logger"]) == ("loud 1", "warning", "x")


def test_loading_structlog_finishes_it_before_its_loggers_write() -> None:
    done = run(
        "import structlog\nprint(setup.finish_if_needed())\n"
        "structlog.get_logger('y').warning('from structlog')"
    )
    assert done.stdout.split() == ["True"]  # nothing went to stdout from the logger
    assert "from structlog" in done.stderr
