"""Build a district's access sites: site plans keyed by site id, zone attachments, site LANs."""

from __future__ import annotations

from dataclasses import dataclass

from govnet.errors import did_you_mean
from govnet.inventory import ipam
from govnet.inventory.district import DistrictContext, connect, new_device, platform_for, port_name
from govnet.inventory.ipam import Slots, dotted, interface_in
from govnet.inventory.schema import SubdistrictSpec
from govnet.model import Attachment, Device, Interface


def expand_ids(ranges: str) -> list[int]:
    """Site ids from ``'1-3,5'``.

    >>> expand_ids("1-3,5")
    [1, 2, 3, 5]
    """
    ids: list[int] = []
    for part in filter(None, (p.strip() for p in ranges.split(","))):
        lo, _, hi = part.partition("-")
        ids.extend(range(int(lo), int(hi or lo) + 1))
    return ids


@dataclass(frozen=True, slots=True)
class _SitePlan:
    site_id: int
    name: str
    zones: list[str]
    parent: str
    loc: tuple[int | str, ...]


def site_plans(ctx: DistrictContext, i: int, sub: SubdistrictSpec) -> list[_SitePlan]:
    """Every access site of a subdistrict (communities, department sites, hand-listed sites)."""
    loc: tuple[int | str, ...] = ("subdistricts", i)
    shared = [z.name for z in ctx.zones.values() if z.kind in ("public", "internet")]
    plans: list[_SitePlan] = []
    for site_id in expand_ids(sub.communities):
        name = f"{ctx.code}-acc-{sub.name}-c{site_id:02d}"
        plans.append(_SitePlan(site_id, name, shared, sub.name, (*loc, "communities")))
    for j, dept in enumerate(sub.departments):
        zone = ctx.zones.get(dept)
        dloc = (*loc, "departments", j)
        if zone is None or zone.kind != "private" or zone.department_site is None:
            private = sorted(z.name for z in ctx.zones.values() if z.department_site)
            guess = did_you_mean(dept, private)
            ctx.report(
                f"unknown department {dept!r}",
                dloc,
                (f"{guess} " if guess else "") + f"use a private zone: {', '.join(private)}",
            )
            continue
        plans.append(
            _SitePlan(
                zone.department_site, f"{ctx.code}-acc-{sub.name}-{dept}", [*shared, dept], sub.name, dloc
            )
        )
    for j, site in enumerate(sub.sites):
        sloc = (*loc, "sites", j)
        zones = site.zones if site.zones is not None else shared
        unknown = [(k, z) for k, z in enumerate(zones) if z not in ctx.zones]
        for k, zname in unknown:
            guess = did_you_mean(zname, ctx.zones)
            ctx.report(
                f"unknown zone {zname!r}",
                (*sloc, "zones", k),
                (f"{guess} " if guess else "") + f"use one of: {', '.join(sorted(ctx.zones))}",
            )
        if unknown:
            continue
        parent = sub.name if site.parent is None else site.parent
        plans.append(_SitePlan(site.id, f"{ctx.code}-acc-{site.name}", list(zones), parent, sloc))
    seen: dict[int, str] = {}
    kept: list[_SitePlan] = []
    for plan in plans:
        if plan.site_id in seen:
            ctx.report(
                f"site id {plan.site_id} in subdistrict {sub.name} is used by {seen[plan.site_id]} "
                f"and {plan.name}",
                plan.loc,
                "give every access site of a subdistrict its own id",
            )
            continue
        if not 1 <= plan.site_id <= ipam.SITES_PER_SUBDISTRICT:
            ctx.report(
                f"site id {plan.site_id} of {plan.name} is outside 1..{ipam.SITES_PER_SUBDISTRICT}",
                plan.loc,
                f"use site ids 1..{ipam.SITES_PER_SUBDISTRICT}",
            )
            continue
        seen[plan.site_id] = plan.name
        kept.append(plan)
    return kept


def build_access_site(
    ctx: DistrictContext, sub: SubdistrictSpec, plan: _SitePlan, aggs: dict[str, Device]
) -> None:
    """An access site on its own subdistrict's node, with its zone attachments and LAN."""
    if plan.parent != sub.name:
        if plan.parent in aggs or plan.parent in {s.name for s in ctx.district.subdistricts}:
            msg = (
                f"access site {plan.name} of subdistrict {sub.name} is attached to another "
                f"subdistrict's node ({plan.parent})"
            )
        else:
            msg = f"access site {plan.name} has no aggregation parent: {plan.parent!r} is not a subdistrict"
        ctx.report(msg, (*plan.loc, "parent"), f"attach it to its own subdistrict ({sub.name})")
        return
    agg = aggs[sub.name]
    platform = platform_for(ctx, None, "access", plan.loc)
    slot = Slots.loopback_access(ctx.did, sub.id, plan.site_id)
    site_name = plan.name.removeprefix(f"{ctx.code}-acc-")
    acc = new_device(ctx, plan.name, "access", platform, site_name, sub.name, slot, plan.loc)
    acc.zones = list(plan.zones)
    a_port = port_name(ctx, "aggregation", "access", agg.platform, site=plan.site_id)
    b_port = port_name(ctx, "access", "aggregation", acc.platform, site=plan.site_id)
    connect(
        ctx,
        agg.name,
        a_port,
        acc.name,
        b_port,
        Slots.link_access(ctx.did, sub.id, plan.site_id),
        "aggregation-access",
        plan.loc,
        ospf=False,
        ldp=False,
        attach=lambda link_id, mtu: _attach_zones(ctx, agg, acc, sub, plan, link_id, a_port, b_port, mtu),
    )


def _attach_zones(
    ctx: DistrictContext,
    agg: Device,
    acc: Device,
    sub: SubdistrictSpec,
    plan: _SitePlan,
    link_id: str,
    a_port: str,
    b_port: str,
    mtu: int,
) -> tuple[Attachment, ...]:
    """The zone attachments of the access link ``link_id`` (``a_port`` on the node, ``b_port`` on
    the site), their subinterfaces at both ends, and the site LAN."""
    attachments: list[Attachment] = []
    zone_slots = ctx.zone_slots
    # one site of a department per subdistrict: compact slots in the department's own plan
    private_slot = (ctx.did - 1) * ipam.SUBDISTRICTS_PER_DISTRICT + sub.id
    site_slot = Slots.site(ctx.did, sub.id, plan.site_id)
    for zname in plan.zones:
        zone = ctx.zones[zname]
        slot = private_slot if zone.kind == "private" else site_slot
        who = f"{acc.name} zone {zname}"
        sites, attaches = zone_slots[zname]
        site_prefix = sites.nth(slot, who)
        attach, pe_ip, ce_ip = attaches.ends(slot, who)
        attachments.append(Attachment(zname, zone.vrf, zone.vlan, attach, pe_ip, ce_ip, site_prefix))
        acc.site_prefixes[zname] = site_prefix
        vlan, vrf = zone.vlan, zone.vrf
        for dev, port, peer, peer_port, ip in (
            (agg, a_port, acc.name, b_port, pe_ip),
            (acc, b_port, agg.name, a_port, ce_ip),
        ):
            dev.interfaces.append(
                Interface(  # name, ip, peer, peer_interface, link_id, description, mtu, ospf, ldp, vlan, vrf
                    f"{port}.{vlan}",
                    ip,
                    peer,
                    f"{peer_port}.{vlan}",
                    link_id,
                    f"{zname} zone to {peer} [{link_id}]",
                    mtu,
                    False,
                    False,
                    vlan,
                    vrf,
                )
            )
            if zname not in dev.zones:
                dev.zones.append(zname)
    _site_lan(ctx, acc, attachments)
    return tuple(attachments)


def _site_lan(ctx: DistrictContext, acc: Device, attachments: list[Attachment]) -> None:
    """The CE's LAN side: one dot1q subinterface per zone, gateway = first host of the site prefix."""
    port = ctx.port_pattern("access", "lan", acc.platform)
    if port is None or not attachments:
        return
    mtu = ctx.net.mtu
    acc.interfaces.append(
        Interface(port, None, "", "", "", f"site LAN trunk of {acc.site}", mtu, False, False)
    )
    for att in attachments:
        first = int(att.site_prefix.network_address)
        acc.interfaces.append(
            Interface(  # name, ip, peer, peer_interface, link_id, description, mtu, ospf, ldp, vlan, vrf
                f"{port}.{att.vlan}",
                interface_in(att.site_prefix, first + 1),
                "",
                "",
                "",
                f"{att.zone} zone site LAN {dotted(first)}/{att.site_prefix.prefixlen}",
                mtu,
                False,
                False,
                att.vlan,
                att.vrf,
            )
        )
