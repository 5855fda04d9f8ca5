"""Rollout batches from the model's redundancy groups.

Two devices *conflict* when they back each other up: members of one ``devices`` group (the
core pair, the firewall pair), or the far ends of a ``links`` group (an aggregation node's two
uplinks end on the two cores: those two must not change together). A batch never holds two
conflicting devices. The first batch is a single canary; then batches fill up to ``size`` in
safe order (cores, aggregation, access, then the rest).

>>> from govnet.model import RedundancyGroup
>>> conflicts_of([RedundancyGroup("pair", "devices", ("a", "b"))], {})
{'a': {'b'}, 'b': {'a'}}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from govnet.model import ROLES, Link, Network, RedundancyGroup


def conflicts_of(groups: Iterable[RedundancyGroup], links: Mapping[str, Link]) -> dict[str, set[str]]:
    """Device -> the devices it must never change together with."""
    conflicts: dict[str, set[str]] = {}

    def pair_up(members: list[str]) -> None:
        for a in members:
            for b in members:
                if a != b:
                    conflicts.setdefault(a, set()).add(b)

    for group in groups:
        if group.kind == "devices":
            pair_up(list(group.members))
            continue
        ends = [set(links[m].ends) for m in group.members if m in links]
        if len(ends) < 2:
            continue
        shared = set.intersection(*ends)
        pair_up(sorted({d for e in ends for d in e} - shared))
    return conflicts


def safe_order(network: Network, names: Iterable[str]) -> list[str]:
    """Cores first, then aggregation, access and the rest (role order of the model), by name."""
    rank = {role: i for i, role in enumerate(ROLES)}
    return sorted(names, key=lambda n: (rank.get(network.devices[n].role, len(rank)), n))


def plan_batches(network: Network, names: Iterable[str], size: int, canary: bool = True) -> list[list[str]]:
    """Batches of at most ``size`` devices, no two conflicting; a one-device canary first."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    conflicts = conflicts_of(network.groups, {link.id: link for link in network.links})
    todo = safe_order(network, names)
    batches: list[list[str]] = []
    if canary and todo:
        batches.append([todo.pop(0)])
    while todo:
        batch: list[str] = []
        for name in list(todo):
            if len(batch) >= size:
                break
            if not conflicts.get(name, set()) & set(batch):
                batch.append(name)
                todo.remove(name)
        batches.append(batch)
    return batches
