"""Edited copies of the shipped inventory and the errors a load of one gives (inventory tests)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from govnet.errors import InventoryError
from govnet.inventory import load_network

ROOT = Path(__file__).resolve().parents[1]
INVENTORY = ROOT / "inventory"


def edited(
    tmp_path: Path, edits: dict[str, list[tuple[str, str]]], name: str = "inventory"
) -> Path:
    """A copy of the shipped inventory with each ``old`` (occurring once) replaced by ``new``."""
    target = tmp_path / name
    shutil.copytree(INVENTORY, target)
    for relpath, pairs in edits.items():
        path = target / relpath
        text = path.read_text(encoding="utf-8")
        for old, new in pairs:
            assert text.count(old) == 1, f"{old!r} must occur once in {relpath}"
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    return target


def refused(inventory: Path, **kwargs: Any) -> list[str]:
    """Every error line of one load, with the inventory directory shortened to ``INV``."""
    with pytest.raises(InventoryError) as caught:
        load_network(inventory, **kwargs)
    return str(caught.value).replace(str(inventory), "INV").splitlines()
