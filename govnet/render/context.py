"""What templates need beyond the model: per-device routing facts, secret references, filters.

Templates stay free of topology logic: everything that needs more than one device or link
(static routes toward sites, the firewall's security zones and HRP peer, BGP sessions) is
resolved here, once per network, through an index that keeps rendering linear in size.

Secrets never reach a template. Where a platform stores a secret (local-user password,
SNMPv3 keys), the template renders a *reference*::

    >>> secret_ref("GOVNET_SSH_PASSWORD")
    '${secret:GOVNET_SSH_PASSWORD}'

A reference stands for "the value of that environment variable, in the form the device
stores it" (``irreversible-cipher``/``password hash`` hash, SNMP ``cipher`` key). The deploy
stage substitutes the value at push time, over SSH, in the platform's plaintext-input form so
the device hashes or encrypts it itself, and masks these positions when diffing against a
running config. Intended configs on disk therefore never hold a secret or a hash of one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Any

from govnet.credentials import Credentials
from govnet.model import BgpSession, Device, Interface, Link, Network, Segment
from govnet.platforms import get_platform
from govnet.platforms.linux import kernel_ifname

SECRET_REF_RE = re.compile(r"\$\{secret:(?P<name>[A-Z][A-Z0-9_]*)\}")
"""Matches a secret reference; ``name`` is the environment variable it stands for."""

DEFAULT_SSH_USER = "netadmin"
DEFAULT_SNMP_USER = "noc"

FIREWALL_ZONE_BY_PEER_ROLE: dict[str, str] = {
    "ips": "trust",  # inside: core -> IPS -> firewall
    "load_balancer": "untrust",  # outside: firewall -> load balancer -> ISPs
    "vpn_gateway": "dmz",  # the VPN gateway for remote users sits in the DMZ
    "firewall": "dmz",  # the HRP heartbeat link of the hot-standby pair
}
"""The firewall security zone of an interface, from the role of the device at its far end."""

FIREWALL_ZONE_PRIORITY = {"trust": 85, "dmz": 50, "untrust": 5}

VRRP_PRIORITY = {"active": 120, "standby": 100}
"""VRRP priority by configured role (USG sets them from ``active``/``standby``; keepalived needs
numbers). The active member preempts after a heal, as HRP preemption does."""
VRRP_ADVERT_S = 1
HA_ROLES = ("firewall", "server")
"""Roles whose pairs run VRRP (the USG's VRRP/HRP; keepalived on the servers and the lab twin)."""


def secret_ref(name: str) -> str:
    """The reference a config carries instead of the secret held in ``$name``."""
    return f"${{secret:{name}}}"


@dataclass(frozen=True, slots=True)
class SecretRefs:
    """Account names (not secret) and references to the secrets a platform stores."""

    ssh_user: str = DEFAULT_SSH_USER
    snmp_user: str = DEFAULT_SNMP_USER
    ssh_password: str = secret_ref("GOVNET_SSH_PASSWORD")
    snmp_auth_key: str = secret_ref("GOVNET_SNMP_AUTH_KEY")
    snmp_priv_key: str = secret_ref("GOVNET_SNMP_PRIV_KEY")

    @classmethod
    def from_credentials(cls, creds: Credentials | None) -> SecretRefs:
        """Take only the account names from ``creds``; secret values are never read."""
        if creds is None:
            return cls()
        return cls(
            ssh_user=creds.ssh_user or DEFAULT_SSH_USER,
            snmp_user=creds.snmp_user or DEFAULT_SNMP_USER,
        )


@dataclass(frozen=True, slots=True)
class StaticRoute:
    """A static route, in a VRF or the global table (``vrf`` None)."""

    vrf: str | None
    prefix: IPv4Network
    next_hop: IPv4Address
    description: str


@dataclass(frozen=True, slots=True)
class SecurityZone:
    """A firewall security zone with its priority and member interfaces."""

    name: str
    priority: int
    interfaces: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """One rule of a zone-based security policy, evaluated in order: zone pair (None = any),
    subnets (none = any), service; the template prints the platform's permit/deny words."""

    name: str
    source_zone: str | None = None
    destination_zone: str | None = None
    source_addresses: tuple[IPv4Network, ...] = ()
    destination_addresses: tuple[IPv4Network, ...] = ()
    service: str | None = None
    permit: bool = True


@dataclass(frozen=True, slots=True)
class HotStandby:
    """The firewall's HRP role: heartbeat interface, the peer's heartbeat address, standby or not."""

    peer: str
    interface: str
    remote: IPv4Address
    standby: bool
    track_interfaces: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VrrpFact:
    """One VRRP group as a member configures it on its segment port."""

    interface: str
    vrid: int
    virtual_ip: IPv4Address
    prefixlen: int
    role: str
    priority: int
    peers: tuple[IPv4Address, ...]
    segment: str

    @property
    def active(self) -> bool:
        return self.role == "active"

    @property
    def netmask(self) -> IPv4Address:
        return IPv4Network(f"0.0.0.0/{self.prefixlen}").netmask


@dataclass(frozen=True, slots=True)
class IspLink:
    """A load balancer's link to an ISP: its port and the ISP's next hop."""

    name: str
    interface: str
    next_hop: IPv4Address


@dataclass(frozen=True, slots=True)
class LbService:
    """A public service the load balancer publishes on its ISP-side addresses."""

    name: str
    protocol: str
    port: int
    virtual_ips: tuple[IPv4Address, ...]
    real_servers: tuple[tuple[str, IPv4Address], ...]


LB_SERVICE_PORT = 443
"""The VPN portal is published over https."""


@dataclass(frozen=True, slots=True)
class EdgeZone:
    """A SecPath (Comware 7) security zone and the interfaces it imports."""

    name: str
    interfaces: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ServiceGroup:
    """A service object group: its entries as Comware writes them (``tcp destination eq 22``)."""

    name: str
    entries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ZoneLeg:
    """A device's link into a zone: its own port, and the PE whose port at the far end is bound to
    the zone's VPN, with that port's address (the next hop into the zone)."""

    zone: str
    interface: str
    pe: str
    next_hop: IPv4Address


@dataclass(frozen=True, slots=True)
class SslVpnAccess:
    """An SSL VPN access interface: the users of one zone land on it, from its pool."""

    interface: str
    zone: str
    security_zone: str
    address: IPv4Interface
    first: IPv4Address
    last: IPv4Address


@dataclass(frozen=True, slots=True)
class EdgePolicy:
    """A SecPath's zones, the service groups its rules use, its pass rules (then deny) and its
    SSL VPN access interfaces."""

    zones: tuple[EdgeZone, ...] = ()
    services: tuple[ServiceGroup, ...] = ()
    rules: tuple[PolicyRule, ...] = ()
    sslvpn: tuple[SslVpnAccess, ...] = ()


@dataclass(frozen=True, slots=True)
class DeviceFacts:
    """Per-device facts the templates render, derived from the model."""

    mgmt_interface: str
    bgp_sessions: tuple[BgpSession, ...] = ()
    static_routes: tuple[StaticRoute, ...] = ()
    vrfs_with_static: frozenset[str] = frozenset()
    vrfs_with_default: frozenset[str] = frozenset()
    vrfs_with_connected: frozenset[str] = frozenset()
    security_zones: tuple[SecurityZone, ...] = ()
    security_rules: tuple[PolicyRule, ...] = ()
    hot_standby: HotStandby | None = None
    vrrp: tuple[VrrpFact, ...] = ()
    isp_links: tuple[IspLink, ...] = ()
    lb_services: tuple[LbService, ...] = ()
    peer_roles: tuple[tuple[str, str], ...] = ()
    """(interface, role at the far end): the peer's role on a link, the role of the segment's
    other members (not the device's own pair) on a shared segment, ``external`` for a peer govnet
    does not manage."""
    edge_policy: EdgePolicy = EdgePolicy()
    """Load balancer and VPN gateway: security zones and zone policy (see :func:`edge_policy`)."""


@dataclass(slots=True)
class NetworkIndex:
    """Lookups over one Network, built once so per-device facts cost O(degree), not O(network)."""

    network: Network

    @classmethod
    def build(cls, network: Network) -> NetworkIndex:
        return cls(network)

    def bgp_sessions(self, device: Device) -> tuple[BgpSession, ...]:
        """The model's sessions (``Network.bgp_sessions``, itself indexed)."""
        return tuple(self.network.bgp_sessions(device.name))

    def facts(self, device: Device) -> DeviceFacts:
        """Everything about ``device`` that needs more than the device itself."""
        links = list(self.network.links_of(device.name))
        routes = _site_routes(device, links)
        if device.role == "firewall":
            routes += _firewall_routes(self.network, device, links)
        if device.role == "core":
            routes += _exit_routes(self.network, device, links)
        if device.role in PE_ROLES:
            routes += _vpn_user_routes(self.network, device, links)
        if device.role in EDGE_ROUTE_ROLES:
            routes += _edge_routes(self.network, device, links)
        return DeviceFacts(
            mgmt_interface=mgmt_interface(device),
            bgp_sessions=self.bgp_sessions(device),
            static_routes=tuple(routes),
            vrfs_with_static=frozenset(r.vrf for r in routes if r.vrf),
            vrfs_with_default=frozenset(r.vrf for r in routes if r.vrf and r.prefix.prefixlen == 0),
            vrfs_with_connected=frozenset(i.vrf for i in device.interfaces if i.vrf and i.ip),
            security_zones=_security_zones(self.network, device) if device.role == "firewall" else (),
            security_rules=_security_rules(self.network, device, links) if device.role == "firewall" else (),
            hot_standby=_hot_standby(self.network, device, links) if device.role == "firewall" else None,
            vrrp=vrrp_facts(self.network, device),
            isp_links=_isp_links(self.network, device, links) if device.role == "load_balancer" else (),
            lb_services=_lb_services(self.network, device, links) if device.role == "load_balancer" else (),
            peer_roles=tuple((i.name, far_role(self.network, device, i)) for i in device.interfaces),
            edge_policy=edge_policy(self.network, device, links)
            if device.role in EDGE_POLICY_ROLES
            else EdgePolicy(),
        )


def mgmt_interface(device: Device) -> str:
    """The device's out-of-band management port: the inventory's, else its platform's default."""
    if device.mgmt_port:
        return device.mgmt_port
    return get_platform(device.platform).mgmt_port(device.role)


def _site_routes(device: Device, links: Iterable[Link]) -> list[StaticRoute]:
    """PE: each attached zone's site prefix via the CE; CE: default per zone VRF via the PE."""
    routes: list[StaticRoute] = []
    for link in links:
        if link.kind != "aggregation-access":
            continue
        if link.a == device.name:
            routes += [
                StaticRoute(att.vrf, att.site_prefix, att.ce_ip.ip, f"{att.zone} site {link.b}")
                for att in link.attachments
            ]
        elif link.b == device.name:
            routes.append(StaticRoute(None, IPv4Network("0.0.0.0/0"), link.a_ip.ip, f"underlay via {link.a}"))
            routes += [
                StaticRoute(att.vrf, IPv4Network("0.0.0.0/0"), att.pe_ip.ip, f"{att.zone} zone via {link.a}")
                for att in link.attachments
            ]
    return routes


def _exit_routes(network: Network, device: Device, links: Iterable[Link]) -> list[StaticRoute]:
    """A core's zone exits: the internet VRF's default via the IPS, the public zone's via upstream.

    The default is imported into the VPN (``default-route imported``), so every PE of the zone
    learns both cores' exits from the route reflectors.
    """
    routes: list[StaticRoute] = []
    for link in links:
        if link.kind not in ("edge", "external") or link.a != device.name:
            continue
        vrf = device.interface(link.a_interface).vrf
        external = network.externals.get(link.b)
        exit_peer = (external is not None and external.kind == "upstream") or _peer_role(
            network, link.b
        ) == "ips"
        if vrf and exit_peer:
            routes.append(StaticRoute(vrf, IPv4Network("0.0.0.0/0"), link.b_ip.ip, f"zone exit via {link.b}"))
    return routes


PE_ROLES = ("core", "aggregation")
"""Roles whose ports a link's ``zone`` binds to the zone's VPN instance."""


def _vpn_user_routes(network: Network, device: Device, links: Iterable[Link]) -> list[StaticRoute]:
    """A PE's routes back to the VPN users of a zone: each user pool of a VPN gateway whose leg
    into that zone ends on this PE, in the zone's VPN via the gateway's end of the leg (imported
    into BGP with the VPN's other statics, so every PE of the zone learns it)."""
    routes: list[StaticRoute] = []
    for link in links:
        peer, ip = link.far_end(device.name)
        gateway = network.devices.get(peer)
        if gateway is None or gateway.role != "vpn_gateway":
            continue
        vrf = device.interface(link.interface_of(device.name)).vrf
        zone = _zone_of_vrf(network, vrf)
        pool = gateway.user_pools.get(zone) if zone else None
        if vrf and zone and pool:
            routes.append(StaticRoute(vrf, pool, ip.ip, f"{zone} zone VPN users via {peer}"))
    return routes


def _zone_of_vrf(network: Network, vrf: str | None) -> str | None:
    """The zone whose VPN instance is ``vrf`` (None for the global table)."""
    if vrf is None:
        return None
    return next((zone.name for zone in network.zones.values() if zone.vrf == vrf), None)


def leg_zone(network: Network, intf: Interface) -> str | None:
    """The zone ``intf`` leads into: the zone whose VPN the PE at its far end binds the link's
    port to (an edge link with ``zone``), else None."""
    if intf.segment is not None:
        return None
    pe = network.devices.get(intf.peer)
    if pe is None or pe.role not in PE_ROLES:
        return None
    far = next(
        (i for i in pe.interfaces if i.name == intf.peer_interface and i.link_id == intf.link_id), None
    )
    return _zone_of_vrf(network, far.vrf) if far is not None else None


def zone_legs(network: Network, device: Device) -> tuple[ZoneLeg, ...]:
    """``device``'s links into zones (see :func:`leg_zone`), in interface order."""
    legs = []
    for intf in device.interfaces:
        zone = leg_zone(network, intf)
        if zone is None:
            continue
        pe = network.devices[intf.peer]
        hop = pe.interface(intf.peer_interface).ip
        if hop is not None:
            legs.append(ZoneLeg(zone, intf.name, pe.name, hop.ip))
    return tuple(legs)


def _peer_role(network: Network, name: str) -> str:
    dev = network.devices.get(name)
    return dev.role if dev is not None else "external"


def _pair_of(segment: Segment, device: str) -> set[str]:
    """``device`` and its VRRP partners on ``segment`` (the hot-standby pair it belongs to)."""
    pair = {device}
    for group in segment.vrrp_of(device):
        pair.update(group.members)
    return pair


def _segment_neighbours(network: Network, device: Device, intf: Interface) -> list[tuple[str, IPv4Address]]:
    """Members of ``intf``'s segment outside ``device``'s own pair, each with the address to route
    to (a pair's virtual address, else the member's own), in segment order."""
    seg = intf.segment
    if seg is None:
        return []
    pair = _pair_of(seg, device.name)
    found: list[tuple[str, IPv4Address]] = []
    seen: set[IPv4Address] = set()
    for member in seg.members:
        if member.device in pair:
            continue
        hop = seg.next_hop(member.device)
        if hop not in seen:
            seen.add(hop)
            found.append((member.device, hop))
    return found


def far_role(network: Network, device: Device, intf: Interface) -> str:
    """The role at the far end of ``intf`` (see ``DeviceFacts.peer_roles``)."""
    if intf.segment is None:
        return _peer_role(network, intf.peer)
    roles = [_peer_role(network, d) for d, _ in _segment_neighbours(network, device, intf)]
    return roles[0] if roles else device.role


def _far_ends(network: Network, device: Device, links: Iterable[Link]) -> list[tuple[str, IPv4Address]]:
    """Every neighbour over a link or a segment, with the address ``device`` routes to it by."""
    ends = [(peer, ip.ip) for peer, ip in (link.far_end(device.name) for link in links)]
    for intf in device.interfaces:
        ends += _segment_neighbours(network, device, intf)
    return ends


EDGE_ROUTE_ROLES = ("ips", "load_balancer", "vpn_gateway")


def _edge_routes(network: Network, device: Device, links: Iterable[Link]) -> list[StaticRoute]:
    """The exit's routes around the firewall pair, toward its virtual addresses.

    IPS: default via the firewall pair, the internet zone's sites back via each core. Load
    balancer: default via each ISP, the internet zone's sites and its published services' real
    servers via the firewall pair. VPN gateway: default via the firewall pair (the portal's
    replies), and the prefixes of each zone its users land in via the PE end of its leg into that
    zone (:func:`zone_legs`).
    """
    routes: list[StaticRoute] = []
    default = IPv4Network("0.0.0.0/0")
    for peer, hop in _far_ends(network, device, links):
        role = _peer_role(network, peer)
        external = network.externals.get(peer)
        if role == "firewall" and device.role in ("ips", "vpn_gateway"):
            routes.append(StaticRoute(None, default, hop, "internet via the firewall pair"))
        elif role == "firewall":
            routes += [
                StaticRoute(None, pool, hop, "internet zone sites via the firewall pair")
                for pool in _internet_site_pools(network)
            ]
            if device.role == "load_balancer":  # the published services' members sit behind the pair
                routes += [
                    StaticRoute(None, _host(ip), hop, f"{name} ({service.name}) via the firewall pair")
                    for service in _lb_services(network, device, links)
                    for name, ip in service.real_servers
                ]
        elif role == "core" and device.role == "ips":
            routes += [
                StaticRoute(None, pool, hop, f"internet zone sites via {peer}")
                for pool in _internet_site_pools(network)
            ]
        elif external is not None and external.kind == "isp":
            routes.append(StaticRoute(None, default, hop, f"internet via {peer}"))
    if device.role == "vpn_gateway":
        routes += [
            StaticRoute(
                None, network.zones[leg.zone].site_pool, leg.next_hop, f"{leg.zone} zone via {leg.pe}"
            )
            for leg in zone_legs(network, device)
            if leg.zone in device.user_pools
        ]
    return routes


def _isp_links(network: Network, device: Device, links: Iterable[Link]) -> tuple[IspLink, ...]:
    found = []
    for link in links:
        peer, ip = link.far_end(device.name)
        if _is_isp(network, peer):
            name = peer.removeprefix(f"{device.district}-")
            found.append(IspLink(name, link.interface_of(device.name), ip.ip))
    return tuple(found)


def _lb_services(network: Network, device: Device, links: Iterable[Link]) -> tuple[LbService, ...]:
    """The public services behind the firewall pair (its DMZ: each VPN gateway's portal),
    published on the load balancer's ISP-side addresses."""
    vips = tuple(i.ip.ip for i in device.interfaces if i.ip and _is_isp(network, i.peer))
    services = []
    for gateway in network.by_role("vpn_gateway"):
        if gateway.district != device.district:
            continue
        segments = network.segments_of(gateway.name)
        ports = tuple((gateway.name, seg.member(gateway.name).ip.ip) for seg in segments)
        if ports:
            name = f"vpn-portal-{gateway.name.removeprefix(f'{device.district}-')}"
            services.append(LbService(name, "tcp", LB_SERVICE_PORT, vips, ports))
    return tuple(services)


def _is_isp(network: Network, peer: str) -> bool:
    external = network.externals.get(peer)
    return external is not None and external.kind == "isp"


EDGE_POLICY_ROLES = ("load_balancer", "vpn_gateway")
"""Roles on a zone-based SecPath (Comware 7): an interface in no zone, or a flow between zones
without a pass rule, is dropped, so each gets zones and a policy from the model."""

UNTRUST, TRUST, DMZ, LOCAL, MANAGEMENT = "Untrust", "Trust", "DMZ", "Local", "Management"
ZONE_LEG = "Trust-{zone}"
"""The security zone of a port into an extranet zone (a link to a PE port bound to the zone's VPN)."""
NOC_MANAGEMENT = ServiceGroup("noc-management", ("tcp destination eq 22", "udp destination eq 161"))
"""What the NOC reaches on the device: SSH and SNMP."""
ICMP_ECHO = ServiceGroup("icmp-echo", ("icmp 8 0",))


def _host(address: IPv4Address) -> IPv4Network:
    return IPv4Network(f"{address}/32")


def edge_zone(network: Network, device: Device, intf: Interface) -> str:
    """The security zone of a load balancer's or VPN gateway's port, from its far end.

    Toward the firewall pair: ``Trust`` on the load balancer (the district's side of the exit),
    ``DMZ`` on the VPN gateway (it sits in the pair's DMZ); into an extranet zone (a PE port bound
    to the zone's VPN): ``Trust-<zone>``; toward an ISP or anything else: ``Untrust``."""
    zone = leg_zone(network, intf)
    if zone is not None:
        return ZONE_LEG.format(zone=zone)
    if far_role(network, device, intf) == "firewall":
        return TRUST if device.role == "load_balancer" else DMZ
    return UNTRUST


def sslvpn_access(network: Network, device: Device) -> tuple[SslVpnAccess, ...]:
    """One SSL VPN access interface per user pool: its first address on ``SSLVPN-ACn``, the users'
    addresses the rest of the pool, the zone ``VPN-<zone>``."""
    found = []
    for n, (zone, pool) in enumerate(sorted(device.user_pools.items()), start=1):
        found.append(
            SslVpnAccess(
                interface=f"SSLVPN-AC{n}",
                zone=zone,
                security_zone=f"VPN-{zone}",
                address=IPv4Interface(f"{pool.network_address + 1}/{pool.prefixlen}"),
                first=pool.network_address + 2,
                last=pool.broadcast_address - 1,
            )
        )
    return tuple(found)


def edge_policy(network: Network, device: Device, links: Iterable[Link]) -> EdgePolicy:
    """Zones and the zone policy of a SecPath load balancer or VPN gateway: exactly the model's flows.

    Both: the NOC to the device's SSH/SNMP (Management -> Local), the device to its syslog, trap,
    NTP and HWTACACS hosts (Local -> Management). Load balancer: the internet to each published
    service's virtual addresses (Untrust -> Local), the device to the service's real servers on
    the service port, which carries its health checks too (Local -> Trust), its link probes to the
    ISPs' next hops (Local -> Untrust), the internet zone's sites out (Trust -> Untrust). VPN
    gateway: remote users to the gateway over https (DMZ -> Local: the portal is all the DMZ leg
    carries), each zone's VPN users to that zone's prefixes only, through the gateway's leg into
    the zone (VPN-<zone> -> Trust-<zone>; no leg, no rule). Everything else meets the final drop
    rule.
    """
    links = list(links)
    settings = network.settings
    mgmt = _host(device.mgmt_ip.ip)
    members: dict[str, list[str]] = {UNTRUST: [], TRUST: [], DMZ: []}
    own: dict[str, list[IPv4Network]] = {UNTRUST: [], TRUST: [], DMZ: []}
    for intf in device.interfaces:
        zone = edge_zone(network, device, intf)
        members.setdefault(zone, []).append(intf.name)
        if intf.ip:
            own.setdefault(zone, []).append(_host(intf.ip.ip))
    access = sslvpn_access(network, device) if device.role == "vpn_gateway" else ()
    zones = [EdgeZone(LOCAL, ())]
    zones += [EdgeZone(name, tuple(members[name])) for name in (TRUST, DMZ, UNTRUST)]
    zones.append(EdgeZone(MANAGEMENT, (mgmt_interface(device),)))
    zones += [EdgeZone(name, tuple(members[name])) for name in members if name not in (TRUST, DMZ, UNTRUST)]
    zones += [EdgeZone(a.security_zone, (a.interface,)) for a in access]

    noc_services = ["udp destination eq 162", "udp destination eq 514", "udp destination eq 123"]
    if settings.hwtacacs_servers:
        noc_services.append("tcp destination eq 49")
    noc_hosts = sorted({settings.syslog_host, *settings.ntp_servers, *settings.hwtacacs_servers})
    services = [NOC_MANAGEMENT, ServiceGroup("noc-services", tuple(noc_services))]
    rules = [
        PolicyRule(
            "noc-to-management", MANAGEMENT, LOCAL, (settings.noc_prefix,), (mgmt,), NOC_MANAGEMENT.name
        ),
        PolicyRule(
            "management-to-noc",
            LOCAL,
            MANAGEMENT,
            (mgmt,),
            tuple(_host(h) for h in noc_hosts),
            "noc-services",
        ),
    ]
    if device.role == "load_balancer":
        for service in _lb_services(network, device, links):
            port = ServiceGroup(
                f"{service.protocol}-{service.port}", (f"{service.protocol} destination eq {service.port}",)
            )
            if port not in services:
                services.append(port)
            rules += [
                PolicyRule(
                    f"internet-to-{service.name}",
                    UNTRUST,
                    LOCAL,
                    destination_addresses=tuple(_host(v) for v in service.virtual_ips),
                    service=port.name,
                ),
                PolicyRule(
                    f"{service.name}-members",
                    LOCAL,
                    TRUST,
                    tuple(own[TRUST]),
                    tuple(_host(ip) for _, ip in service.real_servers),
                    port.name,
                ),
            ]
        probes = tuple(_host(link.next_hop) for link in _isp_links(network, device, links))
        if probes:
            services.append(ICMP_ECHO)
            rules.append(
                PolicyRule("isp-link-probes", LOCAL, UNTRUST, tuple(own[UNTRUST]), probes, ICMP_ECHO.name)
            )
        pools = _internet_site_pools(network)
        if pools and members[TRUST] and members[UNTRUST]:
            rules.append(PolicyRule("internet-zone-to-internet", TRUST, UNTRUST, source_addresses=pools))
    else:
        portal = tuple(own[DMZ][:1])
        if portal:
            https = ServiceGroup("tcp-443", ("tcp destination eq 443",))
            services.append(https)
            rules.append(
                PolicyRule(
                    "remote-users-to-sslvpn-gateway",
                    DMZ,
                    LOCAL,
                    destination_addresses=portal,
                    service=https.name,
                )
            )
        for a in access:
            leg = ZONE_LEG.format(zone=a.zone)
            if leg not in members:
                continue  # no way into the zone (GN-INT-014 says so)
            rules.append(
                PolicyRule(
                    f"vpn-{a.zone}-users-to-{a.zone}-zone",
                    a.security_zone,
                    leg,
                    (a.address.network,),
                    (network.zones[a.zone].site_pool,),
                )
            )
    return EdgePolicy(tuple(zones), tuple(services), tuple(rules), access)


def vrrp_facts(network: Network, device: Device) -> tuple[VrrpFact, ...]:
    """The VRRP groups ``device`` is a member of, per segment port, in vrid order."""
    facts: list[VrrpFact] = []
    for intf in device.interfaces:
        seg = intf.segment
        if seg is None:
            continue
        for group in seg.vrrp_of(device.name):
            role = group.role_of(device.name)
            facts.append(
                VrrpFact(
                    interface=intf.name,
                    vrid=group.vrid,
                    virtual_ip=group.virtual_ip,
                    prefixlen=seg.subnet.prefixlen,
                    role=role,
                    priority=VRRP_PRIORITY[role],
                    peers=tuple(seg.member(m).ip.ip for m in group.members if m != device.name),
                    segment=seg.id,
                )
            )
    return tuple(sorted(facts, key=lambda f: f.vrid))


def _internet_site_pools(network: Network) -> tuple[IPv4Network, ...]:
    return tuple(z.site_pool for z in network.zones.values() if z.kind == "internet")


def _firewall_routes(network: Network, device: Device, links: Iterable[Link]) -> list[StaticRoute]:
    """Default route out via the load balancer; the internet zone's sites back in via the IPS."""
    routes: list[StaticRoute] = []
    for peer, hop in _far_ends(network, device, links):
        zone = FIREWALL_ZONE_BY_PEER_ROLE.get(_peer_role(network, peer))
        if zone == "untrust":
            routes.append(StaticRoute(None, IPv4Network("0.0.0.0/0"), hop, f"internet via {peer}"))
        elif zone == "trust":
            routes += [
                StaticRoute(None, pool, hop, f"internet zone sites via {peer}")
                for pool in _internet_site_pools(network)
            ]
    return routes


def _security_zones(network: Network, device: Device) -> tuple[SecurityZone, ...]:
    members: dict[str, list[str]] = {name: [] for name in FIREWALL_ZONE_PRIORITY}
    members["trust"].append(mgmt_interface(device))  # the USG default for its management port
    for intf in device.interfaces:
        zone = FIREWALL_ZONE_BY_PEER_ROLE.get(far_role(network, device, intf), "untrust")
        members[zone].append(intf.name)
    return tuple(
        SecurityZone(name, priority, tuple(members[name]))
        for name, priority in FIREWALL_ZONE_PRIORITY.items()
    )


def _security_rules(network: Network, device: Device, links: Iterable[Link]) -> tuple[PolicyRule, ...]:
    """Trust -> untrust only for the internet access zone; remote users to the VPN gateway; deny."""
    far_ends = _far_ends(network, device, links)
    vpn_gateways = tuple(
        IPv4Network(f"{ip}/32") for peer, ip in far_ends if _peer_role(network, peer) == "vpn_gateway"
    )
    rules = [
        PolicyRule(
            "internet-zone-to-internet",
            source_zone="trust",
            destination_zone="untrust",
            source_addresses=_internet_site_pools(network),
        )
    ]
    if vpn_gateways:
        rules.append(
            PolicyRule(
                "remote-users-to-vpn-gateway",
                source_zone="untrust",
                destination_zone="dmz",
                destination_addresses=vpn_gateways,
                service="https",
            )
        )
    rules.append(PolicyRule("default-deny", permit=False))
    return tuple(rules)


def _hot_standby(network: Network, device: Device, links: Iterable[Link]) -> HotStandby | None:
    """HRP over the link to the other member of the device's redundancy group; second is standby."""
    for group in network.groups:
        if group.kind != "devices" or device.name not in group.members:
            continue
        for link in links:
            peer, peer_ip = link.far_end(device.name)
            if peer in group.members:
                local_if = link.a_interface if link.a == device.name else link.b_interface
                track = tuple(i.name for i in device.interfaces if i.name != local_if and i.vlan is None)
                return HotStandby(
                    peer=peer,
                    interface=local_if,
                    remote=peer_ip.ip,
                    standby=group.members.index(device.name) > 0,
                    track_interfaces=track,
                )
    return None


def ip_mask(value: IPv4Interface | IPv4Network) -> str:
    """``10.0.0.1 255.255.255.252`` from an interface or network.

    >>> ip_mask(IPv4Interface("10.0.0.1/30"))
    '10.0.0.1 255.255.255.252'
    """
    if isinstance(value, IPv4Interface):
        return f"{value.ip} {value.netmask}"
    return f"{value.network_address} {value.netmask}"


def wildcard(value: IPv4Interface | IPv4Network) -> str:
    """Network and wildcard mask, as OSPF ``network`` and basic ACL rules want them.

    >>> wildcard(IPv4Network("10.254.0.0/24"))
    '10.254.0.0 0.0.0.255'
    """
    net = value.network if isinstance(value, IPv4Interface) else value
    return f"{net.network_address} {net.hostmask}"


def area_id(area: int) -> str:
    """OSPF area in dotted form, as VRP and Comware display it.

    >>> area_id(0)
    '0.0.0.0'
    """
    return str(IPv4Address(area))


FILTERS: dict[str, Any] = {
    "ip_mask": ip_mask,
    "wildcard": wildcard,
    "area_id": area_id,
    "kernel_ifname": kernel_ifname,
}
"""Jinja filters every govnet template may use."""
