"""Build a district's internet edge: edge devices, external peers, edge links, redundancy groups."""

from __future__ import annotations

from govnet.errors import did_you_mean
from govnet.inventory import ipam
from govnet.inventory.district import DistrictContext, connect, new_device, platform_for
from govnet.inventory.ipam import Slots, nth_subnet
from govnet.inventory.segments import build_segments
from govnet.model import Device, ExternalPeer, IsolationFlow, RedundancyGroup

VPN_POOL_PREFIXLEN = 24
"""A VPN gateway's user pool per zone: 254 concurrent remote users."""


def build_edge(ctx: DistrictContext, externals: dict[str, ExternalPeer]) -> None:
    """Edge devices, external peers, edge links and shared segments of the district."""
    ids: dict[int, str] = {}
    for i, spec in enumerate(ctx.district.edge_devices):
        loc: tuple[int | str, ...] = ("edge_devices", i)
        if spec.id in ids:
            ctx.report(
                f"edge id {spec.id} is also {ids[spec.id]}'s",
                (*loc, "id"),
                "give each edge device its own id",
            )
            continue
        if spec.id > ipam.EDGE_IDS:
            ctx.report(
                f"edge id {spec.id} is above {ipam.EDGE_IDS}", (*loc, "id"), f"use ids 1..{ipam.EDGE_IDS}"
            )
            continue
        ids[spec.id] = spec.name
        platform = platform_for(ctx, spec.platform, spec.role, (*loc, "platform"))
        slot = Slots.loopback_edge(ctx.did, spec.id)
        dev = new_device(
            ctx, f"{ctx.code}-{spec.name}", spec.role, platform, f"{ctx.code}-dc", None, slot, loc
        )
        if spec.role in ("firewall", "ips", "load_balancer", "vpn_gateway"):
            dev.zones = [z.name for z in ctx.zones.values() if z.kind == "internet"]
    for i, ext in enumerate(ctx.district.externals):
        name = f"{ctx.code}-{ext.name}"
        if name in externals or name in ctx.devices:
            ctx.report(f"duplicate name {name}", ("externals", i, "name"), "names must be unique")
            continue
        externals[name] = ExternalPeer(name, ext.kind, ext.title, ctx.code)
    link_ids: set[int] = set()
    for i, ls in enumerate(ctx.district.edge_links):
        loc = ("edge_links", i)
        if ls.id in link_ids:
            ctx.report(f"edge link id {ls.id} is used twice", (*loc, "id"), "give each edge link its own id")
            continue
        if ls.id > ipam.EDGE_IDS:
            ctx.report(
                f"edge link id {ls.id} is above {ipam.EDGE_IDS}", (*loc, "id"), f"use ids 1..{ipam.EDGE_IDS}"
            )
            continue
        link_ids.add(ls.id)
        a, b = f"{ctx.code}-{ls.a}", f"{ctx.code}-{ls.b}"
        bad = False
        for key, end in (("a", a), ("b", b)):
            if end not in ctx.devices and end not in externals:
                local = [n.removeprefix(f"{ctx.code}-") for n in (*ctx.devices, *externals)]
                guess = did_you_mean(getattr(ls, key), local)
                ctx.report(
                    f"unknown device or external {getattr(ls, key)!r}",
                    (*loc, key),
                    (f"{guess} " if guess else "") + "name a device or external of this district "
                    "(without the district prefix)",
                )
                bad = True
        if bad:
            continue
        if a in externals:
            ctx.report(
                "side a of a link must be a managed device",
                (*loc, "a"),
                "swap a and b so the external peer is b",
            )
            continue
        if ls.zone is not None and ls.zone not in ctx.zones:
            guess = did_you_mean(ls.zone, ctx.zones)
            ctx.report(
                f"unknown zone {ls.zone!r}",
                (*loc, "zone"),
                (f"{guess} " if guess else "") + f"use one of: {', '.join(sorted(ctx.zones))}",
            )
            continue
        connect(
            ctx,
            a,
            ls.a_interface,
            b,
            ls.b_interface,
            Slots.link_edge(ctx.did, ls.id),
            "external" if b in externals else "edge",
            loc,
            ospf=ls.ospf,
            ldp=False,
            mtu=ls.mtu,
            external=b in externals,
            vrf=ctx.zones[ls.zone].vrf if ls.zone else None,
        )
    build_segments(ctx)
    _isolation_flows(ctx)
    _vpn_users(ctx)


def _vpn_users(ctx: DistrictContext) -> None:
    """Each VPN gateway's user pool per zone: a /24 at the top of the zone's site pool, one per
    district counted down from the top (site prefixes fill the pool from the bottom)."""
    for i, spec in enumerate(ctx.district.vpn_users):
        loc: tuple[int | str, ...] = ("vpn_users", i)
        dev = ctx.devices.get(f"{ctx.code}-{spec.gateway}")
        if dev is None or dev.role != "vpn_gateway":
            ctx.report(f"{spec.gateway!r} is not a VPN gateway of this district", (*loc, "gateway"),
                       "name an edge device with role vpn_gateway")  # fmt: skip
            continue
        zone = ctx.zones.get(spec.zone)
        if zone is None:
            known = ", ".join(sorted(ctx.zones))
            ctx.report(f"unknown zone {spec.zone!r}", (*loc, "zone"), f"use one of: {known}")
            continue
        slot = (zone.site_pool.num_addresses >> (32 - VPN_POOL_PREFIXLEN)) - ctx.did
        dev.user_pools[zone.name] = nth_subnet(
            zone.site_pool, VPN_POOL_PREFIXLEN, slot, pool_name=f"zones.{zone.name}.site_pool",
            needed_by=f"VPN users of {dev.name}",
        )  # fmt: skip


def _isolation_flows(ctx: DistrictContext) -> None:
    """Each isolation gateway's allowed one-way flows (held as written; ``govnet check`` judges them)."""
    flows: dict[str, list[IsolationFlow]] = {}
    for i, spec in enumerate(ctx.district.isolation_flows):
        name = f"{ctx.code}-{spec.gateway}"
        dev = ctx.devices.get(name)
        if dev is None or dev.role != "isolation_gateway":
            gateways = [
                d.removeprefix(f"{ctx.code}-")
                for d, v in ctx.devices.items()
                if v.role == "isolation_gateway"
            ]
            ctx.report(
                f"{spec.gateway!r} is not an isolation gateway of this district",
                ("isolation_flows", i, "gateway"),
                f"use one of: {', '.join(gateways) or '(none: declare an isolation_gateway edge device)'}",
            )
            continue
        flows.setdefault(name, []).append(
            IsolationFlow(
                name=spec.name,
                source=spec.from_,
                destination=spec.to,
                service=spec.service,
                protocol=spec.protocol,
                port=spec.port,
                title=spec.title,
                source_line=ctx.source(("isolation_flows", i)),
            )
        )
    for name, items in flows.items():
        ctx.devices[name].isolation_flows = tuple(items)


def build_groups(ctx: DistrictContext, cores: dict[int, Device]) -> list[RedundancyGroup]:
    """Redundancy groups: the core pair, each node's uplinks, and the declared groups."""
    groups = [
        RedundancyGroup(
            f"{ctx.code}-core-pair", "devices", tuple(c.name for c in cores.values()), "core switch pair"
        )
    ]
    uplinks: dict[str, list[str]] = {}  # by node, in link order
    for lk in ctx.links:
        if lk.kind == "core-aggregation":
            uplinks.setdefault(lk.b, []).append(lk.id)
    for sub in ctx.district.subdistricts:
        agg = f"{ctx.code}-agg-{sub.name}"
        groups.append(
            RedundancyGroup(
                f"{ctx.code}-uplinks-{sub.name}",
                "links",
                tuple(uplinks.get(agg, ())),
                f"{sub.title or sub.name} dual uplinks",
            )
        )
    link_ids = {lk.id for lk in ctx.links}
    for i, g in enumerate(ctx.district.groups):
        members: list[str] = []
        for j, m in enumerate(g.members):
            if g.kind == "devices":
                full = f"{ctx.code}-{m}"
                ok = full in ctx.devices
            else:
                a, _, b = m.partition("--")
                full = f"{ctx.code}-{a}--{ctx.code}-{b}"
                ok = full in link_ids
            if not ok:
                prefix = f"{ctx.code}-"
                local = (
                    [n.removeprefix(prefix) for n in ctx.devices]
                    if g.kind == "devices"
                    else [i.replace(prefix, "") for i in link_ids]
                )
                guess = did_you_mean(m, local)
                ctx.report(
                    f"group {g.name} member {m!r} is not a {g.kind[:-1]} of this district",
                    ("groups", i, "members", j),
                    (f"{guess} " if guess else "") + "name devices as 'fw-1', links as 'lb-1--isp-telecom'",
                )
                continue
            members.append(full)
        groups.append(RedundancyGroup(f"{ctx.code}-{g.name}", g.kind, tuple(members), g.title))
    return groups
