"""Shared fixtures: the shipped inventory and editable copies of it."""

from __future__ import annotations

import getpass
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from govnet.inventory import load_network
from govnet.lab.down import reap_abandoned
from govnet.model import Network

ROOT = Path(__file__).resolve().parent.parent
INVENTORY = ROOT / "inventory"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Remove lab twins an earlier test run left behind when its processes were killed wholesale
    (a CI machine stopped hard): their namespaces would refuse every twin this run boots. Only
    labs under pytest's own temporary root with nothing of them running are touched."""
    if os.geteuid() != 0:
        return
    under = Path(tempfile.gettempdir()) / f"pytest-of-{getpass.getuser()}"
    for workdir in reap_abandoned(under=under.resolve(), echo=lambda _m: None):
        print(f"removed the abandoned lab twin in {workdir} (left by an earlier, killed test run)")


@pytest.fixture(scope="session")
def network() -> Network:
    """The shipped district network (read-only: do not mutate)."""
    return load_network(INVENTORY)


@pytest.fixture
def inventory_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped inventory to break."""
    target = tmp_path / "inventory"
    shutil.copytree(INVENTORY, target)
    return target


Edit = Callable[[str, str, str], None]


@pytest.fixture
def edit(inventory_copy: Path) -> Edit:
    """Replace exactly one occurrence of ``old`` with ``new`` in a file of the copy."""

    def _edit(relpath: str, old: str, new: str) -> None:
        path = inventory_copy / relpath
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} must occur once in {relpath}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return _edit
