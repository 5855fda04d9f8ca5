"""The collector pause around the big builds: paused inside, restored as it was, also on error."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import govnet.inventory as inventory
from govnet.gcpause import frozen, paused_collection
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


def test_frozen_unfreezes_only_what_it_froze() -> None:
    assert gc.get_freeze_count() == 0
    with frozen():
        held = gc.get_freeze_count()
        assert held > 0
        with frozen():  # the workers' freeze inside a frozen check: the outer freeze outlives it
            pass
        assert gc.get_freeze_count() >= held
    assert gc.get_freeze_count() == 0


def test_frozen_unfreezes_after_an_error() -> None:
    with pytest.raises(KeyError), frozen():
        raise KeyError("boom")
    assert gc.get_freeze_count() == 0


def test_a_check_run_freezes_its_model_and_leaves_nothing_frozen(
    monkeypatch: pytest.MonkeyPatch, network: Network
) -> None:
    """The CLI check walks its model with the collector off it, and a process that runs checks
    in a row (the tests, a notebook) gets its collector back as it was."""
    import govnet.check.pool as pool
    import govnet.cli.check as check_cli
    from govnet.check.rules import load_rules

    seen: list[int] = []

    def check_network(net: Network, **kwargs: object) -> tuple[str, dict[str, object]]:
        assert net is network
        seen.append(gc.get_freeze_count())
        return "report", {}

    spec = load_rules()
    monkeypatch.setattr(check_cli, "load_network_or_exit", lambda inventory: network)
    monkeypatch.setattr(pool, "check_network", check_network)
    report = check_cli._check(None, spec, spec.select(None), None, [], False, 0, False)
    assert report == "report"  # type: ignore[comparison-overlap]
    assert seen and seen[0] > 0
    assert gc.get_freeze_count() == 0 and gc.isenabled()


@pytest.mark.parametrize(("command", "frozen_after"), [("check", True), ("rules", False)])
def test_the_console_entry_freezes_the_heap_as_a_check_process_ends(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str, frozen_after: bool
) -> None:
    """``govnet check`` leaves its heap to the process's end: the entry point freezes it then,
    so the interpreter's last collection skips it; other commands end as they were."""
    import sys

    from govnet.cli import main

    inventory = Path(__file__).resolve().parents[1] / "inventory"
    report = tmp_path / "report.json"
    args = ["-i", str(inventory), "-f", "json", "-o", str(report)] if command == "check" else []
    monkeypatch.setattr(sys, "argv", ["govnet", command, *args])
    try:
        with pytest.raises(SystemExit) as ended:
            main()
        assert ended.value.code == 0
        assert (gc.get_freeze_count() > 0) is frozen_after
    finally:
        gc.unfreeze()
    assert report.exists() is frozen_after
