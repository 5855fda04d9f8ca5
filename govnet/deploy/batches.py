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


class WaveSchedule:
    """Which planned devices may start now: the batches of :func:`plan_batches` run as *waves*
    that overlap where the model allows, instead of each waiting for the whole batch before it.

    A device starts once, in plan order, when all of these hold:

    * the canary (a one-device first batch) has finished (it starts alone);
    * no critical device is in flight, and a critical device starts only when nothing is in
      flight and every device planned before it has finished (so it is alone, as in its batch);
    * no device it conflicts with (its redundancy peer) is in flight;
    * its neighbours (link peers) and conflicting devices planned in earlier batches have
      finished, so its verify expects them, exactly as behind a batch barrier (an access site
      starts as soon as its aggregation node is done, not when the whole batch is);
    * fewer than ``size`` devices are in flight.

    >>> waves = WaveSchedule([["a"], ["b", "c"], ["d"]], {"b": {"d"}, "d": {"b"}}, {}, frozenset(), 2)
    >>> waves.ready()
    ['a']
    >>> waves.start(["a"]); waves.finish("a"); waves.ready()
    ['b', 'c']
    >>> waves.start(["b", "c"]); waves.finish("c"); waves.ready()  # d waits for its peer b
    []
    """

    def __init__(self, batches: list[list[str]], conflicts: Mapping[str, set[str]],
                 neighbours: Mapping[str, set[str]], critical: frozenset[str], size: int,
                 canary: bool = True) -> None:
        self.batches = batches
        self.wave = {name: i for i, batch in enumerate(batches) for name in batch}
        self.order = [name for batch in batches for name in batch]
        self.conflicts = conflicts
        self.neighbours = neighbours
        self.critical = critical
        self.size = size
        first = batches[0] if canary and batches else []
        self.canary = first[0] if len(first) == 1 and first[0] not in critical else None
        self.started: list[str] = []
        self.finished: set[str] = set()
        self.echoed = 0
        """How many of ``started`` the rollout has announced."""

    @classmethod
    def of(cls, network: Network, batches: list[list[str]], size: int, canary: bool = True) -> WaveSchedule:
        planned = {n for batch in batches for n in batch}
        conflicts = conflicts_of(network.groups, {link.id: link for link in network.links})
        neighbours = {n: network.neighbours(n) & planned for n in planned}
        critical = frozenset(n for n in planned if network.devices[n].role in CRITICAL_ROLES)
        return cls(batches, conflicts, neighbours, critical, size, canary)

    @property
    def in_flight(self) -> list[str]:
        return [n for n in self.started if n not in self.finished]

    @property
    def waiting(self) -> list[str]:
        """Planned devices not started yet, in plan order."""
        begun = set(self.started)
        return [n for n in self.order if n not in begun]

    def start(self, names: Iterable[str]) -> None:
        self.started.extend(names)

    def finish(self, name: str) -> None:
        self.finished.add(name)

    def _blocked(self, name: str, flying: set[str]) -> bool:
        earlier = {n for n in self.conflicts.get(name, set()) | self.neighbours.get(name, set())
                   if n in self.wave and self.wave[n] < self.wave[name]}
        return bool(earlier - self.finished) or bool(self.conflicts.get(name, set()) & flying)

    def ready(self) -> list[str]:
        """The devices to start now (plan order); none while the canary or a critical device flies."""
        flying = set(self.in_flight)
        if flying & self.critical:
            return []
        if self.canary and self.canary not in self.finished:  # alone, before anything else
            return [] if flying or self.canary in self.started else [self.canary]
        out: list[str] = []
        for name in self.waiting:
            if len(flying) + len(out) >= self.size:
                break
            if name in self.critical:  # alone, after everything planned before it
                before = self.order[: self.order.index(name)]
                return [name] if not flying and not out and set(before) <= self.finished else out
            if not self._blocked(name, flying | set(out)):
                out.append(name)
        return out
