"""The typed network model: devices, links, zones and redundancy groups, resolved from inventory/."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from pathlib import Path
from typing import Literal, get_args

from govnet.errors import GovnetError, did_you_mean

Role = Literal[
    "core",
    "aggregation",
    "access",
    "firewall",
    "ips",
    "load_balancer",
    "vpn_gateway",
    "isolation_gateway",
    "server",
]
ROLES: tuple[str, ...] = get_args(Role)
"""Every device role, in the order tables list them (cores first)."""
LinkKind = Literal["core-core", "core-aggregation", "aggregation-access", "edge", "external"]


@dataclass(frozen=True, slots=True)
class Settings:
    """Network-wide settings: AS, management plane and hardening parameters."""

    name: str
    title: str
    asn: int
    noc_prefix: IPv4Network
    syslog_host: IPv4Address
    ntp_servers: tuple[IPv4Address, ...]
    mgmt_prefix: IPv4Network
    mgmt_gateway: IPv4Address
    idle_timeout_minutes: int
    login_attempts: int
    ospf_area: int
    mtu: int
    hwtacacs_servers: tuple[IPv4Address, ...] = ()
    """Central AAA (HWTACACS) servers, primary first; none: local accounts only."""


@dataclass(frozen=True, slots=True)
class Zone:
    """A zone of the extranet carried as one VPN: its VRF, RT and the prefixes it owns."""

    name: str
    id: int
    kind: str
    title: str
    vrf: str
    vlan: int
    route_target: str
    imports: tuple[str, ...]
    site_pool: IPv4Network
    attach_pool: IPv4Network
    department_site: int | None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A zone's dot1q subinterface on an aggregation <-> access link (PE-CE in the zone's VRF)."""

    zone: str
    vrf: str
    vlan: int
    subnet: IPv4Network
    pe_ip: IPv4Interface
    ce_ip: IPv4Interface
    site_prefix: IPv4Network


VrrpRole = Literal["active", "standby"]


@dataclass(frozen=True, slots=True)
class SegmentMember:
    """A device's port on a shared segment and its own address there."""

    device: str
    interface: str
    ip: IPv4Interface


@dataclass(frozen=True, slots=True)
class VrrpGroup:
    """A VRRP group on a segment: one virtual address owned by the active member, the others standby.

    ``members`` are in priority order: the first is active by configuration.
    """

    vrid: int
    virtual_ip: IPv4Address
    members: tuple[str, ...]

    @property
    def active(self) -> str:
        return self.members[0]

    def role_of(self, device: str) -> VrrpRole:
        """``active`` for the first member, ``standby`` for the others; KeyError for a non-member."""
        if device not in self.members:
            raise KeyError(f"{device} is not a member of VRRP group {self.vrid}")
        return "active" if device == self.active else "standby"


@dataclass(frozen=True, slots=True)
class Segment:
    """An L2 segment (a switch VLAN) with several members, a subnet and its VRRP groups."""

    id: str
    name: str
    district: str
    subnet: IPv4Network
    members: tuple[SegmentMember, ...]
    vrrp: tuple[VrrpGroup, ...] = ()
    zone: str | None = None
    title: str = ""
    mtu: int = 1500
    source: str = ""

    @property
    def devices(self) -> tuple[str, ...]:
        return tuple(m.device for m in self.members)

    def member(self, device: str) -> SegmentMember:
        """The member port of ``device``; KeyError when it is not on the segment."""
        for member in self.members:
            if member.device == device:
                return member
        raise KeyError(f"{device} is not on segment {self.id}")

    def vrrp_of(self, device: str) -> tuple[VrrpGroup, ...]:
        """The VRRP groups ``device`` takes part in on this segment."""
        return tuple(g for g in self.vrrp if device in g.members)

    def virtual_ips(self, device: str) -> tuple[IPv4Address, ...]:
        """Virtual addresses a non-member of the groups reaches ``device``'s pair by."""
        return tuple(g.virtual_ip for g in self.vrrp if device in g.members)

    def next_hop(self, device: str) -> IPv4Address:
        """The address to route toward ``device`` on this segment: its group's virtual address when
        it is in one (so traffic follows the active member), else its own."""
        for group in self.vrrp:
            if device in group.members:
                return group.virtual_ip
        return self.member(device).ip.ip


@dataclass(slots=True)
class Interface:
    """One interface of a device, named as the vendor names it."""

    name: str
    ip: IPv4Interface | None
    peer: str
    peer_interface: str
    link_id: str
    description: str
    mtu: int
    ospf: bool
    ldp: bool
    vlan: int | None = None
    vrf: str | None = None
    segment: Segment | None = None
    """The shared segment this port is on (``peer``/``link_id`` then hold the segment's id)."""


@dataclass(slots=True)
class Vrf:
    """A VRF instance on a PE: the zone's VPN with its per-device route distinguisher."""

    name: str
    zone: str
    rd: str
    rt_export: tuple[str, ...]
    rt_import: tuple[str, ...]


IsolationSide = Literal["extranet", "intranet"]


@dataclass(frozen=True, slots=True)
class IsolationFlow:
    """A flow an isolation gateway (网闸) lets through: one way, one service, never routed."""

    name: str
    source: IsolationSide
    destination: IsolationSide
    service: str
    protocol: str
    port: int
    title: str = ""
    source_line: str = ""


@dataclass(slots=True)
class Device:
    """A managed device with its slice of the model."""

    name: str
    role: Role
    platform: str
    lab_platform: str
    model: str
    district: str
    site: str
    subdistrict: str | None
    zones: list[str]
    mgmt_ip: IPv4Interface
    loopback: IPv4Interface | None
    interfaces: list[Interface] = field(default_factory=list)
    vrfs: list[Vrf] = field(default_factory=list)
    site_prefixes: dict[str, IPv4Network] = field(default_factory=dict)
    source: str = ""
    mgmt_port: str | None = None
    isolation_flows: tuple[IsolationFlow, ...] = ()
    """An isolation gateway's allowed flows (empty for every other role)."""
    user_pools: dict[str, IPv4Network] = field(default_factory=dict)
    """A VPN gateway's remote-user address pools, by the zone its users land in."""

    def platform_for(self, *, lab: bool = False) -> str:
        """The platform it is configured as: its own, or its lab twin's with ``lab=True``."""
        return self.lab_platform if lab else self.platform

    def interface(self, name: str) -> Interface:
        """The interface called ``name``; KeyError when absent."""
        for intf in self.interfaces:
            if intf.name == name:
                return intf
        raise KeyError(f"{self.name} has no interface {name}")


@dataclass(frozen=True, slots=True)
class Link:
    """A point-to-point link between two devices, or a device and an external peer."""

    id: str
    a: str
    a_interface: str
    b: str
    b_interface: str
    subnet: IPv4Network
    a_ip: IPv4Interface
    b_ip: IPv4Interface
    kind: LinkKind
    mtu: int
    ospf_area: int
    ldp: bool
    external: bool
    attachments: tuple[Attachment, ...] = ()
    source: str = ""

    @property
    def ends(self) -> tuple[str, str]:
        return (self.a, self.b)

    def far_end(self, device: str) -> tuple[str, IPv4Interface]:
        """The peer's name and address on this link as seen from ``device``."""
        return (self.b, self.b_ip) if self.a == device else (self.a, self.a_ip)

    def interface_of(self, device: str) -> str:
        """The interface name of ``device``'s end of this link."""
        return self.a_interface if self.a == device else self.b_interface


@dataclass(frozen=True, slots=True)
class ExternalPeer:
    """An endpoint govnet does not manage (ISP, upstream extranet, office intranet)."""

    name: str
    kind: str
    title: str
    district: str


@dataclass(frozen=True, slots=True)
class RedundancyGroup:
    """Members that back each other up: healthy all up, degraded some up, down none up."""

    name: str
    kind: Literal["devices", "links"]
    members: tuple[str, ...]
    title: str = ""


@dataclass(frozen=True, slots=True)
class BgpSession:
    """An iBGP VPNv4 session between two loopbacks."""

    local: str
    peer: str
    peer_ip: IPv4Address
    local_ip: IPv4Address
    asn: int
    route_reflector_client: bool


@dataclass(slots=True)
class Network:
    """The whole resolved network model."""

    settings: Settings
    devices: dict[str, Device]
    links: list[Link]
    zones: dict[str, Zone]
    groups: list[RedundancyGroup]
    externals: dict[str, ExternalPeer]
    source_dir: Path
    route_exceptions: list[tuple[str, str, str]] = field(default_factory=list)
    subdistrict_titles: dict[str, str] = field(default_factory=dict)
    _index: _Index | None = field(default=None, repr=False, compare=False)

    @property
    def index(self) -> _Index:
        """Lookups by role, device and link id, built once; rebuilt when devices or links are
        added or removed (call ``reindex`` after replacing one in place)."""
        stamp = (id(self.devices), len(self.devices), id(self.links), len(self.links))
        if self._index is None or self._index.stamp != stamp:
            self._index = _Index.build(self)
            self._index.stamp = stamp
        return self._index

    def reindex(self) -> None:
        """Forget the lookup index after devices or links were changed in place."""
        self._index = None

    def by_role(self, *roles: str) -> Iterator[Device]:
        """Devices of the given roles, in name order."""
        if len(roles) == 1:
            yield from self.index.by_role.get(roles[0], ())
            return
        wanted = set(roles)
        for name in sorted(self.devices):
            if self.devices[name].role in wanted:
                yield self.devices[name]

    def links_of(self, device: str) -> Iterator[Link]:
        """Links with ``device`` at either end."""
        yield from self.index.links_of.get(device, ())

    def select(self, filters: Iterable[str]) -> list[str]:
        """Device names matching every ``key=glob[,glob...]`` filter (AND across filters, OR within
        one); keys: role, site, name, zone, platform, subdistrict. The ``--filter`` of every command,
        and its one validator: raises FilterError on a malformed filter, an unknown key, or a plain
        value (no ``*?[``) that names nothing in the inventory (``role=cores``), with a suggestion.
        """
        parsed: list[tuple[str, list[str]]] = []
        for item in filters:
            key, sep, value = item.partition("=")
            key = key.strip()
            if not sep or not value or key not in FILTER_KEYS:
                guess = did_you_mean(key, FILTER_KEYS) if key not in FILTER_KEYS else None
                raise FilterError(
                    f"bad filter {item!r}: use KEY=GLOB with KEY one of {', '.join(FILTER_KEYS)}"
                    + (f" ({guess})" if guess else "")
                )
            patterns = [v.strip() for v in value.split(",") if v.strip()]
            known = {v for d in self.devices.values() for v in filter_values(d, key)}
            known |= set(ROLES) if key == "role" else set()
            for pattern in patterns:
                if not any(ch in pattern for ch in "*?[") and pattern not in known:
                    guess = did_you_mean(pattern, known)
                    raise FilterError(
                        f"--filter {key}={pattern}: no {key} {pattern!r} in the inventory"
                        + (f" ({guess})" if guess else "")
                    )
            parsed.append((key, patterns))
        return [
            name
            for name, device in sorted(self.devices.items())
            if all(any(fnmatchcase(v, p) for v in filter_values(device, k) for p in ps) for k, ps in parsed)
        ]

    @property
    def segments(self) -> tuple[Segment, ...]:
        """Every shared segment with a member in the network, in id order."""
        return tuple(self.index.segments[k] for k in sorted(self.index.segments))

    def segment(self, segment_id: str) -> Segment:
        """The segment with id ``segment_id``; KeyError when absent."""
        return self.index.segments[segment_id]

    def segments_of(self, device: str) -> tuple[Segment, ...]:
        """Segments ``device`` has a port on, in id order."""
        return tuple(self.index.segments_of.get(device, ()))

    def neighbours(self, device: str) -> set[str]:
        """Names adjacent to ``device`` over a link or a shared segment (devices and externals)."""
        found = {lk.far_end(device)[0] for lk in self.links_of(device)}
        for seg in self.segments_of(device):
            found.update(d for d in seg.devices if d != device)
        return found

    def vrrp_groups(self, device: str | None = None) -> list[tuple[Segment, VrrpGroup]]:
        """VRRP groups (with their segment) of every segment, or those ``device`` is a member of."""
        return [
            (seg, group)
            for seg in (self.segments if device is None else self.segments_of(device))
            for group in seg.vrrp
            if device is None or device in group.members
        ]

    def link(self, link_id: str) -> Link:
        """The link with id ``link_id``; KeyError when absent."""
        return self.index.links[link_id]

    def bgp_sessions(self, device: str) -> list[BgpSession]:
        """The VPNv4 iBGP sessions of a device: cores are RRs; aggregation nodes peer with both."""
        dev = self.devices[device]
        if dev.loopback is None or dev.role not in ("core", "aggregation"):
            return []
        cores = self.index_district(dev.district, "core")
        if dev.role == "core":
            peers = [c for c in cores if c.name != device]
            peers += self.index_district(dev.district, "aggregation")
        else:
            peers = cores
        return [
            BgpSession(
                local=device,
                peer=p.name,
                peer_ip=p.loopback.ip,
                local_ip=dev.loopback.ip,
                asn=self.settings.asn,
                route_reflector_client=dev.role == "core" and p.role == "aggregation",
            )
            for p in peers
            if p.loopback is not None
        ]

    def index_district(self, district: str, role: str) -> list[Device]:
        """Devices of ``role`` in ``district``, in name order."""
        return [d for d in self.index.by_role.get(role, ()) if d.district == district]

    def subset(self, names: Iterable[str]) -> Network:
        """The same network restricted to ``names`` (links and groups follow)."""
        keep = set(names)
        links = [lk for lk in self.links if lk.a in keep and (lk.b in keep or lk.b in self.externals)]
        link_ids = {lk.id for lk in links}
        groups = [
            g
            for g in self.groups
            if all((m in keep) if g.kind == "devices" else (m in link_ids) for m in g.members)
        ]
        devices = {n: d for n, d in self.devices.items() if n in keep}
        return Network(
            settings=self.settings,
            devices=devices,
            links=links,
            zones=self.zones,
            groups=groups,
            externals=self.externals,
            source_dir=self.source_dir,
            route_exceptions=self.route_exceptions,
            subdistrict_titles=self.subdistrict_titles,
        )


FILTER_KEYS = ("role", "site", "name", "zone", "platform", "subdistrict")
"""Keys of a device filter (``Network.select``)."""


class FilterError(GovnetError, ValueError):
    """A device filter that is malformed, has an unknown key or names nothing in the inventory."""


def filter_values(device: Device, key: str) -> list[str]:
    """What a filter ``key`` matches on ``device`` (every zone it serves for ``zone``)."""
    return list(device.zones) if key == "zone" else [str(getattr(device, key) or "")]


@dataclass(slots=True)
class _Index:
    """Precomputed lookups for a Network (province scale: avoid scanning per call)."""

    by_role: dict[str, list[Device]]
    links_of: dict[str, list[Link]]
    links: dict[str, Link]
    segments: dict[str, Segment] = field(default_factory=dict)
    segments_of: dict[str, list[Segment]] = field(default_factory=dict)
    stamp: tuple[int, int, int, int] = (0, 0, 0, 0)

    @classmethod
    def build(cls, network: Network) -> _Index:
        by_role: dict[str, list[Device]] = {}
        for name in sorted(network.devices):
            dev = network.devices[name]
            by_role.setdefault(dev.role, []).append(dev)
        links_of: dict[str, list[Link]] = {}
        for link in network.links:
            links_of.setdefault(link.a, []).append(link)
            if link.b != link.a:
                links_of.setdefault(link.b, []).append(link)
        segments: dict[str, Segment] = {}
        segments_of: dict[str, list[Segment]] = {}
        for name in sorted(network.devices):
            for intf in network.devices[name].interfaces:
                if intf.segment is not None:
                    segments.setdefault(intf.segment.id, intf.segment)
                    segments_of.setdefault(name, []).append(intf.segment)
        for segs in segments_of.values():
            segs.sort(key=lambda seg: seg.id)
        return cls(by_role, links_of, {lk.id: lk for lk in network.links}, segments, segments_of)
