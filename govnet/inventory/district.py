"""Build one district's underlay: the context, cores, aggregation nodes, ports and p2p links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from govnet.errors import InventoryError, LocatedError, did_you_mean
from govnet.inventory import ipam
from govnet.inventory.ipam import AddressSlots, Slots, SubnetSlots, interface_in, subnet_at
from govnet.inventory.schema import DistrictFile, NetworkFile, RoleSpec, SubdistrictSpec, ZoneSpec
from govnet.inventory.sourcefiles import Source
from govnet.inventory.yamlsource import key_path, line_of
from govnet.model import Attachment, Device, Interface, Link, LinkKind, Role, Zone
from govnet.platforms import PLATFORMS

LOOPBACK_ROLES = frozenset({"core", "aggregation", "access", "firewall"})
PE_ROLES = frozenset({"core", "aggregation"})


@dataclass
class DistrictContext:
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
    errors: list[LocatedError] = field(default_factory=list)
    _sources: dict[tuple[int | str, ...], str] = field(default_factory=dict, init=False, repr=False)
    _ports: dict[str, tuple[list[int], set[str]]] = field(default_factory=dict, init=False, repr=False)
    _patterns: dict[tuple[str, str, str | None], str] = field(default_factory=dict, init=False, repr=False)
    _defaults: dict[tuple[str, str], tuple[str, str, str | None]] = field(
        default_factory=dict, init=False, repr=False
    )

    def source(self, loc: tuple[int | str, ...]) -> str:
        """``file:line`` of ``loc`` in this district's file, where a device or link is declared
        (looked up once per location: a subdistrict's communities share one)."""
        found = self._sources.get(loc)
        if found is None:
            found = self._sources[loc] = f"{self.src.path}:{line_of(self.src.raw, loc) or 1}"
        return found

    @cached_property
    def zone_specs(self) -> dict[str, ZoneSpec]:
        """The zones as ``network.yaml`` declares them, by name."""
        return {z.name: z for z in self.net.zones}

    @cached_property
    def mgmt_slots(self) -> AddressSlots:
        """The ``mgmt`` pool's addresses by slot."""
        return AddressSlots(self.net.pools.mgmt, "mgmt")

    @cached_property
    def loopback_slots(self) -> AddressSlots:
        """The ``loopback`` pool's addresses by slot."""
        return AddressSlots(self.net.pools.loopback, "loopback")

    @cached_property
    def p2p_slots(self) -> SubnetSlots:
        """The ``p2p`` pool cut into point-to-point subnets."""
        return SubnetSlots(self.net.pools.p2p, self.net.p2p_prefixlen, "p2p")

    @cached_property
    def zone_slots(self) -> dict[str, tuple[SubnetSlots, SubnetSlots]]:
        """Each zone's site pool and attachment pool, cut into site prefixes and PE-CE subnets."""
        return {
            name: (
                SubnetSlots(zone.site_pool, self.zone_specs[name].site_prefixlen, f"zones.{name}.site_pool"),
                SubnetSlots(zone.attach_pool, self.net.p2p_prefixlen, f"zones.{name}.attach_pool"),
            )
            for name, zone in self.zones.items()
        }

    def has_port(self, device: Device, name: str) -> bool:
        """Whether ``device`` already has an interface called ``name``; its names are indexed as
        its interface list grows (only ever appended to while a district is built), not scanned
        on every question (a node is asked once per access site)."""
        interfaces = device.interfaces
        if not interfaces:
            return False
        entry = self._ports.get(device.name)
        if entry is None:
            entry = self._ports[device.name] = ([0], set())
        (done,), names = entry
        if done < len(interfaces):
            names.update([interfaces[k].name for k in range(done, len(interfaces))])
            entry[0][0] = len(interfaces)
        return name in names

    def port_pattern(self, role: str, toward: str, platform: str | None) -> str | None:
        """The role's (per-platform) port pattern toward ``toward``; None when it has none."""
        key = (role, toward, platform)
        pattern = self._patterns.get(key)
        if pattern is None:
            spec = self.roles.get(role)
            pattern = spec.ports.get(toward) if spec else None
            if spec and platform and toward in spec.platform_ports.get(platform, {}):
                pattern = spec.platform_ports[platform][toward]
            if pattern is not None:
                self._patterns[key] = pattern
        return pattern

    def device_defaults(self, role: str, platform: str) -> tuple[str, str, str | None]:
        """A role's ``lab_platform``, ``model`` and management port on ``platform``."""
        found = self._defaults.get((role, platform))
        if found is None:
            spec = self.roles[role]
            found = self._defaults[(role, platform)] = (
                spec.lab_platform,
                spec.platform_models.get(platform, spec.model),
                spec.platform_ports.get(platform, {}).get("mgmt", spec.mgmt_port),
            )
        return found

    def report(self, message: str, loc: tuple[int | str, ...], hint: str) -> None:
        """Record an error at ``loc`` and go on building (the run reports every error together)."""
        self.errors.append(self.fail(message, loc, hint))

    def fail(self, message: str, loc: tuple[int | str, ...], hint: str) -> InventoryError:
        """An error at ``loc`` of this district's file."""
        return InventoryError(
            message, file=self.src.path, key=key_path(loc), line=line_of(self.src.raw, loc), hint=hint
        )

    def fail_roles(self, message: str, loc: tuple[int | str, ...], hint: str) -> InventoryError:
        """An error at ``loc`` of ``roles.yaml`` (the line of its deepest existing key)."""
        return InventoryError(
            message,
            file=self.roles_src.path,
            key=key_path(loc),
            line=line_of(self.roles_src.raw, loc),
            hint=hint,
        )

    @property
    def code(self) -> str:
        return self.district.district.code

    @property
    def did(self) -> int:
        return self.district.district.id


def platform_for(ctx: DistrictContext, name: str | None, role: str, loc: tuple[int | str, ...]) -> str:
    """The device's platform (override or role default); unknown ones name the file and key."""
    if role not in ctx.roles:
        raise ctx.fail_roles(
            f"role {role} has no defaults",
            ("roles", role),
            f"add roles.{role} with its platform and lab_platform",
        )
    platform = name or ctx.roles[role].platform
    if platform not in PLATFORMS:
        guess = did_you_mean(platform, PLATFORMS)
        known = (f"{guess} " if guess else "") + f"use one of: {', '.join(sorted(PLATFORMS))}"
        if name is None:
            raise ctx.fail_roles(
                f"role {role} has unknown platform {platform!r}", ("roles", role, "platform"), known
            )
        raise ctx.fail(f"unknown platform {platform!r}", loc, known)
    return platform


def port_name(ctx: DistrictContext, role: str, toward: str, platform: str | None = None, **ids: int) -> str:
    """The port toward ``toward`` from the role's (per-platform) pattern, filled with ids."""
    pattern = ctx.port_pattern(role, toward, platform)
    if pattern is None:
        raise ctx.fail_roles(
            f"role {role} has no port pattern toward {toward}",
            ("roles", role, "ports", toward),
            f"add ports.{toward}, e.g. 'GigabitEthernet0/0/{{{next(iter(ids), 'n')}}}'",
        )
    return pattern.format(**ids)


def new_device(
    ctx: DistrictContext,
    name: str,
    role: Role,
    platform: str,
    site: str,
    subdistrict: str | None,
    slot: int,
    loc: tuple[int | str, ...],
) -> Device:
    """Create a device at its slot: management address, loopback for routing roles."""
    if name in ctx.devices:
        raise ctx.fail(f"duplicate host name {name}", loc, "give every device a unique name")
    if name in ctx.taken:
        raise ctx.fail(
            f"duplicate host name {name} (also in {ctx.taken[name]})",
            loc,
            "give every device a unique name (districts need distinct codes)",
        )
    # ints into the interfaces: an address object would be parsed again from its text
    mgmt = ctx.mgmt_slots.nth(slot, name)
    loopback = None
    if role in LOOPBACK_ROLES:
        lo = ctx.loopback_slots.nth(slot, name)
        loopback = interface_in(subnet_at(lo, 32), lo)
    lab_platform, model, mgmt_port = ctx.device_defaults(role, platform)
    device = Device(
        name=name,
        role=role,
        platform=platform,
        lab_platform=lab_platform,
        model=model,
        mgmt_port=mgmt_port,
        district=ctx.code,
        site=site,
        subdistrict=subdistrict,
        zones=[],
        mgmt_ip=interface_in(ctx.net.pools.mgmt, mgmt),
        loopback=loopback,
        source=ctx.source(loc),
    )
    ctx.devices[name] = device
    return device


def connect(
    ctx: DistrictContext,
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
    vrf: str | None = None,
    attach: Callable[[str, int], tuple[Attachment, ...]] | None = None,
) -> Link:
    """Create a point-to-point link at its slot and the interfaces at both managed ends.

    ``vrf`` binds the link to a zone VPN on the ends that are PEs (cores and aggregation nodes).
    ``attach(link_id, mtu)``, called once both ends' interfaces are made, gives the link's zone
    attachments.
    """
    link_id = f"{a}--{b}"
    subnet, a_ip, b_ip = ctx.p2p_slots.ends(slot, f"link {link_id}")
    mtu = mtu or ctx.net.mtu
    for end, intf, peer, peer_if, ip in ((a, a_if, b, b_if, a_ip), (b, b_if, a, a_if, b_ip)):
        device = ctx.devices.get(end)
        if device is None:
            continue
        if ctx.has_port(device, intf):
            raise ctx.fail(f"{end} interface {intf} is used by two links", loc, "give each link its own port")
        device.interfaces.append(
            Interface(  # name, ip, peer, peer_interface, link_id, description, mtu, ospf, ldp, vlan, vrf
                intf,
                ip,
                peer,
                peer_if,
                link_id,
                f"to {peer} {peer_if} [{link_id}]",
                mtu,
                ospf,
                ldp,
                None,
                vrf if device.role in PE_ROLES else None,
            )
        )
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
        attachments=() if attach is None else attach(link_id, mtu),
        source=ctx.source(loc),
    )
    ctx.links.append(link)
    return link


def build_cores(ctx: DistrictContext) -> dict[int, Device]:
    """The district's core switches and the core-core link."""
    cores: dict[int, Device] = {}
    for i, spec in enumerate(ctx.district.cores):
        loc: tuple[int | str, ...] = ("cores", i)
        if spec.id in cores:
            raise ctx.fail(f"duplicate core id {spec.id}", loc, "number the cores 1 and 2")
        platform = platform_for(ctx, spec.platform, "core", (*loc, "platform"))
        name = f"{ctx.code}-core-{spec.id}"
        slot = Slots.loopback_core(ctx.did, spec.id)
        cores[spec.id] = new_device(ctx, name, "core", platform, f"{ctx.code}-dc", None, slot, loc)
    if 1 in cores and 2 in cores:
        c1, c2 = cores[1], cores[2]
        connect(
            ctx,
            c1.name,
            port_name(ctx, "core", "core", c1.platform, core=2),
            c2.name,
            port_name(ctx, "core", "core", c2.platform, core=1),
            Slots.link_core_core(ctx.did),
            "core-core",
            ("cores",),
            ospf=True,
            ldp=True,
        )
    return cores


def check_subdistrict_ids(ctx: DistrictContext) -> None:
    """Subdistrict ids and names are unique and inside the plan's stride."""
    seen: dict[int, str] = {}
    names: set[str] = set()
    for i, sub in enumerate(ctx.district.subdistricts):
        loc: tuple[int | str, ...] = ("subdistricts", i)
        if sub.id in seen:
            ctx.report(
                f"subdistrict id {sub.id} is used by {seen[sub.id]} and {sub.name}",
                (*loc, "id"),
                "give every subdistrict a unique id",
            )
        if sub.name in names:
            ctx.report(f"duplicate subdistrict {sub.name}", (*loc, "name"), "names must be unique")
        if sub.id > ipam.SUBDISTRICTS_PER_DISTRICT:
            ctx.report(
                f"subdistrict id {sub.id} is above {ipam.SUBDISTRICTS_PER_DISTRICT}",
                (*loc, "id"),
                f"use ids 1..{ipam.SUBDISTRICTS_PER_DISTRICT}",
            )
        seen[sub.id] = sub.name
        names.add(sub.name)


def build_aggregation(ctx: DistrictContext, i: int, sub: SubdistrictSpec, cores: dict[int, Device]) -> Device:
    """A subdistrict's aggregation node, dual-homed to two distinct cores."""
    loc: tuple[int | str, ...] = ("subdistricts", i)
    platform = platform_for(ctx, sub.platform, "aggregation", (*loc, "platform"))
    name = f"{ctx.code}-agg-{sub.name}"
    slot = Slots.loopback_aggregation(ctx.did, sub.id)
    agg = new_device(ctx, name, "aggregation", platform, sub.name, sub.name, slot, loc)
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
        connect(
            ctx,
            core.name,
            port_name(ctx, "core", "aggregation", core.platform, subdistrict=sub.id),
            name,
            port_name(ctx, "aggregation", "core", platform, core=core_id),
            Slots.link_core_aggregation(ctx.did, sub.id, core_id),
            "core-aggregation",
            (*loc, "uplinks"),
            ospf=True,
            ldp=True,
        )
    return agg
