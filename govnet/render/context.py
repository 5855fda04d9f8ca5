"""The facts a template sees beyond the model (``facts``): :class:`DeviceFacts`, built per device
through a :class:`NetworkIndex` that keeps rendering linear in size.

Templates stay free of topology logic: everything that needs more than one device or link is
resolved once per network, in :mod:`govnet.render.routing` (static routes, neighbours),
:mod:`govnet.render.security` (firewall and edge zones and policy) and
:mod:`govnet.render.redundancy` (VRRP, HRP). Secrets never reach a template: it renders
references (:func:`govnet.credentials.secret_ref`), and the Jinja filters are in
:mod:`govnet.render.filters`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govnet.credentials import SECRET_REF_RE
from govnet.model import BgpSession, Device, Network
from govnet.render.redundancy import HotStandby, VrrpFact, hot_standby, vrrp_facts
from govnet.render.routing import (
    IspLink,
    LbService,
    StaticRoute,
    far_role,
    isp_links,
    lb_services,
    mgmt_interface,
    static_routes,
)
from govnet.render.security import (
    EDGE_POLICY_ROLES,
    EdgePolicy,
    SecurityRule,
    SecurityZone,
    edge_policy,
    firewall_rules,
    firewall_zones,
)

__all__ = ["SECRET_REF_RE", "DeviceFacts", "NetworkIndex"]
"""``SECRET_REF_RE`` (:mod:`govnet.credentials`) stays importable here only until
``govnet.deploy.remediation`` imports it from :mod:`govnet.credentials`."""


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
    security_rules: tuple[SecurityRule, ...] = ()
    hot_standby: HotStandby | None = None
    vrrp: tuple[VrrpFact, ...] = ()
    isp_links: tuple[IspLink, ...] = ()
    lb_services: tuple[LbService, ...] = ()
    peer_roles: tuple[tuple[str, str], ...] = ()
    """(interface, role at the far end): the peer's role on a link, the role of the segment's
    other members (not the device's own pair) on a shared segment, ``external`` for a peer govnet
    does not manage."""
    edge_policy: EdgePolicy = field(default_factory=EdgePolicy)
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
        network = self.network
        links = list(network.links_of(device.name))
        routes = static_routes(network, device, links)
        firewall = device.role == "firewall"
        load_balancer = device.role == "load_balancer"
        return DeviceFacts(
            mgmt_interface=mgmt_interface(device),
            bgp_sessions=self.bgp_sessions(device),
            static_routes=routes,
            vrfs_with_static=frozenset(r.vrf for r in routes if r.vrf),
            vrfs_with_default=frozenset(r.vrf for r in routes if r.vrf and r.prefix.prefixlen == 0),
            vrfs_with_connected=frozenset(i.vrf for i in device.interfaces if i.vrf and i.ip),
            security_zones=firewall_zones(network, device) if firewall else (),
            security_rules=firewall_rules(network, device, links) if firewall else (),
            hot_standby=hot_standby(network, device, links) if firewall else None,
            vrrp=vrrp_facts(network, device),
            isp_links=isp_links(network, device, links) if load_balancer else (),
            lb_services=lb_services(network, device, links) if load_balancer else (),
            peer_roles=tuple((i.name, far_role(network, device, i)) for i in device.interfaces),
            edge_policy=edge_policy(network, device, links)
            if device.role in EDGE_POLICY_ROLES
            else EdgePolicy(),
        )
