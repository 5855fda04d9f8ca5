"""Security facts: the firewall pair's zones and rules (USG), and the zone policy of the SecPath
load balancer and VPN gateway at the internet edge (zones, service groups, rules, SSL VPN access).

Each is exactly the model's flows: a rule is derived from a device, link or setting, never
written by hand, and the rules end in a drop.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from govnet.model import Device, Interface, Link, Network
from govnet.render.routing import (
    far_ends,
    far_role,
    host_prefix,
    internet_site_pools,
    isp_links,
    lb_services,
    leg_zone,
    mgmt_interface,
    peer_role,
)

FIREWALL_ZONE_BY_PEER_ROLE: dict[str, str] = {
    "ips": "trust",  # inside: core -> IPS -> firewall
    "load_balancer": "untrust",  # outside: firewall -> load balancer -> ISPs
    "vpn_gateway": "dmz",  # the VPN gateway for remote users sits in the DMZ
    "firewall": "dmz",  # the HRP heartbeat link of the hot-standby pair
}
"""The firewall security zone of an interface, from the role of the device at its far end."""

FIREWALL_ZONE_PRIORITY = {"trust": 85, "dmz": 50, "untrust": 5}


@dataclass(frozen=True, slots=True)
class SecurityZone:
    """A firewall security zone with its priority and member interfaces."""

    name: str
    priority: int
    interfaces: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SecurityRule:
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
    rules: tuple[SecurityRule, ...] = ()
    sslvpn: tuple[SslVpnAccess, ...] = ()


EDGE_POLICY_ROLES = ("load_balancer", "vpn_gateway")
"""Roles on a zone-based SecPath (Comware 7): an interface in no zone, or a flow between zones
without a pass rule, is dropped, so each gets zones and a policy from the model."""

UNTRUST, TRUST, DMZ, LOCAL, MANAGEMENT = "Untrust", "Trust", "DMZ", "Local", "Management"
ZONE_LEG = "Trust-{zone}"
"""The security zone of a port into an extranet zone (a link to a PE port bound to the zone's VPN)."""
NOC_MANAGEMENT = ServiceGroup("noc-management", ("tcp destination eq 22", "udp destination eq 161"))
"""What the NOC reaches on the device: SSH and SNMP."""
ICMP_ECHO = ServiceGroup("icmp-echo", ("icmp 8 0",))


def firewall_zones(network: Network, device: Device) -> tuple[SecurityZone, ...]:
    members: dict[str, list[str]] = {name: [] for name in FIREWALL_ZONE_PRIORITY}
    members["trust"].append(mgmt_interface(device))  # the USG default for its management port
    for intf in device.interfaces:
        zone = FIREWALL_ZONE_BY_PEER_ROLE.get(far_role(network, device, intf), "untrust")
        members[zone].append(intf.name)
    return tuple(
        SecurityZone(name, priority, tuple(members[name]))
        for name, priority in FIREWALL_ZONE_PRIORITY.items()
    )


def firewall_rules(network: Network, device: Device, links: Iterable[Link]) -> tuple[SecurityRule, ...]:
    """Trust -> untrust only for the internet access zone; remote users to the VPN gateway; deny."""
    ends = far_ends(network, device, links)
    vpn_gateways = tuple(
        IPv4Network(f"{ip}/32") for peer, ip in ends if peer_role(network, peer) == "vpn_gateway"
    )
    rules = [
        SecurityRule(
            "internet-zone-to-internet",
            source_zone="trust",
            destination_zone="untrust",
            source_addresses=internet_site_pools(network),
        )
    ]
    if vpn_gateways:
        rules.append(
            SecurityRule(
                "remote-users-to-vpn-gateway",
                source_zone="untrust",
                destination_zone="dmz",
                destination_addresses=vpn_gateways,
                service="https",
            )
        )
    rules.append(SecurityRule("default-deny", permit=False))
    return tuple(rules)


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
    mgmt = host_prefix(device.mgmt_ip.ip)
    members: dict[str, list[str]] = {UNTRUST: [], TRUST: [], DMZ: []}
    own: dict[str, list[IPv4Network]] = {UNTRUST: [], TRUST: [], DMZ: []}
    for intf in device.interfaces:
        zone = edge_zone(network, device, intf)
        members.setdefault(zone, []).append(intf.name)
        if intf.ip:
            own.setdefault(zone, []).append(host_prefix(intf.ip.ip))
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
        SecurityRule(
            "noc-to-management", MANAGEMENT, LOCAL, (settings.noc_prefix,), (mgmt,), NOC_MANAGEMENT.name
        ),
        SecurityRule(
            "management-to-noc",
            LOCAL,
            MANAGEMENT,
            (mgmt,),
            tuple(host_prefix(h) for h in noc_hosts),
            "noc-services",
        ),
    ]
    if device.role == "load_balancer":
        for service in lb_services(network, device, links):
            port = ServiceGroup(
                f"{service.protocol}-{service.port}", (f"{service.protocol} destination eq {service.port}",)
            )
            if port not in services:
                services.append(port)
            rules += [
                SecurityRule(
                    f"internet-to-{service.name}",
                    UNTRUST,
                    LOCAL,
                    destination_addresses=tuple(host_prefix(v) for v in service.virtual_ips),
                    service=port.name,
                ),
                SecurityRule(
                    f"{service.name}-members",
                    LOCAL,
                    TRUST,
                    tuple(own[TRUST]),
                    tuple(host_prefix(ip) for _, ip in service.real_servers),
                    port.name,
                ),
            ]
        probes = tuple(host_prefix(link.next_hop) for link in isp_links(network, device, links))
        if probes:
            services.append(ICMP_ECHO)
            rules.append(
                SecurityRule("isp-link-probes", LOCAL, UNTRUST, tuple(own[UNTRUST]), probes, ICMP_ECHO.name)
            )
        pools = internet_site_pools(network)
        if pools and members[TRUST] and members[UNTRUST]:
            rules.append(SecurityRule("internet-zone-to-internet", TRUST, UNTRUST, source_addresses=pools))
    else:
        portal = tuple(own[DMZ][:1])
        if portal:
            https = ServiceGroup("tcp-443", ("tcp destination eq 443",))
            services.append(https)
            rules.append(
                SecurityRule(
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
                SecurityRule(
                    f"vpn-{a.zone}-users-to-{a.zone}-zone",
                    a.security_zone,
                    leg,
                    (a.address.network,),
                    (network.zones[a.zone].site_pool,),
                )
            )
    return EdgePolicy(tuple(zones), tuple(services), tuple(rules), access)
