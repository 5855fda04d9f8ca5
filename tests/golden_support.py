"""Reviewed snapshots (golden configs, the address plan) that can never bless a regression.

``GOVNET_UPDATE_GOLDEN=1`` rewrites a snapshot that differs and then fails with
"goldens rewritten: review the diff", so an update run is never green; it is refused when ``CI``
is set. A normal run fails on any difference and shows it.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

REWRITTEN = "goldens rewritten: review the diff"
Differ = Callable[[str, str], str]


def in_ci() -> bool:
    """True when ``CI`` is set to anything but an explicit no."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def update_mode() -> bool:
    """Whether this run rewrites goldens; fails the test when asked to under CI."""
    if os.environ.get("GOVNET_UPDATE_GOLDEN") != "1":
        return False
    if in_ci():
        pytest.fail("GOVNET_UPDATE_GOLDEN=1 is refused when CI is set: goldens are rewritten by a "
                    "person who reviews the diff, never by a pipeline")
    return True


def unified_diff(expected: str, actual: str) -> str:
    """A unified diff, golden first."""
    return "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True), "golden", "now"
        )
    )


def check_golden(path: Path, actual: str, *, what: str, differ: Differ = unified_diff) -> None:
    """Fail unless ``actual`` equals the reviewed text in ``path`` (see the module docstring)."""
    expected = path.read_text(encoding="utf-8") if path.exists() else None
    if update_mode():
        if expected == actual:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        change = differ(expected, actual) if expected is not None else f"new file, {len(actual)} bytes"
        pytest.fail(f"{REWRITTEN}: {path}\n{change}")
    if expected is None:
        pytest.fail(f"no reviewed snapshot {path} for {what}: "
                    "write it with GOVNET_UPDATE_GOLDEN=1 and review it")
    if actual != expected:
        pytest.fail(f"{what} differs from its reviewed snapshot {path}:\n{differ(expected, actual)}")
