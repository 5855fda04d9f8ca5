"""Health against intent: each redundancy group's members judged from the last cycle.

A member is healthy when it is reachable and its own test passes: a link admin and oper up at
every polled managed end; a device that answers (and, for an HA pair where the platform reports
it, exactly one master across the pair: two masters is ``split_brain``). A failed poll makes a
member unknown, never down. Group state, from its members:

* ``healthy``: every member healthy;
* ``degraded``: at least one healthy and at least one down: one more failure cuts off what
  :func:`cut_off` names;
* ``down``: none healthy and none unknown;
* ``unknown``: otherwise (some members could not be judged and none is known down while
  another is healthy);
* ``split_brain``: an HA pair with more than one master of one VRRP VRID or VGMP group (takes
  precedence); an HA pair reporting no master at all has every member down.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from govnet.model import Network, RedundancyGroup
from govnet.monitor.plan import Plan
from govnet.monitor.snapshot import DeviceState, Snapshot

MemberState = Literal["healthy", "down", "unknown"]
GroupState = Literal["healthy", "degraded", "down", "unknown", "split_brain"]
GROUP_STATES: tuple[GroupState, ...] = ("healthy", "degraded", "down", "unknown", "split_brain")
MASTER = 3
"""VRRP master(3); Huawei hwVgmpGroupCfgState master(3)."""
HA_OBJECTS = ("vrrpOperState", "vrrpv3OperationsStatus", "hwVgmpGroupCfgState")


@dataclass(frozen=True, slots=True)
class GroupHealth:
    """One redundancy group's judgement."""

    group: RedundancyGroup
    members: dict[str, MemberState]
    state: GroupState
    masters: int | None = None

    @property
    def expected(self) -> int:
        return len(self.group.members)

    @property
    def healthy(self) -> int:
        return sum(1 for s in self.members.values() if s == "healthy")


def link_member(network: Network, link_id: str, devices: dict[str, DeviceState], plan: Plan) -> MemberState:
    """A link: down if a polled end is not admin+oper up (or lacks the interface); unknown when
    no managed end was polled; healthy otherwise."""
    link = network.link(link_id)
    judged = False
    for dev_plan in plan.devices:
        if dev_plan.name not in link.ends:
            continue
        state = devices.get(dev_plan.name)
        if state is None or not state.up:
            continue
        for end in dev_plan.links:
            if end.link != link_id:
                continue
            judged = True
            row = state.interfaces.get(end.ifname)
            if row is None or not row.up:
                return "down"
    return "healthy" if judged else "unknown"


def device_member(name: str, devices: dict[str, DeviceState]) -> MemberState:
    """A device: healthy when it answered, unknown when its poll failed or it is not polled."""
    state = devices.get(name)
    return "healthy" if state is not None and state.up else "unknown"


def _ha_instance(obj: str, index: str) -> str:
    """The HA instance a row belongs to, comparable across members: the VRID for VRRP
    (VRRP-MIB ifIndex.vrid, VRRPv3-MIB ifIndex.vrid.version), the group for VGMP."""
    parts = index.split(".")
    if obj == "vrrpOperState":
        return f"vrrp {parts[-1]}"
    if obj == "vrrpv3OperationsStatus" and len(parts) >= 2:
        return f"vrrp {parts[-2]}"
    return f"{obj} {index}"


def masters(names: Iterable[str], devices: dict[str, DeviceState]) -> int | None:
    """The most masters any one HA instance (VRRP VRID, VGMP group) has across the members;
    None when no member reports HA state. Two masters of one VRID is a split brain; two
    cores each master of a different VRID is normal load sharing."""
    per_instance: dict[str, set[str]] = {}
    for name in names:
        state = devices.get(name)
        if state is None or not state.up:
            continue
        for obj in HA_OBJECTS:
            for index, value in state.vendor.get(obj, {}).items():
                holders = per_instance.setdefault(_ha_instance(obj, index), set())
                if value == MASTER:
                    holders.add(name)  # one member seen in VRRP-MIB and VRRPv3-MIB counts once
    return max(len(h) for h in per_instance.values()) if per_instance else None


def group_state(members: Iterable[MemberState], masters_seen: int | None = None) -> GroupState:
    """The state of a group from its members' states (see the module docstring).

    >>> group_state(["healthy", "down"])
    'degraded'
    >>> group_state(["healthy", "unknown"])
    'unknown'
    >>> group_state(["healthy", "healthy"], masters_seen=2)
    'split_brain'
    """
    states = list(members)
    if masters_seen is not None and masters_seen > 1:
        return "split_brain"
    if all(s == "healthy" for s in states):
        return "healthy"
    if "healthy" in states and "down" in states:
        return "degraded"
    if "unknown" in states:
        return "unknown"
    return "down"


def judge(plan: Plan, snapshot: Snapshot) -> list[GroupHealth]:
    """Every group of the plan's network whose managed members this poller polls in full
    (with ``--shard``, a group split across shards is judged by neither)."""
    polled = {d.name for d in plan.devices}
    results: list[GroupHealth] = []
    for group in plan.network.groups:
        members: dict[str, MemberState] = {}
        seen: int | None = None
        if group.kind == "links":
            ends = {e for m in group.members for e in plan.network.link(m).ends if e in plan.network.devices}
            if not ends <= polled:
                continue  # another shard polls part of it: judged by neither
            for member in group.members:
                members[member] = link_member(plan.network, member, snapshot.devices, plan)
        else:
            if not set(group.members) <= polled:
                continue
            for member in group.members:
                members[member] = device_member(member, snapshot.devices)
            seen = masters(group.members, snapshot.devices)
            if seen == 0 and all(s == "healthy" for s in members.values()):
                members = dict.fromkeys(members, "down")  # an HA pair with no master serves nobody
        results.append(GroupHealth(group, members, group_state(members.values(), seen), seen))
    return results


def cut_off(network: Network, group: RedundancyGroup) -> tuple[list[str], list[str]]:
    """(sites, external peers) that lose connectivity when every member of ``group`` fails:
    the sites of managed devices that can no longer reach an external peer (ISP, upstream
    extranet) they reach with the group intact, and the peers lost by someone."""
    removed_devices = set(group.members) if group.kind == "devices" else set()
    removed_links = set(group.members) if group.kind == "links" else set()

    def reach(skip_devices: set[str], skip_links: set[str]) -> dict[str, set[str]]:
        adjacency: dict[str, set[str]] = {}
        for link in network.links:
            if link.id in skip_links or link.a in skip_devices or link.b in skip_devices:
                continue
            adjacency.setdefault(link.a, set()).add(link.b)
            adjacency.setdefault(link.b, set()).add(link.a)
        result: dict[str, set[str]] = {}
        for external in network.externals:
            seen = {external}
            frontier = [external]
            while frontier:
                node = frontier.pop()
                for nxt in adjacency.get(node, ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        frontier.append(nxt)
            result[external] = seen
        return result

    before = reach(set(), set())
    after = reach(removed_devices, removed_links)
    sites: set[str] = set()
    lost: set[str] = set()
    for external, reached in before.items():
        for name in reached - after[external]:
            device = network.devices.get(name)
            if device is not None:
                sites.add(device.site)
                lost.add(external)
    return sorted(sites), sorted(lost)
