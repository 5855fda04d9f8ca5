"""Shared fixtures: the shipped inventory and editable copies of it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from govnet.inventory import load_network
from govnet.model import Network

ROOT = Path(__file__).resolve().parent.parent
INVENTORY = ROOT / "inventory"


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
