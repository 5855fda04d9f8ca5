"""The collector pause around the big builds: paused inside, restored as it was, also on error."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import govnet.inventory as inventory
from govnet.gcpause import paused_collection
from govnet.model import Network


def test_restores_an_enabled_collector_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(KeyError), paused_collection():
        assert not gc.isenabled()
        raise KeyError("boom")
    assert gc.isenabled()


def test_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with paused_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()  # not switched on by a block that did not switch it off
    finally:
        gc.enable()


def test_the_inventory_is_built_with_collection_paused(
    monkeypatch: pytest.MonkeyPatch, network: Network
) -> None:
    seen: list[bool] = []

    def build(path: Path, *, templates_dir: Path | None = None) -> Network:
        seen.append(gc.isenabled())
        return network

    monkeypatch.setattr(inventory, "build_network", build)
    assert inventory.load_network("inventory") is network
    assert seen == [False] and gc.isenabled()
