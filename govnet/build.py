"""Resolve validated inventory files into the network model and its address plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Interface
from pathlib import Path

from govnet import ipam
from govnet.errors import InventoryError
from govnet.ipam import Slots, nth_address, nth_subnet, p2p_ends
from govnet.model import (
    Attachment,
    Device,
    ExternalPeer,
    Interface,
    Link,
    LinkKind,
    Network,
    RedundancyGroup,
    Settings,
    Vrf,
    Zone,
)
from govnet.schema import DistrictFile, NetworkFile, RoleSpec, SubdistrictSpec
from govnet.sourcefiles import InventorySources, Source, read_sources
from govnet.yamlsource import line_of

LOOPBACK_ROLES = frozenset({"core", "aggregation", "access", "firewall"})


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


@dataclass
class _Ctx:
    """Everything one district build needs, plus the error location helper."""

    net: NetworkFile
    roles: dict[str, RoleSpec]
    roles_src: Source
    zones: dict[str, Zone]
    src: Source
    district: DistrictFile
    devices: dict[str, Device] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    taken: dict[str, Path] = field(default_factory=dict)

    def fail(self, message: str, loc: tuple[int | str, ...], hint: str) -> InventoryError:
        from govnet.yamlsource import key_path

        return InventoryError(
            message, file=self.src.path, key=key_path(loc), line=line_of(self.src.raw, loc), hint=hint
        )

    @property
    def code(self) -> str:
        return self.district.district.code

    @property
    def did(self) -> int:
        return self.district.district.id


def _settings(net: NetworkFile) -> Settings:
    mgmt = net.pools.mgmt
    return Settings(
        name=net.name,
        title=net.title,
        asn=net.asn,
        noc_prefix=net.noc_prefix,
        syslog_host=net.syslog_host,
        ntp_servers=tuple(net.ntp_servers),
        mgmt_prefix=mgmt,
        mgmt_gateway=mgmt.network_address + 1,
        idle_timeout_minutes=net.idle_timeout_minutes,
        login_attempts=net.login_attempts,
        ospf_area=net.ospf_area,
        mtu=net.mtu,
    )


def _zones(net: NetworkFile, src: Source) -> dict[str, Zone]:
    zones: dict[str, Zone] = {}
    seen_ids: dict[int, str] = {}
    for i, spec in enumerate(net.zones):
        loc: tuple[int | str, ...] = ("zones", i)
        if spec.name in zones or spec.id in seen_ids:
            dup = spec.name if spec.name in zones else f"id {spec.id} (also zone {seen_ids[spec.id]})"
            raise InventoryError(
                f"duplicate zone {dup}",
                file=src.path,
                key=f"zones[{i}]",
                line=line_of(src.raw, loc),
                hint="give every zone a unique name and id",
            )
        seen_ids[spec.id] = spec.name
        zones[spec.name] = Zone(
            name=spec.name,
            id=spec.id,
            kind=spec.kind,
            title=spec.title,
            vrf=spec.vrf,
            vlan=spec.vlan,
            route_target=f"{net.asn}:{spec.id}",
            imports=(f"{net.asn}:{spec.id}",),
            site_pool=spec.site_pool,
            attach_pool=spec.attach_pool,
            department_site=spec.department_site,
        )
    for i, exc in enumerate(net.route_exceptions):
        for key in ("zone", "imports"):
            if getattr(exc, key) not in zones:
                raise InventoryError(
                    f"route exception {exc.name!r} names unknown zone {getattr(exc, key)!r}",
                    file=src.path,
                    key=f"route_exceptions[{i}].{key}",
                    line=line_of(src.raw, ("route_exceptions", i, key)),
                    hint=f"use one of: {', '.join(sorted(zones))}",
                )
        z = zones[exc.zone]
        zones[exc.zone] = Zone(
            **{
                **{f: getattr(z, f) for f in z.__slots__},
                "imports": (*z.imports, zones[exc.imports].route_target),
            }
        )
    return zones


def _platform(ctx: _Ctx, name: str | None, role: str, loc: tuple[int | str, ...]) -> str:
    if role not in ctx.roles:
        raise InventoryError(
            f"role {role} has no defaults",
            file=ctx.roles_src.path,
            key=f"roles.{role}",
            hint=f"add roles.{role} with its platform and lab_platform",
        )
    platform = name or ctx.roles[role].platform
    if platform not in ctx.net.platforms:
        known = ", ".join(sorted(ctx.net.platforms))
        if name is None:
            raise InventoryError(
                f"role {role} has unknown platform {platform!r}",
                file=ctx.roles_src.path,
                key=f"roles.{role}.platform",
                line=line_of(ctx.roles_src.raw, ("roles", role, "platform")),
                hint=f"use one of: {known}",
            )
        raise ctx.fail(f"unknown platform {platform!r}", loc, f"use one of: {known}")
    return platform


def _port(ctx: _Ctx, role: str, toward: str, platform: str | None = None, **ids: int) -> str:
    spec = ctx.roles.get(role)
    pattern = spec.ports.get(toward) if spec else None
    if spec and platform and toward in spec.platform_ports.get(platform, {}):
        pattern = spec.platform_ports[platform][toward]
    if pattern is None:
        raise InventoryError(
            f"role {role} has no port pattern toward {toward}",
            file=ctx.roles_src.path,
            key=f"roles.{role}.ports.{toward}",
            line=line_of(ctx.roles_src.raw, ("roles", role, "ports")),
            hint=f"add ports.{toward}, e.g. 'GigabitEthernet0/0/{{{next(iter(ids), 'n')}}}'",
        )
    return pattern.format(**ids)


def _new_device(
    ctx: _Ctx,
    name: str,
    role: str,
    platform: str,
    site: str,
    subdistrict: str | None,
    slot: int,
    loc: tuple[int | str, ...],
) -> Device:
    if name in ctx.devices:
        raise ctx.fail(f"duplicate host name {name}", loc, "give every device a unique name")
    if name in ctx.taken:
        raise ctx.fail(
            f"duplicate host name {name} (also in {ctx.taken[name]})",
            loc,
            "give every device a unique name (districts need distinct codes)",
        )
    pools = ctx.net.pools
    mgmt = nth_address(pools.mgmt, slot, pool_name="mgmt", needed_by=name)
    loopback = None
    if role in LOOPBACK_ROLES:
        lo = nth_address(pools.loopback, slot, pool_name="loopback", needed_by=name)
        loopback = IPv4Interface((lo, 32))
    spec = ctx.roles[role]
    device = Device(
        name=name,
        role=role,
        platform=platform,
        lab_platform=spec.lab_platform,
        model=spec.platform_models.get(platform, spec.model),
        mgmt_port=spec.platform_ports.get(platform, {}).get("mgmt", spec.mgmt_port),
        district=ctx.code,
        site=site,
        subdistrict=subdistrict,
        zones=[],
        mgmt_ip=IPv4Interface((mgmt, pools.mgmt.prefixlen)),
        loopback=loopback,
        source=f"{ctx.src.path}:{line_of(ctx.src.raw, loc) or 1}",
    )
    ctx.devices[name] = device
    return device


def _connect(
    ctx: _Ctx,
    a: str,
    a_if: str,
    b: str,
    b_if: str,
    slot: int,
    kind: LinkKind,
    loc: tuple[int | str, ...],
    *,
    ospf: bool,
    ldp: bool,
    mtu: int | None = None,
    external: bool = False,
) -> Link:
    link_id = f"{a}--{b}"
    subnet = nth_subnet(
        ctx.net.pools.p2p, ctx.net.p2p_prefixlen, slot, pool_name="p2p", needed_by=f"link {link_id}"
    )
    a_ip, b_ip = p2p_ends(subnet)
    mtu = mtu or ctx.net.mtu
    link = Link(
        id=link_id,
        a=a,
        a_interface=a_if,
        b=b,
        b_interface=b_if,
        subnet=subnet,
        a_ip=a_ip,
        b_ip=b_ip,
        kind=kind,
        mtu=mtu,
        ospf_area=ctx.net.ospf_area,
        ldp=ldp,
        external=external,
        source=f"{ctx.src.path}:{line_of(ctx.src.raw, loc) or 1}",
    )
    for end, intf, peer, peer_if, ip in ((a, a_if, b, b_if, a_ip), (b, b_if, a, a_if, b_ip)):
        device = ctx.devices.get(end)
        if device is None:
            continue
        if any(i.name == intf for i in device.interfaces):
            raise ctx.fail(f"{end} interface {intf} is used by two links", loc, "give each link its own port")
        device.interfaces.append(
            Interface(
                name=intf,
                ip=ip,
                peer=peer,
                peer_interface=peer_if,
                link_id=link_id,
                description=f"to {peer} {peer_if} [{link_id}]",
                mtu=mtu,
                ospf=ospf,
                ldp=ldp,
            )
        )
    ctx.links.append(link)
    return link


def _cores(ctx: _Ctx) -> dict[int, Device]:
    cores: dict[int, Device] = {}
    for i, spec in enumerate(ctx.district.cores):
        loc: tuple[int | str, ...] = ("cores", i)
        if spec.id in cores:
            raise ctx.fail(f"duplicate core id {spec.id}", loc, "number the cores 1 and 2")
        platform = _platform(ctx, spec.platform, "core", (*loc, "platform"))
        name = f"{ctx.code}-core-{spec.id}"
        slot = Slots.loopback_core(ctx.did, spec.id)
        cores[spec.id] = _new_device(ctx, name, "core", platform, f"{ctx.code}-dc", None, slot, loc)
    if 1 in cores and 2 in cores:
        c1, c2 = cores[1], cores[2]
        _connect(
            ctx,
            c1.name,
            _port(ctx, "core", "core", core=2),
            c2.name,
            _port(ctx, "core", "core", core=1),
            Slots.link_core_core(ctx.did),
            "core-core",
            ("cores",),
            ospf=True,
            ldp=True,
        )
    return cores


def _check_subdistrict_ids(ctx: _Ctx) -> None:
    seen: dict[int, str] = {}
    names: set[str] = set()
    for i, sub in enumerate(ctx.district.subdistricts):
        loc: tuple[int | str, ...] = ("subdistricts", i)
        if sub.id in seen:
            raise ctx.fail(
                f"subdistrict id {sub.id} is used by {seen[sub.id]} and {sub.name}",
                (*loc, "id"),
                "give every subdistrict a unique id",
            )
        if sub.name in names:
            raise ctx.fail(f"duplicate subdistrict {sub.name}", (*loc, "name"), "names must be unique")
        if sub.id > ipam.SUBDISTRICTS_PER_DISTRICT:
            raise ctx.fail(
                f"subdistrict id {sub.id} is above {ipam.SUBDISTRICTS_PER_DISTRICT}",
                (*loc, "id"),
                f"use ids 1..{ipam.SUBDISTRICTS_PER_DISTRICT}",
            )
        seen[sub.id] = sub.name
        names.add(sub.name)


def _aggregation(ctx: _Ctx, i: int, sub: SubdistrictSpec, cores: dict[int, Device]) -> Device:
    loc: tuple[int | str, ...] = ("subdistricts", i)
    platform = _platform(ctx, sub.platform, "aggregation", (*loc, "platform"))
    name = f"{ctx.code}-agg-{sub.name}"
    slot = Slots.loopback_aggregation(ctx.did, sub.id)
    agg = _new_device(ctx, name, "aggregation", platform, sub.name, sub.name, slot, loc)
    if len(sub.uplinks) != 2 or len(set(sub.uplinks)) != 2:
        raise ctx.fail(
            f"aggregation node {name} needs two uplinks to two distinct cores, has {sub.uplinks}",
            (*loc, "uplinks"),
            "set uplinks: [1, 2]",
        )
    for core_id in sub.uplinks:
        core = cores.get(core_id)
        if core is None:
            raise ctx.fail(
                f"aggregation node {name} uplinks to core {core_id}, which does not exist",
                (*loc, "uplinks"),
                f"use core ids {sorted(cores)}",
            )
        _connect(
            ctx,
            core.name,
            _port(ctx, "core", "aggregation", subdistrict=sub.id),
            name,
            _port(ctx, "aggregation", "core", platform, core=core_id),
            Slots.link_core_aggregation(ctx.did, sub.id, core_id),
            "core-aggregation",
            (*loc, "uplinks"),
            ospf=True,
            ldp=True,
        )
    return agg


@dataclass(frozen=True, slots=True)
class _SitePlan:
    site_id: int
    name: str
    zones: list[str]
    parent: str
    loc: tuple[int | str, ...]


def _site_plans(ctx: _Ctx, i: int, sub: SubdistrictSpec) -> list[_SitePlan]:
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
            raise ctx.fail(f"unknown department {dept!r}", dloc, f"use a private zone: {', '.join(private)}")
        plans.append(
            _SitePlan(
                zone.department_site, f"{ctx.code}-acc-{sub.name}-{dept}", [*shared, dept], sub.name, dloc
            )
        )
    for j, site in enumerate(sub.sites):
        sloc = (*loc, "sites", j)
        zones = site.zones if site.zones is not None else shared
        for k, zname in enumerate(zones):
            if zname not in ctx.zones:
                raise ctx.fail(
                    f"unknown zone {zname!r}", (*sloc, "zones", k), f"use one of {sorted(ctx.zones)}"
                )
        parent = sub.name if site.parent is None else site.parent
        plans.append(_SitePlan(site.id, f"{ctx.code}-acc-{site.name}", list(zones), parent, sloc))
    seen: dict[int, str] = {}
    for plan in plans:
        if plan.site_id in seen:
            raise ctx.fail(
                f"site id {plan.site_id} in subdistrict {sub.name} is used by {seen[plan.site_id]} "
                f"and {plan.name}",
                plan.loc,
                "give every access site of a subdistrict its own id",
            )
        if not 1 <= plan.site_id <= ipam.SITES_PER_SUBDISTRICT:
            raise ctx.fail(
                f"site id {plan.site_id} of {plan.name} is outside 1..{ipam.SITES_PER_SUBDISTRICT}",
                plan.loc,
                f"use site ids 1..{ipam.SITES_PER_SUBDISTRICT}",
            )
        seen[plan.site_id] = plan.name
    return plans


def _access_site(ctx: _Ctx, sub: SubdistrictSpec, plan: _SitePlan, aggs: dict[str, Device]) -> None:
    if plan.parent != sub.name:
        if plan.parent in aggs or plan.parent in {s.name for s in ctx.district.subdistricts}:
            msg = (
                f"access site {plan.name} of subdistrict {sub.name} is attached to another "
                f"subdistrict's node ({plan.parent})"
            )
        else:
            msg = f"access site {plan.name} has no aggregation parent: {plan.parent!r} is not a subdistrict"
        raise ctx.fail(msg, (*plan.loc, "parent"), f"attach it to its own subdistrict ({sub.name})")
    agg = aggs[sub.name]
    platform = _platform(ctx, None, "access", plan.loc)
    slot = Slots.loopback_access(ctx.did, sub.id, plan.site_id)
    site_name = plan.name.removeprefix(f"{ctx.code}-acc-")
    acc = _new_device(ctx, plan.name, "access", platform, site_name, sub.name, slot, plan.loc)
    acc.zones = list(plan.zones)
    link = _connect(
        ctx,
        agg.name,
        _port(ctx, "aggregation", "access", agg.platform, site=plan.site_id),
        acc.name,
        _port(ctx, "access", "aggregation", site=plan.site_id),
        Slots.link_access(ctx.did, sub.id, plan.site_id),
        "aggregation-access",
        plan.loc,
        ospf=False,
        ldp=False,
    )
    _attach_zones(ctx, link, agg, acc, sub, plan)


def _zone_slot(ctx: _Ctx, zone: Zone, sub: SubdistrictSpec, plan: _SitePlan) -> int:
    if zone.kind == "private":
        # one site of a department per subdistrict: compact slots in the department's own plan
        return (ctx.did - 1) * ipam.SUBDISTRICTS_PER_DISTRICT + sub.id
    return Slots.site(ctx.did, sub.id, plan.site_id)


def _attach_zones(
    ctx: _Ctx, link: Link, agg: Device, acc: Device, sub: SubdistrictSpec, plan: _SitePlan
) -> None:
    attachments: list[Attachment] = []
    specs = {z.name: z for z in ctx.net.zones}
    for zname in plan.zones:
        zone = ctx.zones[zname]
        slot = _zone_slot(ctx, zone, sub, plan)
        who = f"{acc.name} zone {zname}"
        site_prefix = nth_subnet(
            zone.site_pool,
            specs[zname].site_prefixlen,
            slot,
            pool_name=f"zones.{zname}.site_pool",
            needed_by=who,
        )
        attach = nth_subnet(
            zone.attach_pool,
            ctx.net.p2p_prefixlen,
            slot,
            pool_name=f"zones.{zname}.attach_pool",
            needed_by=who,
        )
        pe_ip, ce_ip = p2p_ends(attach)
        attachments.append(Attachment(zname, zone.vrf, zone.vlan, attach, pe_ip, ce_ip, site_prefix))
        acc.site_prefixes[zname] = site_prefix
        for dev, port, peer, peer_port, ip in (
            (agg, link.a_interface, acc.name, link.b_interface, pe_ip),
            (acc, link.b_interface, agg.name, link.a_interface, ce_ip),
        ):
            dev.interfaces.append(
                Interface(
                    name=f"{port}.{zone.vlan}",
                    ip=ip,
                    peer=peer,
                    peer_interface=f"{peer_port}.{zone.vlan}",
                    link_id=link.id,
                    description=f"{zname} zone to {peer} [{link.id}]",
                    mtu=link.mtu,
                    ospf=False,
                    ldp=False,
                    vlan=zone.vlan,
                    vrf=zone.vrf,
                )
            )
            if zname not in dev.zones:
                dev.zones.append(zname)
    _site_lan(ctx, acc, attachments)
    ctx.links[-1] = Link(
        **{**{f: getattr(link, f) for f in link.__slots__}, "attachments": tuple(attachments)}
    )


def _site_lan(ctx: _Ctx, acc: Device, attachments: list[Attachment]) -> None:
    """The CE's LAN side: one dot1q subinterface per zone, gateway = first host of the site prefix."""
    spec = ctx.roles["access"]
    port = spec.platform_ports.get(acc.platform, {}).get("lan", spec.ports.get("lan"))
    if port is None or not attachments:
        return
    mtu = ctx.net.mtu
    acc.interfaces.append(
        Interface(port, None, "", "", "", f"site LAN trunk of {acc.site}", mtu, False, False)
    )
    for att in attachments:
        gateway = IPv4Interface((int(att.site_prefix.network_address) + 1, att.site_prefix.prefixlen))
        acc.interfaces.append(
            Interface(
                name=f"{port}.{att.vlan}",
                ip=gateway,
                peer="",
                peer_interface="",
                link_id="",
                description=f"{att.zone} zone site LAN {att.site_prefix}",
                mtu=mtu,
                ospf=False,
                ldp=False,
                vlan=att.vlan,
                vrf=att.vrf,
            )
        )


def _edge(ctx: _Ctx, externals: dict[str, ExternalPeer]) -> None:
    ids: dict[int, str] = {}
    for i, spec in enumerate(ctx.district.edge_devices):
        loc: tuple[int | str, ...] = ("edge_devices", i)
        if spec.id in ids:
            raise ctx.fail(f"edge id {spec.id} is used twice", (*loc, "id"), "give each its own id")
        if spec.id > ipam.EDGE_IDS:
            raise ctx.fail(f"edge id {spec.id} above {ipam.EDGE_IDS}", (*loc, "id"), "lower it")
        ids[spec.id] = spec.name
        platform = _platform(ctx, spec.platform, spec.role, (*loc, "platform"))
        slot = Slots.loopback_edge(ctx.did, spec.id)
        dev = _new_device(
            ctx, f"{ctx.code}-{spec.name}", spec.role, platform, f"{ctx.code}-dc", None, slot, loc
        )
        if spec.role in ("firewall", "ips", "load_balancer", "vpn_gateway"):
            dev.zones = [z.name for z in ctx.zones.values() if z.kind == "internet"]
    for i, ext in enumerate(ctx.district.externals):
        name = f"{ctx.code}-{ext.name}"
        if name in externals or name in ctx.devices:
            raise ctx.fail(f"duplicate name {name}", ("externals", i), "names must be unique")
        externals[name] = ExternalPeer(name, ext.kind, ext.title, ctx.code)
    link_ids: set[int] = set()
    for i, ls in enumerate(ctx.district.edge_links):
        loc = ("edge_links", i)
        if ls.id in link_ids or ls.id > ipam.EDGE_IDS:
            raise ctx.fail(
                f"edge link id {ls.id} is used twice or above {ipam.EDGE_IDS}",
                (*loc, "id"),
                "give each edge link its own id",
            )
        link_ids.add(ls.id)
        a, b = f"{ctx.code}-{ls.a}", f"{ctx.code}-{ls.b}"
        for key, end in (("a", a), ("b", b)):
            if end not in ctx.devices and end not in externals:
                raise ctx.fail(
                    f"unknown device or external {end!r}",
                    (*loc, key),
                    "name a device of this district (without the district prefix)",
                )
        if a in externals:
            raise ctx.fail(
                "side a of a link must be a managed device",
                (*loc, "a"),
                "swap a and b so the external peer is b",
            )
        _connect(
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
        )


def _groups(ctx: _Ctx, cores: dict[int, Device], externals: dict[str, ExternalPeer]) -> list[RedundancyGroup]:
    groups = [
        RedundancyGroup(
            f"{ctx.code}-core-pair", "devices", tuple(c.name for c in cores.values()), "core switch pair"
        )
    ]
    for sub in ctx.district.subdistricts:
        agg = f"{ctx.code}-agg-{sub.name}"
        uplinks = tuple(lk.id for lk in ctx.links if lk.kind == "core-aggregation" and lk.b == agg)
        groups.append(
            RedundancyGroup(
                f"{ctx.code}-uplinks-{sub.name}", "links", uplinks, f"{sub.title or sub.name} dual uplinks"
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
                raise ctx.fail(
                    f"group {g.name} member {m!r} is not a {g.kind[:-1]} of this district",
                    ("groups", i, "members", j),
                    "name devices as 'fw-1' and links as 'lb-1--isp-telecom'",
                )
            members.append(full)
        groups.append(RedundancyGroup(f"{ctx.code}-{g.name}", g.kind, tuple(members), g.title))
    return groups


def _vrfs(devices: dict[str, Device], zones: dict[str, Zone]) -> None:
    for dev in devices.values():
        if dev.loopback is None or dev.role not in ("core", "aggregation", "access"):
            continue
        names = list(zones) if dev.role == "core" else [z for z in zones if z in dev.zones]
        if dev.role == "core":
            dev.zones = names
        dev.vrfs = [
            Vrf(
                zones[z].vrf,
                z,
                f"{dev.loopback.ip}:{zones[z].id}",
                (zones[z].route_target,),
                zones[z].imports,
            )
            for z in names
        ]


def build_network(directory: Path) -> Network:
    """Read, validate and resolve the inventory at ``directory``."""
    sources = read_sources(directory)
    return resolve(sources, directory)


def resolve(sources: InventorySources, directory: Path) -> Network:
    """Resolve parsed sources into a Network (semantic checks included)."""
    from govnet.validate import check_network

    net = sources.network
    zones = _zones(net, sources.network_src)
    devices: dict[str, Device] = {}
    links: list[Link] = []
    groups: list[RedundancyGroup] = []
    externals: dict[str, ExternalPeer] = {}
    origin: dict[str, Path] = {}
    district_ids: dict[int, Path] = {}
    for district, src in sources.districts:
        if district.district.id in district_ids:
            raise InventoryError(
                f"district id {district.district.id} is also used by {district_ids[district.district.id]}",
                file=src.path,
                key="district.id",
                line=line_of(src.raw, ("district", "id")),
                hint="give every district a unique id",
            )
        district_ids[district.district.id] = src.path
        ctx = _Ctx(
            net,
            {str(k): v for k, v in sources.roles.roles.items()},
            sources.roles_src,
            zones,
            src,
            district,
            taken=origin,
        )
        _build_district(ctx, externals)
        for name in ctx.devices:
            if name in devices:
                raise InventoryError(
                    f"duplicate host name {name} (also in {origin[name]})",
                    file=src.path,
                    hint="give every device a unique name",
                )
            origin[name] = src.path
        devices.update(ctx.devices)
        links.extend(ctx.links)
        groups.extend(_groups(ctx, _district_cores(ctx), externals))
    _vrfs(devices, zones)
    network = Network(
        settings=_settings(net),
        devices=dict(sorted(devices.items())),
        links=links,
        zones=zones,
        groups=groups,
        externals=externals,
        platforms=dict(net.platforms),
        source_dir=directory,
        route_exceptions=[(e.name, e.zone, e.imports) for e in net.route_exceptions],
    )
    check_network(network, sources)
    return network


def _district_cores(ctx: _Ctx) -> dict[int, Device]:
    return {c.id: ctx.devices[f"{ctx.code}-core-{c.id}"] for c in ctx.district.cores}


def _build_district(ctx: _Ctx, externals: dict[str, ExternalPeer]) -> None:
    for role in ("core", "aggregation", "access"):
        if role not in ctx.roles:
            raise InventoryError(
                f"role {role} is not defined",
                file=ctx.roles_src.path,
                key=f"roles.{role}",
                hint=f"add roles.{role}",
            )
    cores = _cores(ctx)
    _check_subdistrict_ids(ctx)
    aggs: dict[str, Device] = {}
    for i, sub in enumerate(ctx.district.subdistricts):
        aggs[sub.name] = _aggregation(ctx, i, sub, cores)
    for i, sub in enumerate(ctx.district.subdistricts):
        for plan in _site_plans(ctx, i, sub):
            _access_site(ctx, sub, plan, aggs)
    _edge(ctx, externals)
