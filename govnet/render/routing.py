"""Routing facts: each device's static routes, and the neighbour lookups they share with the
security facts (the role at a port's far end, legs into zones, ISP links, published services).

Everything here needs more than one device or link; templates only print the result
(``facts.static_routes``), so topology logic stays out of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network

from govnet.inventory.district import PE_ROLES
from govnet.model import Device, Interface, Link, Network, Segment
from govnet.platforms import get_platform


@dataclass(frozen=True, slots=True)
class StaticRoute:
    """A static route, in a VRF or the global table (``vrf`` None)."""

    vrf: str | None
    prefix: IPv4Network
    next_hop: IPv4Address
    description: str


@dataclass(frozen=True, slots=True)
class ZoneLeg:
    """A device's link into a zone: its own port, and the PE whose port at the far end is bound to
    the zone's VPN, with that port's address (the next hop into the zone)."""

    zone: str
    interface: str
    pe: str
    next_hop: IPv4Address


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


EDGE_ROUTE_ROLES = ("ips", "load_balancer", "vpn_gateway")
"""Roles whose routes lead around the firewall pair (:func:`_edge_routes`)."""


def static_routes(network: Network, device: Device, links: Iterable[Link]) -> tuple[StaticRoute, ...]:
    """Every static route of ``device`` over its ``links``: the site routes of an aggregation-access
    link, then by role the firewall's, a core's zone exits, a PE's routes to VPN users, the edge's."""
    links = list(links)
    routes = _site_routes(device, links)
    if device.role == "firewall":
        routes += _firewall_routes(network, device, links)
    if device.role == "core":
        routes += _exit_routes(network, device, links)
    if device.role in PE_ROLES:
        routes += _vpn_user_routes(network, device, links)
    if device.role in EDGE_ROUTE_ROLES:
        routes += _edge_routes(network, device, links)
    return tuple(routes)


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
        exit_peer = (external is not None and external.kind == "upstream") or peer_role(
            network, link.b
        ) == "ips"
        if vrf and exit_peer:
            routes.append(StaticRoute(vrf, IPv4Network("0.0.0.0/0"), link.b_ip.ip, f"zone exit via {link.b}"))
    return routes


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


def peer_role(network: Network, name: str) -> str:
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
        return peer_role(network, intf.peer)
    roles = [peer_role(network, d) for d, _ in _segment_neighbours(network, device, intf)]
    return roles[0] if roles else device.role


def far_ends(network: Network, device: Device, links: Iterable[Link]) -> list[tuple[str, IPv4Address]]:
    """Every neighbour over a link or a segment, with the address ``device`` routes to it by."""
    ends = [(peer, ip.ip) for peer, ip in (link.far_end(device.name) for link in links)]
    for intf in device.interfaces:
        ends += _segment_neighbours(network, device, intf)
    return ends


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
    for peer, hop in far_ends(network, device, links):
        role = peer_role(network, peer)
        external = network.externals.get(peer)
        if role == "firewall" and device.role in ("ips", "vpn_gateway"):
            routes.append(StaticRoute(None, default, hop, "internet via the firewall pair"))
        elif role == "firewall":
            routes += [
                StaticRoute(None, pool, hop, "internet zone sites via the firewall pair")
                for pool in internet_site_pools(network)
            ]
            if device.role == "load_balancer":  # the published services' members sit behind the pair
                routes += [
                    StaticRoute(None, host_prefix(ip), hop, f"{name} ({service.name}) via the firewall pair")
                    for service in lb_services(network, device, links)
                    for name, ip in service.real_servers
                ]
        elif role == "core" and device.role == "ips":
            routes += [
                StaticRoute(None, pool, hop, f"internet zone sites via {peer}")
                for pool in internet_site_pools(network)
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


def isp_links(network: Network, device: Device, links: Iterable[Link]) -> tuple[IspLink, ...]:
    found = []
    for link in links:
        peer, ip = link.far_end(device.name)
        if _is_isp(network, peer):
            name = peer.removeprefix(f"{device.district}-")
            found.append(IspLink(name, link.interface_of(device.name), ip.ip))
    return tuple(found)


def lb_services(network: Network, device: Device, links: Iterable[Link]) -> tuple[LbService, ...]:
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


def host_prefix(address: IPv4Address) -> IPv4Network:
    return IPv4Network(f"{address}/32")


def internet_site_pools(network: Network) -> tuple[IPv4Network, ...]:
    return tuple(z.site_pool for z in network.zones.values() if z.kind == "internet")


def _firewall_routes(network: Network, device: Device, links: Iterable[Link]) -> list[StaticRoute]:
    """Default route out via the load balancer; the internet zone's sites back in via the IPS."""
    routes: list[StaticRoute] = []
    for peer, hop in far_ends(network, device, links):
        role = peer_role(network, peer)
        if role == "load_balancer":
            routes.append(StaticRoute(None, IPv4Network("0.0.0.0/0"), hop, f"internet via {peer}"))
        elif role == "ips":
            routes += [
                StaticRoute(None, pool, hop, f"internet zone sites via {peer}")
                for pool in internet_site_pools(network)
            ]
    return routes
