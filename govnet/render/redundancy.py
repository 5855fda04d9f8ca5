"""Redundancy facts: the VRRP groups a device is a member of (vendor templates and the twin's
keepalived render the same ones) and the firewall pair's HRP hot standby."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network

from govnet.model import Device, Link, Network

VRRP_PRIORITY = {"active": 120, "standby": 100}
"""VRRP priority by configured role (USG sets them from ``active``/``standby``; keepalived needs
numbers). The active member preempts after a heal, as HRP preemption does."""
VRRP_ADVERT_S = 1
HA_ROLES = ("firewall", "server")
"""Roles whose pairs run VRRP (the USG's VRRP/HRP; keepalived on the servers and the lab twin)."""


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


def hot_standby(network: Network, device: Device, links: Iterable[Link]) -> HotStandby | None:
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
