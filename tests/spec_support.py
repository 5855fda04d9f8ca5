"""Shared helpers for the platform-spec tests: the shipped district, its rendered configs, edits."""

from __future__ import annotations

import copy
import dataclasses
import re
from functools import cache
from pathlib import Path
from typing import Any

from govnet.check import CheckReport, IntendedConfig, load_rules, run_checks
from govnet.inventory import load_network
from govnet.model import Network

REPO = Path(__file__).resolve().parents[1]
INVENTORY = REPO / "inventory"
INTENT_RULES = [r.id for r in load_rules().rules if r.kind == "intent"]


@cache
def _district() -> Network:
    return load_network(INVENTORY)


def district() -> Network:
    """A private, mutable copy of the shipped district model."""
    return copy.deepcopy(_district())


@cache
def _rendered(lab: bool) -> dict[str, IntendedConfig]:
    from govnet.check import intended_from_rendered
    from govnet.render import render_network

    return intended_from_rendered(render_network(_district(), lab=lab, use_nornir=False))


def rendered(lab: bool = False) -> dict[str, IntendedConfig]:
    """The shipped district's intended configs (a fresh dict; configs are immutable)."""
    return dict(_rendered(lab))


def check(
    network: Network | None = None,
    configs: dict[str, IntendedConfig] | None = None,
    rules: list[str] | None = None,
    lab: bool = False,
) -> CheckReport:
    return run_checks(
        network if network is not None else _district(),
        configs if configs is not None else rendered(lab),
        rules,
        lab=lab,
    )


def failing(report: CheckReport) -> set[str]:
    """Rule ids with at least one finding."""
    return report.failed_rule_ids


def edit(configs: dict[str, IntendedConfig], device: str, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in one device's config (``count`` times; 0 = all); old must be there."""
    config = configs[device]
    assert old in config.text, f"{device}: {old!r} not in its config (templates changed?)"
    text = config.text.replace(old, new) if count == 0 else config.text.replace(old, new, count)
    configs[device] = dataclasses.replace(config, text=text)


def edit_block(configs: dict[str, IntendedConfig], device: str, header: str, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` only inside the block opened by the line ``header``."""
    config = configs[device]
    pattern = re.compile(rf"^{re.escape(header)}\n(?:[ \t].*\n)*", re.MULTILINE)
    match = pattern.search(config.text)
    assert match, f"{device}: no block {header!r}"
    block = match.group(0)
    assert old in block, f"{device}: {old!r} not in block {header!r}"
    text = config.text[: match.start()] + block.replace(old, new, 1) + config.text[match.end() :]
    configs[device] = dataclasses.replace(config, text=text)


def replace_in(items: list[Any], predicate: Any, **changes: Any) -> None:
    """dataclasses.replace the first item matching ``predicate`` in place."""
    for i, item in enumerate(items):
        if predicate(item):
            items[i] = dataclasses.replace(item, **changes)
            return
    raise AssertionError("no item matched")


def port(device: str, peer: str) -> str:
    """The model name of ``device``'s routed interface toward ``peer``."""
    return next(i.name for i in _district().devices[device].interfaces if i.peer == peer and i.vlan is None)
