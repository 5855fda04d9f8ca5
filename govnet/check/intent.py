"""Intent rules on the model: core pair, dual homing, exit chain, redundancy groups, zone isolation."""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

from govnet.check import edge, isolation
from govnet.check.context import CheckContext, Finding, Location, NetworkCheck
from govnet.check.rules import Rule
from govnet.model import Device, Network, RedundancyGroup


def _districts(network: Network) -> dict[str, list[Device]]:
    by: dict[str, list[Device]] = defaultdict(list)
    for dev in network.devices.values():
        by[dev.district].append(dev)
    return dict(sorted(by.items()))


def _district_file(devices: list[Device]) -> Location:
    return Location(Location.parse(devices[0].source).path, 1) if devices else Location("inventory", 1)


@cache
def _lines(path: str) -> tuple[str, ...]:
    try:
        return tuple(Path(path).read_text(encoding="utf-8").splitlines())
    except OSError:
        return ()


def text_location(path: Path | str, *needles: str) -> Location:
    """The first line of ``path`` containing every needle (line 1 when none does)."""
    for number, line in enumerate(_lines(str(path)), start=1):
        if all(n in line for n in needles):
            return Location(str(path), number)
    return Location(str(path), 1)


def _at(rule: Rule, ctx: CheckContext, device: str, where: str | Location, message: str) -> Finding:
    loc = where if isinstance(where, Location) else Location.parse(where)
    return ctx.finding(rule, device, loc, message)


def core_pair(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Each district has exactly ``cores`` core switches."""
    want = rule.param_int("cores")
    found: list[Finding] = []
    for district, devices in _districts(ctx.network).items():
        cores = [d for d in devices if d.role == "core"]
        if len(cores) != want:
            where = cores[-1].source if cores else _district_file(devices)
            names = ", ".join(d.name for d in cores) or "none"
            found.append(
                _at(
                    rule,
                    ctx,
                    district,
                    where,
                    f"district {district} has {len(cores)} core(s) ({names}), needs exactly {want}",
                )
            )
    return found


def dual_homed_aggregation(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Every aggregation node has core uplinks to two distinct cores."""
    net = ctx.network
    found: list[Finding] = []
    for agg in net.by_role("aggregation"):
        cores = [
            lk.far_end(agg.name)[0]
            for lk in ctx.links_of(agg.name)
            if (peer := net.devices.get(lk.far_end(agg.name)[0])) is not None and peer.role == "core"
        ]
        if len(set(cores)) < 2:
            found.append(
                _at(
                    rule,
                    ctx,
                    agg.name,
                    agg.source,
                    f"aggregation node {agg.name} has uplinks to {len(set(cores))} distinct core(s) "
                    f"({', '.join(sorted(set(cores))) or 'none'}), needs two",
                )
            )
    return found


def access_parent(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Every access site hangs off the aggregation node of its own subdistrict."""
    net = ctx.network
    found: list[Finding] = []
    for acc in net.by_role("access"):
        parents = [
            peer
            for lk in ctx.links_of(acc.name)
            if (peer := net.devices.get(lk.far_end(acc.name)[0])) is not None and peer.role == "aggregation"
        ]
        if not parents:
            found.append(
                _at(rule, ctx, acc.name, acc.source, f"access site {acc.name} has no aggregation node")
            )
        for parent in parents:
            if parent.subdistrict != acc.subdistrict:
                found.append(
                    _at(
                        rule,
                        ctx,
                        acc.name,
                        acc.source,
                        f"access site {acc.name} of subdistrict {acc.subdistrict} is attached to "
                        f"{parent.name} of subdistrict {parent.subdistrict}",
                    )
                )
    return found


def _neighbours(ctx: CheckContext, device: str) -> set[str]:
    """Adjacent over a link or a shared segment (the firewall pair sits on segments)."""
    return ctx.network.neighbours(device)


def edge_chain(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Per district: core -> IPS -> every firewall -> load balancer, linked in that order."""
    net = ctx.network
    found: list[Finding] = []
    for district, devices in _districts(net).items():
        role = {r: [d for d in devices if d.role == r] for r in ("core", "ips", "firewall", "load_balancer")}
        missing = [r for r in ("ips", "firewall", "load_balancer") if not role[r]]
        if missing:
            found.append(
                _at(
                    rule,
                    ctx,
                    district,
                    _district_file(devices),
                    f"district {district} internet exit lacks {', '.join(missing)} "
                    "(chain IPS -> firewall -> load balancer)",
                )
            )
            continue
        names = {r: {d.name for d in ds} for r, ds in role.items()}
        for ips in role["ips"]:
            if not _neighbours(ctx, ips.name) & names["core"]:
                found.append(_at(rule, ctx, ips.name, ips.source, f"IPS {ips.name} has no link to a core"))
        for fw in role["firewall"]:
            near = _neighbours(ctx, fw.name)
            for r, label in (("ips", "an IPS"), ("load_balancer", "a load balancer")):
                if not near & names[r]:
                    found.append(
                        _at(
                            rule,
                            ctx,
                            fw.name,
                            fw.source,
                            f"firewall {fw.name} has no link to {label} "
                            "(chain IPS -> firewall -> load balancer)",
                        )
                    )
    return found


def isp_at_exit(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """ISP externals connect only to a load balancer."""
    net = ctx.network
    found: list[Finding] = []
    for lk in net.links:
        for end, other in ((lk.a, lk.b), (lk.b, lk.a)):
            ext = net.externals.get(end)
            dev = net.devices.get(other)
            if ext is not None and ext.kind == "isp" and dev is not None and dev.role != "load_balancer":
                found.append(
                    _at(
                        rule,
                        ctx,
                        other,
                        lk.source,
                        f"ISP {end} is connected to {other} ({dev.role}), bypassing the exit chain",
                    )
                )
    return found


def _expected_groups(ctx: CheckContext, devices: list[Device]) -> dict[str, tuple[str, frozenset[str]]]:
    """Expected group kind -> (label, member set) from the district's devices and links."""
    net = ctx.network
    of = {r: frozenset(d.name for d in devices if d.role == r) for r in ("core", "firewall", "server")}
    names = {d.name for d in devices}
    links = list({lk.id: lk for d in devices for lk in ctx.links_of(d.name) if lk.a in names}.values())

    def external(kind: str) -> frozenset[str]:
        return frozenset(
            lk.id for lk in links if (e := net.externals.get(lk.b)) is not None and e.kind == kind
        )

    expected = {
        "core-pair": ("core pair", of["core"]),
        "firewall-pair": ("firewall hot-standby pair", of["firewall"]),
        "isp-pair": ("dual ISP", external("isp")),
        "upstream-pair": ("municipal/provincial upstream pair", external("upstream")),
        "dc-pair": ("data-centre hot-standby pair", of["server"]),
    }
    for agg in (d for d in devices if d.role == "aggregation"):
        ups = frozenset(lk.id for lk in links if lk.kind == "core-aggregation" and agg.name in lk.ends)
        expected[f"uplinks {agg.name}"] = (f"{agg.name} dual uplinks", ups)
    return expected


def redundancy_groups(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Groups have >= min_members existing members; the expected groups exist."""
    net = ctx.network
    minimum = rule.param_int("min_members")
    wanted = rule.param_list("expected")
    link_ids = {lk.id for lk in net.links}
    by_prefix: dict[str, list[RedundancyGroup]] = defaultdict(list)  # "<district>-..." -> its groups
    for g in net.groups:
        for cut in (i for i, ch in enumerate(g.name) if ch == "-"):
            by_prefix[g.name[:cut]].append(g)
    found: list[Finding] = []
    for district, devices in _districts(net).items():
        where = _district_file(devices)
        groups = by_prefix.get(district, [])
        for g in groups:
            known = net.devices if g.kind == "devices" else link_ids
            missing = [m for m in g.members if m not in known]
            short = len(set(g.members)) < minimum
            if not missing and not short:
                continue
            gloc = text_location(where.path, g.name.removeprefix(f"{district}-"))
            for m in missing:
                found.append(_at(rule, ctx, district, gloc, f"group {g.name}: member {m} does not exist"))
            if short:
                found.append(
                    _at(
                        rule,
                        ctx,
                        district,
                        gloc,
                        f"group {g.name} has {len(set(g.members))} member(s), needs at least {minimum}",
                    )
                )
        have = [frozenset(g.members) for g in groups]
        for kind, (label, members) in _expected_groups(ctx, devices).items():
            if kind.split()[0] not in wanted or not members:
                continue
            if members not in have and not any(members <= h for h in have):
                found.append(
                    _at(
                        rule,
                        ctx,
                        district,
                        where,
                        f"no redundancy group for the {label} ({', '.join(sorted(members))})",
                    )
                )
    return found


def _zone_location(net: Network, zone: str) -> Location:
    return text_location(net.source_dir / "network.yaml", f"name: {zone},")


def unique_route_targets(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """No two zones share a route target; every VRF exports only its own zone's target."""
    net = ctx.network
    found: list[Finding] = []
    owner: dict[str, str] = {}
    for zone in net.zones.values():
        if zone.route_target in owner:
            found.append(
                _at(
                    rule,
                    ctx,
                    zone.name,
                    _zone_location(net, zone.name),
                    f"zones {owner[zone.route_target]} and {zone.name} share route target "
                    f"{zone.route_target}",
                )
            )
        owner.setdefault(zone.route_target, zone.name)
    for dev in net.devices.values():
        for vrf in dev.vrfs:
            own = net.zones.get(vrf.zone)
            wrong = [rt for rt in vrf.rt_export if own is None or rt != own.route_target]
            if wrong:
                found.append(
                    _at(
                        rule,
                        ctx,
                        dev.name,
                        dev.source,
                        f"VRF {vrf.name} on {dev.name} exports {', '.join(wrong)}, "
                        f"not zone {vrf.zone}'s target",
                    )
                )
    return found


def zone_imports(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """A zone (and each of its VRFs) imports another zone's target only under a named exception."""
    net = ctx.network
    owners: dict[str, set[str]] = defaultdict(set)
    for z in net.zones.values():
        owners[z.route_target].add(z.name)
    allowed = {(zone, imports) for _, zone, imports in net.route_exceptions}
    found: list[Finding] = []

    def leaks(zone: str, imports: tuple[str, ...]) -> list[str]:
        return [
            f"{rt} ({', '.join(sorted(owners.get(rt, ()))) or 'unknown zone'})"
            for rt in imports
            if zone not in owners.get(rt, ()) and not any((zone, o) in allowed for o in owners.get(rt, ()))
        ]

    for zone in net.zones.values():
        bad = leaks(zone.name, zone.imports)
        if bad:
            found.append(
                _at(
                    rule,
                    ctx,
                    zone.name,
                    _zone_location(net, zone.name),
                    f"zone {zone.name} imports {', '.join(bad)} without a route exception",
                )
            )
    for dev in net.devices.values():
        for vrf in dev.vrfs:
            bad = leaks(vrf.zone, vrf.rt_import)
            if bad and bad != leaks(vrf.zone, net.zones[vrf.zone].imports if vrf.zone in net.zones else ()):
                found.append(
                    _at(
                        rule,
                        ctx,
                        dev.name,
                        dev.source,
                        f"VRF {vrf.name} on {dev.name} imports {', '.join(bad)} without a route exception",
                    )
                )
    return found


def intranet_isolation(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Only the isolation gateway links to an intranet external."""
    net = ctx.network
    found: list[Finding] = []
    for lk in net.links:
        for end, other in ((lk.a, lk.b), (lk.b, lk.a)):
            ext = net.externals.get(end)
            dev = net.devices.get(other)
            if (
                ext is not None
                and ext.kind == "intranet"
                and (dev is None or dev.role != "isolation_gateway")
            ):
                role = dev.role if dev else "external"
                found.append(
                    _at(
                        rule,
                        ctx,
                        other,
                        lk.source,
                        f"intranet {end} is linked to {other} ({role}), not through the isolation gateway",
                    )
                )
    return found


def internet_exit(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """The internet zone's VPN leaves a core only toward the IPS, and every core-IPS link is in it."""
    net = ctx.network
    internet_vrfs = {z.vrf for z in net.zones.values() if z.kind == "internet"}
    found: list[Finding] = []
    for core in (d for d in net.devices.values() if d.role == "core"):
        for lk in ctx.links_of(core.name):
            if lk.kind not in ("edge", "external"):
                continue
            peer = lk.far_end(core.name)[0]
            name = lk.a_interface if lk.a == core.name else lk.b_interface
            intf = next((i for i in core.interfaces if i.name == name), None)
            if intf is None:  # a link the device has no interface for: GN-X rules report it
                continue
            peer_dev = net.devices.get(peer)
            to_ips = peer_dev is not None and peer_dev.role == "ips"
            if intf.vrf in internet_vrfs and not to_ips:
                message = f"{intf.name} toward {peer} in internet VPN {intf.vrf}: exit only via the IPS"
                found.append(_at(rule, ctx, core.name, lk.source, message))
            elif to_ips and intf.vrf not in internet_vrfs:
                where = intf.vrf or "the global table"
                message = f"{intf.name} toward the IPS {peer} is in {where}, not the internet VPN"
                found.append(_at(rule, ctx, core.name, lk.source, message))
    return found


CHECKS: dict[str, NetworkCheck] = {
    "internet_exit": internet_exit,
    "core_pair": core_pair,
    "dual_homed_aggregation": dual_homed_aggregation,
    "access_parent": access_parent,
    "edge_chain": edge_chain,
    "isp_at_exit": isp_at_exit,
    "redundancy_groups": redundancy_groups,
    "unique_route_targets": unique_route_targets,
    "zone_imports": zone_imports,
    "intranet_isolation": intranet_isolation,
    **isolation.CHECKS,
    **edge.CHECKS,
}
