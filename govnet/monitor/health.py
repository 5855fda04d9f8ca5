"""Health against intent: each redundancy group's members judged from the last cycle.

Every polled end of a member is an *observation* (:func:`observations`): healthy, down or
unknown, with the reason when it is not healthy. A link end is healthy when admin and oper up,
down when the device reports it otherwise, unknown when its device did not answer or the
interface was not found (a miss is never an outage). A device member is healthy when it
answers. A member combines its observations: down if any is down, healthy if any is healthy,
unknown otherwise.

Hot-standby pairs (members the model puts in VRRP groups) are judged from HA evidence, the
platform's HA tables (VRRP, VGMP/HRP; ``Platform.ha_tables``), never assumed:

* a member that answers but has no HA row while another member has rows has lost its HA
  state (its daemon is gone): down;
* no member has HA rows: every answering member is unknown, and the group's ``ha_checked`` is
  False (master and split brain were not checked);
* more than one master of one instance (VRRP VRID, VGMP group): ``split_brain``; no master of
  any instance: every member down.

Group state, from its members: ``healthy`` every member healthy; ``degraded`` at least one
healthy and one down (one more failure cuts off what :func:`cut_off` names); ``down`` none
healthy and none unknown; ``unknown`` otherwise. The shipped Prometheus recording rules apply
the same rules to the exported observations, so pollers that each see part of a group still
judge it (``govnet/data/monitor/rules.yml``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from govnet.model import Network, RedundancyGroup
from govnet.monitor.plan import DevicePlan, Plan
from govnet.monitor.snapshot import DeviceState, Snapshot

MemberState = Literal["healthy", "down", "unknown"]
GroupState = Literal["healthy", "degraded", "down", "unknown", "split_brain"]
GROUP_STATES: tuple[GroupState, ...] = ("healthy", "degraded", "down", "unknown", "split_brain")
MASTER = 3
"""VRRP master(3); Huawei hwVgmpGroupCfgState master(3)."""
STATE_VALUE: dict[MemberState, int] = {"healthy": 1, "down": 0, "unknown": -1}


@dataclass(frozen=True, slots=True)
class Observation:
    """One polled end of a member: a link end on ``device``, or the device member itself."""

    group: str
    member: str
    device: str
    state: MemberState
    reason: str = ""


@dataclass(frozen=True, slots=True)
class HaState:
    """What one member's HA tables said: how many rows, and per instance whether it is master."""

    rows: int
    masters: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GroupHealth:
    """One redundancy group's judgement, with why each member that is not healthy is not."""

    group: RedundancyGroup
    members: dict[str, MemberState]
    state: GroupState
    masters: int | None = None
    reasons: dict[str, str] = field(default_factory=dict)
    ha_checked: bool | None = None
    """None: not a hot-standby group; False: HA state expected but no member returned any."""

    @property
    def expected(self) -> int:
        return len(self.group.members)

    @property
    def healthy(self) -> int:
        return sum(1 for s in self.members.values() if s == "healthy")

    @property
    def reason(self) -> str:
        """Why the group is not healthy, member by member ('' when healthy)."""
        unchecked = ["HA tables empty on every member: master and split brain unchecked"]
        parts = [f"{m}: {r}" for m, r in self.reasons.items() if r]
        return "; ".join((unchecked if self.ha_checked is False else []) + parts)


def _end_observation(dev: DevicePlan, ifname: str, state: DeviceState | None) -> tuple[MemberState, str]:
    end = dev.link_end(ifname)
    if state is None or not state.up:
        why = f"({state.error})" if state is not None and state.error else "(not polled yet)"
        return "unknown", f"{dev.name} does not answer {why}"
    if ifname in state.not_found:
        return "unknown", f"{dev.name} {end.interface} {state.not_found[ifname]}"
    row = state.interfaces.get(ifname)
    if row is None:
        return "unknown", f"{dev.name} {end.interface} has no row"
    if row.up:
        return "healthy", ""
    what = "admin down" if row.admin_status != 1 else f"oper status {row.oper_status}"
    return "down", f"{dev.name} {end.interface} {what}"


def observations(plan: Plan, snapshot: Snapshot) -> list[Observation]:
    """Every member end this poller polls, for every group of the plan's network (also groups
    whose other members another shard polls)."""
    polled = {d.name: d for d in plan.devices}
    result: list[Observation] = []
    for group in plan.network.groups:
        for member in group.members:
            if group.kind == "devices":
                if member in polled:
                    state = snapshot.devices.get(member)
                    up = state is not None and state.up
                    error = state.error if state is not None else "not polled yet"
                    why = "" if up else f"{member} does not answer ({error})"
                    got: MemberState = "healthy" if up else "unknown"
                    result.append(Observation(group.name, member, member, got, why))
                continue
            for dev_name in plan.network.link(member).ends:
                dev = polled.get(dev_name)
                if dev is None:
                    continue
                for end in dev.links:
                    if end.link == member:
                        seen, why = _end_observation(dev, end.ifname, snapshot.devices.get(dev_name))
                        result.append(Observation(group.name, member, dev_name, seen, why))
    return result


def ha_state(dev: DevicePlan, state: DeviceState | None) -> HaState | None:
    """The member's HA evidence from its platform's HA tables; None when it did not answer."""
    if state is None or not state.up:
        return None
    rows = 0
    masters: dict[str, bool] = {}
    for table in dev.ha_tables:
        for index, value in state.vendor.get(table.name, {}).items():
            parts = index.split(".")
            if len(parts) < -table.instance:
                continue
            rows += 1
            instance = f"{table.protocol} {parts[table.instance]}"
            masters[instance] = masters.get(instance, False) or value == table.master
    return HaState(rows, masters)


def member_state(states: Iterable[MemberState]) -> MemberState:
    """One member from its observations: down if any is down, healthy if any is healthy.

    >>> member_state(["healthy", "down"]), member_state(["unknown", "healthy"]), member_state([])
    ('down', 'healthy', 'unknown')
    """
    seen = set(states)
    return "down" if "down" in seen else "healthy" if "healthy" in seen else "unknown"


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


def apply_ha(
    members: dict[str, MemberState], reasons: dict[str, str], ha: Mapping[str, HaState | None]
) -> tuple[int | None, bool]:
    """Adjust a hot-standby group's members by their HA evidence (module docstring); returns
    (the most masters one instance has, whether HA state was checked at all)."""
    answering = {m: h for m, h in ha.items() if h is not None}
    with_rows = {m for m, h in answering.items() if h.rows}
    if not with_rows:
        for member in answering:
            members[member] = "unknown"
        return None, False
    for member in answering.keys() - with_rows:
        members[member] = "down"
        reasons[member] = "answers SNMP but reports no VRRP/VGMP state (HA daemon or protocol gone)"
    per_instance: dict[str, int] = {}
    for member in with_rows:
        for instance, master in answering[member].masters.items():
            per_instance[instance] = per_instance.get(instance, 0) + int(master)
    most = max(per_instance.values()) if per_instance else 0
    if most == 0:
        for member in with_rows:
            members[member] = "down"
            reasons[member] = "no member is VRRP/VGMP master"
    return most, True


def judge(plan: Plan, snapshot: Snapshot) -> list[GroupHealth]:
    """Every group of the plan's network whose members this poller polls in full (with
    ``--shard``, a group split across shards is judged by the recording rules instead)."""
    polled = {d.name: d for d in plan.devices}
    seen: dict[tuple[str, str], list[Observation]] = {}
    for observation in observations(plan, snapshot):
        seen.setdefault((observation.group, observation.member), []).append(observation)
    results: list[GroupHealth] = []
    for group in plan.network.groups:
        if group.kind == "links":
            ends = {e for m in group.members for e in plan.network.link(m).ends if e in plan.network.devices}
        else:
            ends = set(group.members)
        if not ends <= polled.keys():
            continue
        members: dict[str, MemberState] = {}
        reasons: dict[str, str] = {}
        for member in group.members:
            mine = seen.get((group.name, member), [])
            members[member] = member_state(o.state for o in mine)
            why = [o.reason for o in mine if o.reason and o.state == members[member]]
            reasons[member] = "; ".join(why) if mine else "no managed end"
        masters: int | None = None
        checked: bool | None = None
        if group.kind == "devices" and any(plan.network.vrrp_groups(m) for m in group.members):
            ha = {m: ha_state(polled[m], snapshot.devices.get(m)) for m in group.members}
            masters, checked = apply_ha(members, reasons, ha)
        state = group_state(members.values(), masters)
        results.append(GroupHealth(group, members, state, masters, reasons, checked))
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


def cut_offs(network: Network) -> dict[str, tuple[list[str], list[str]]]:
    """:func:`cut_off` of every group of ``network``, by group name, in one pass.

    Each external peer reaches exactly its connected component with every group intact; a
    group's loss changes only what the peers in its members' components reach, so only those
    are walked again, with the members skipped (a province's 2,000 groups in seconds, not the
    minutes of a whole-network walk per group and peer). ``tests/monitor/test_cut_offs.py``
    holds it equal to :func:`cut_off` group by group.
    """
    adjacency: dict[str, list[tuple[str, str]]] = {}
    for link in network.links:
        adjacency.setdefault(link.a, []).append((link.b, link.id))
        adjacency.setdefault(link.b, []).append((link.a, link.id))
    component: dict[str, int] = {}
    reached: list[set[str]] = []
    for external in network.externals:
        if external not in component:
            seen = _walk(external, adjacency, set(), set())
            for name in seen:
                component[name] = len(reached)
            reached.append(seen)
    ends = {link.id: (link.a, link.b) for link in network.links}
    found: dict[str, tuple[list[str], list[str]]] = {}
    for group in network.groups:
        removed_devices = set(group.members) if group.kind == "devices" else set()
        removed_links = set(group.members) if group.kind == "links" else set()
        touched = {component[n] for n in removed_devices if n in component}
        touched |= {component[e] for lid in removed_links for e in ends.get(lid, ()) if e in component}
        sites: set[str] = set()
        lost: set[str] = set()
        for external in network.externals:
            if component.get(external) not in touched:
                continue
            after = _walk(external, adjacency, removed_devices, removed_links)
            for name in reached[component[external]] - after:
                device = network.devices.get(name)
                if device is not None:
                    sites.add(device.site)
                    lost.add(external)
        found[group.name] = (sorted(sites), sorted(lost))
    return found


def _walk(
    start: str, adjacency: dict[str, list[tuple[str, str]]], skip_devices: set[str], skip_links: set[str]
) -> set[str]:
    """Names reachable from ``start`` over links, never over a skipped link or into (or out of)
    a skipped device."""
    seen = {start}
    if start in skip_devices:
        return seen
    frontier = [start]
    while frontier:
        node = frontier.pop()
        for nxt, link_id in adjacency.get(node, ()):
            if nxt not in seen and link_id not in skip_links and nxt not in skip_devices:
                seen.add(nxt)
                frontier.append(nxt)
    return seen
