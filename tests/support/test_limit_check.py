"""The autouse check in tests/conftest.py: an end-to-end test whose fake Discord saw a limit
violation does not pass, and the report lists the violation; the marker opts a test out.

The tests it judges run in a pytest of their own (a subprocess), since the check's verdict is
that pytest's outcome.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CONFTEST = """
from tests.conftest import fake, fake_saw_no_violations  # noqa: F401
"""

TESTS = """
import pytest

from fakediscord import FakeDiscord

OVERSIZE = ("POST /channels/1/messages", "content_length", "Must be 2000 or fewer in length.")


async def test_sends_too_much(fake: FakeDiscord) -> None:
    fake.violation(*OVERSIZE, "content")


@pytest.mark.allow_violations
async def test_sends_too_much_on_purpose(fake: FakeDiscord) -> None:
    fake.violation(*OVERSIZE, "content")


async def test_keeps_every_limit(fake: FakeDiscord) -> None:
    assert fake.violations == []


def test_never_meets_the_fake() -> None:
    assert True
"""


def test_a_violation_fails_the_test_unless_it_is_allowed(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_inner.py").write_text(TESTS)
    # The project's settings and import path; only the conftest above; no cache in the tree.
    options = ["-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT)]
    options += ["--confcutdir", str(tmp_path), "-p", "no:cacheprovider"]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", str(tmp_path), *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},  # the report's lines do not depend on the terminal
        timeout=300,  # a bound on a hung run, not a measurement
    )
    out = run.stdout + run.stderr
    # The check runs at teardown: the test body passed, its teardown is the error.
    assert run.returncode == 1, out
    assert re.search(r"\b4 passed\b.*\b1 error\b", out), out
    errors = [line for line in out.splitlines() if line.startswith("ERROR ")]
    assert len(errors) == 1, out
    assert errors[0].startswith("ERROR test_inner.py::test_sends_too_much - Failed: the fake"), out
    assert (
        "the fake Discord saw 1 limit violation(s):\n"
        "  POST /channels/1/messages content_length at content: Must be 2000 or fewer in length."
    ) in out, out
