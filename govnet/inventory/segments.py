"""Build a district's shared segments: their subnets, member addresses and VRRP virtual addresses.

A segment's subnet is a /28 from a dedicated sub-block at the top of the district's block of the
``p2p`` pool (link slots 960..1023, which no point-to-point link uses: links stop at slot 640),
keyed by the segment id; member and virtual addresses are the ``host`` offsets the inventory
gives. No existing link or device moves.

>>> from ipaddress import IPv4Network
>>> segment_subnet(IPv4Network("10.8.0.0/13"), 30, district=1, segment=1)
IPv4Network('10.8.15.0/28')
>>> segment_subnet(IPv4Network("10.8.0.0/13"), 30, district=2, segment=3)
IPv4Network('10.8.31.32/28')
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

from govnet.errors import did_you_mean
from govnet.inventory import ipam
from govnet.inventory.district import PE_ROLES, DistrictContext
from govnet.inventory.ipam import interface_in, nth_subnet
from govnet.inventory.schema import SegmentSpec
from govnet.model import Interface, Segment, SegmentMember, VrrpGroup

SEGMENT_PREFIXLEN = 28
"""A segment is a /28: 14 hosts, enough for a pair, its neighbours and the virtual addresses."""
SEGMENT_LINK_SLOT = 960
"""First link slot of the segment sub-block inside a district's p2p block."""
SEGMENT_IDS = 8
"""Segment ids 1..8 per district (the sub-block holds 8 /28s even with /31 links)."""


def segment_subnet(pool: IPv4Network, p2p_prefixlen: int, *, district: int, segment: int) -> IPv4Network:
    """The /28 of segment ``segment`` in ``district``: top sub-block of the district's link block."""
    link_size = 1 << (32 - p2p_prefixlen)
    first = ((district - 1) * ipam.LINK_SLOTS_PER_DISTRICT + SEGMENT_LINK_SLOT) * link_size
    slot = first // (1 << (32 - SEGMENT_PREFIXLEN)) + segment - 1
    return nth_subnet(pool, SEGMENT_PREFIXLEN, slot, pool_name="p2p", needed_by=f"segment {segment}")


def build_segments(ctx: DistrictContext) -> None:
    """Create every segment of the district and the member ports on its devices."""
    ids: dict[int, str] = {}
    for i, spec in enumerate(ctx.district.segments):
        loc: tuple[int | str, ...] = ("segments", i)
        if spec.id in ids:
            ctx.report(
                f"segment id {spec.id} is also {ids[spec.id]}'s", (*loc, "id"), "give each segment its own id"
            )
            continue
        if spec.id > SEGMENT_IDS:
            ctx.report(
                f"segment id {spec.id} is above {SEGMENT_IDS}", (*loc, "id"), f"use ids 1..{SEGMENT_IDS}"
            )
            continue
        ids[spec.id] = spec.name
        segment = _segment(ctx, spec, loc)
        if segment is not None:
            _attach(ctx, segment, spec)


def _segment(ctx: DistrictContext, spec: SegmentSpec, loc: tuple[int | str, ...]) -> Segment | None:
    """The resolved segment, or None after reporting what is wrong with it."""
    ok = True
    hosts: dict[int, str] = {}
    members: list[SegmentMember] = []
    subnet = segment_subnet(ctx.net.pools.p2p, ctx.net.p2p_prefixlen, district=ctx.did, segment=spec.id)
    base = int(subnet.network_address)
    for j, m in enumerate(spec.members):
        name = f"{ctx.code}-{m.device}"
        if name not in ctx.devices:
            local = [n.removeprefix(f"{ctx.code}-") for n in ctx.devices]
            guess = did_you_mean(m.device, local)
            ctx.report(
                f"segment {spec.name}: unknown device {m.device!r}",
                (*loc, "members", j, "device"),
                (f"{guess} " if guess else "")
                + "name a device of this district (without the district prefix)",
            )
            ok = False
            continue
        ok &= _take_host(ctx, hosts, m.host, name, (*loc, "members", j, "host"))
        members.append(SegmentMember(name, m.interface, interface_in(subnet, base + m.host)))
    groups: list[VrrpGroup] = []
    vrids: set[int] = set()
    on_segment = {m.device for m in members}
    for j, g in enumerate(spec.vrrp):
        gloc = (*loc, "vrrp", j)
        if g.vrid in vrids:
            ctx.report(
                f"segment {spec.name}: VRRP group {g.vrid} twice",
                (*gloc, "vrid"),
                "give each group its own vrid",
            )
            ok = False
        vrids.add(g.vrid)
        names = tuple(f"{ctx.code}-{n}" for n in g.members)
        stray = [n for n, full in zip(g.members, names, strict=True) if full not in on_segment]
        if stray or len(set(names)) != len(names):
            ctx.report(
                f"segment {spec.name}: VRRP group {g.vrid} members {', '.join(stray) or 'repeat'} "
                "are not distinct members of the segment",
                (*gloc, "members"),
                "list each member of the pair once; it must be a member of the segment",
            )
            ok = False
        ok &= _take_host(ctx, hosts, g.host, f"VRRP group {g.vrid}", (*gloc, "host"))
        groups.append(VrrpGroup(g.vrid, IPv4Address(base + g.host), names))
    if spec.zone is not None and spec.zone not in ctx.zones:
        ctx.report(
            f"unknown zone {spec.zone!r}", (*loc, "zone"), f"use one of: {', '.join(sorted(ctx.zones))}"
        )
        ok = False
    if not ok:
        return None
    return Segment(
        id=f"{ctx.code}-{spec.name}",
        name=spec.name,
        district=ctx.code,
        subnet=subnet,
        members=tuple(members),
        vrrp=tuple(groups),
        zone=spec.zone,
        title=spec.title,
        mtu=spec.mtu or ctx.net.mtu,
        source=ctx.source(loc),
    )


def _take_host(
    ctx: DistrictContext, hosts: dict[int, str], host: int, user: str, loc: tuple[int | str, ...]
) -> bool:
    if host in hosts:
        ctx.report(f"host {host} is taken by {hosts[host]}", loc, "give every member and group its own host")
        return False
    hosts[host] = user
    return True


def _attach(ctx: DistrictContext, segment: Segment, spec: SegmentSpec) -> None:
    """A port on each member device, bound to the segment's zone VRF on PEs."""
    for j, member in enumerate(segment.members):
        device = ctx.devices[member.device]
        if ctx.has_port(device, member.interface):
            ctx.report(
                f"{member.device} interface {member.interface} is used twice",
                ("segments", ctx.district.segments.index(spec), "members", j, "interface"),
                "give each link and segment its own port",
            )
            continue
        vrf = ctx.zones[segment.zone].vrf if segment.zone and device.role in PE_ROLES else None
        device.interfaces.append(
            Interface(
                name=member.interface,
                ip=member.ip,
                peer=segment.id,
                peer_interface="",
                link_id=segment.id,
                description=f"segment {segment.id} [{segment.subnet}]",
                mtu=segment.mtu,
                ospf=False,
                ldp=False,
                vrf=vrf,
                segment=segment,
            )
        )
