"""The network cut into districts in one pass: each district's own network, poll plan and
what each of its redundancy groups protects (computed on first use, then kept)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from govnet.model import Link, Network, RedundancyGroup
from govnet.monitor.health import cut_off
from govnet.monitor.plan import DevicePlan, LinkEnd, Plan


@dataclass(slots=True)
class District:
    """One district: its network (devices, links, groups, externals of the district only) and
    the part of the poll plan that covers it."""

    name: str
    network: Network
    plan: Plan
    ends: dict[str, list[tuple[DevicePlan, LinkEnd]]]
    """Link id -> the polled ends of that link (device plan, end)."""
    _cut: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)

    @property
    def grouped_links(self) -> set[str]:
        """Links that are members of a redundancy group (judged through their group)."""
        return {m for g in self.network.groups if g.kind == "links" for m in g.members}

    _reach: Network | None = None

    def cut_off(self, group: RedundancyGroup) -> tuple[list[str], list[str]]:
        """(sites, external peers) lost when every member of ``group`` fails (kept per group),
        shared segments counted as connections (the internet exit runs through them)."""
        key = f"{group.kind}:{group.name}"
        if key not in self._cut:
            if self._reach is None:
                self._reach = with_segments(self.network)
            self._cut[key] = cut_off(self._reach, group)
        return self._cut[key]

    def link_cut_off(self, link: Link) -> tuple[list[str], list[str]]:
        """What the loss of one link cuts off."""
        return self.cut_off(RedundancyGroup(link.id, "links", (link.id,)))

    def departments(self, sites: list[str]) -> list[str]:
        """The department zones (private zones) with an access site among ``sites``."""
        wanted = set(sites)
        names = {
            zone
            for dev in self.network.devices.values()
            if dev.site in wanted and dev.role == "access"
            for zone in dev.zones
            if self.network.zones[zone].kind == "private"
        }
        return sorted(names)


def with_segments(network: Network) -> Network:
    """``network`` with each shared segment also as links between every two of its members
    present, so that reachability (:func:`~govnet.monitor.health.cut_off`) crosses segments."""
    mesh: list[Link] = []
    for seg in network.segments:
        present = [m for m in seg.members if m.device in network.devices]
        for i, a in enumerate(present):
            for b in present[i + 1 :]:
                mesh.append(
                    Link(
                        f"{seg.id}:{a.device}:{b.device}",
                        a.device,
                        a.interface,
                        b.device,
                        b.interface,
                        seg.subnet,
                        a.ip,
                        b.ip,
                        "edge",
                        seg.mtu,
                        0,
                        False,
                        False,
                    )
                )
    return dataclasses.replace(network, links=[*network.links, *mesh], _index=None)


def _district_of_link(network: Network, link: Link) -> str:
    dev = network.devices.get(link.a) or network.devices.get(link.b)
    return dev.district if dev is not None else network.externals[link.b].district


def _district_of_group(network: Network, group: RedundancyGroup) -> str:
    first = group.members[0]
    if group.kind == "devices":
        return network.devices[first].district
    return _district_of_link(network, network.link(first))


def split_districts(plan: Plan) -> dict[str, District]:
    """Every district of the plan's network, in name order, built in one pass over the model."""
    network = plan.network
    devices: dict[str, list[str]] = {}
    for name, dev in network.devices.items():
        devices.setdefault(dev.district, []).append(name)
    links: dict[str, list[Link]] = {d: [] for d in devices}
    for link in network.links:
        links.setdefault(_district_of_link(network, link), []).append(link)
    groups: dict[str, list[RedundancyGroup]] = {}
    for group in network.groups:
        groups.setdefault(_district_of_group(network, group), []).append(group)
    plans: dict[str, list[DevicePlan]] = {}
    for dev_plan in plan.devices:
        plans.setdefault(network.devices[dev_plan.name].district, []).append(dev_plan)
    result: dict[str, District] = {}
    for name in sorted(devices):
        sub = Network(
            settings=network.settings,
            devices={n: network.devices[n] for n in sorted(devices[name])},
            links=links.get(name, []),
            zones=network.zones,
            groups=groups.get(name, []),
            externals={k: e for k, e in network.externals.items() if e.district == name},
            source_dir=network.source_dir,
            route_exceptions=network.route_exceptions,
            subdistrict_titles=network.subdistrict_titles,
        )
        ends: dict[str, list[tuple[DevicePlan, LinkEnd]]] = {}
        for dev_plan in plans.get(name, []):
            for end in dev_plan.links:
                ends.setdefault(end.link, []).append((dev_plan, end))
        result[name] = District(name, sub, Plan(sub, tuple(plans.get(name, []))), ends)
    return result
