"""Rollout batches from the model's redundancy groups.

Two devices *conflict* when they back each other up: members of one ``devices`` group (the
core pair, the firewall pair), or the far ends of a ``links`` group (an aggregation node's two
uplinks end on the two cores: those two must not change together). A batch never holds two
conflicting devices.

Order by what a device's loss cuts off (:func:`impact`): the first batch is a single canary,
the least critical device (an access site, or one aggregation node), never a core; then the
others fill batches of ``size`` from the least to the most critical; *critical* devices (the
cores and the in-line internet edge: IPS, firewalls, load balancer) come last, each alone in
its batch, so the core pair changes one member at a time after everything else has verified.

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


CRITICAL_ROLES = frozenset({"core", "ips", "firewall", "load_balancer"})
"""Roles whose loss cuts off everything behind them: never a canary, never batched with others."""


def impact(network: Network, name: str) -> int:
    """How many devices lose service when ``name`` is lost: every device for a critical role,
    an aggregation node's access sites plus itself, otherwise the device itself."""
    device = network.devices[name]
    if device.role in CRITICAL_ROLES:
        return len(network.devices)
    below = {link.far_end(name)[0] for link in network.links_of(name)}
    return 1 + sum(1 for n in below if n in network.devices and network.devices[n].role == "access")


def risk_order(network: Network, names: Iterable[str]) -> list[str]:
    """Least critical first (by :func:`impact`, then safe order): the canary is the first."""
    rank = {role: i for i, role in enumerate(ROLES)}
    return sorted(names, key=lambda n: (impact(network, n), -rank.get(network.devices[n].role, len(rank)), n))


def safe_order(network: Network, names: Iterable[str]) -> list[str]:
    """Cores first, then aggregation, access and the rest (role order of the model), by name."""
    rank = {role: i for i, role in enumerate(ROLES)}
    return sorted(names, key=lambda n: (rank.get(network.devices[n].role, len(rank)), n))


def plan_batches(network: Network, names: Iterable[str], size: int, canary: bool = True) -> list[list[str]]:
    """Batches of at most ``size`` devices, no two conflicting, least critical first; a
    one-device canary first; critical devices last, one per batch."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    conflicts = conflicts_of(network.groups, {link.id: link for link in network.links})
    ordered = risk_order(network, names)
    critical = safe_order(network, [n for n in ordered if network.devices[n].role in CRITICAL_ROLES])
    todo = [n for n in ordered if n not in critical]
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
    batches.extend([name] for name in critical)
    return batches
