"""What to poll, from the model: per device its link ends, routing peers and HA objects.

Nothing here talks to the network; the plan is the intent the poller and health compare to.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Address

from govnet.errors import GovnetError
from govnet.model import Device, Network
from govnet.platforms import get_platform
from govnet.platforms.base import HardwareColumn, HaTable
from govnet.platforms.linux import ifname_map


class ShardError(GovnetError):
    """A ``--shard I/N`` that is not two integers with 0 <= I < N."""


@dataclass(frozen=True, slots=True)
class LinkEnd:
    """One managed end of an inventory link: the interface as named in the inventory and as the
    agent's ifName shows it (the kernel name in the lab)."""

    device: str
    interface: str
    ifname: str
    peer: str
    link: str


@dataclass(frozen=True, slots=True)
class Peer:
    """A routing neighbour the device should have: BGP by peer address, OSPF by neighbour
    interface address, LDP by the peer's LSR id (its loopback)."""

    device: str
    peer: str
    address: IPv4Address
    vrf: str = "default"


@dataclass(frozen=True, slots=True)
class DevicePlan:
    """Everything polled on one device every cycle."""

    name: str
    role: str
    platform: str
    host: str
    port: int
    links: tuple[LinkEnd, ...]
    bgp: tuple[Peer, ...] = ()
    ospf: tuple[Peer, ...] = ()
    ldp: tuple[Peer, ...] = ()
    vendor_oids: Mapping[str, str] = field(default_factory=dict)
    ha_tables: tuple[HaTable, ...] = ()
    ha_expected: bool = False
    """The model makes this device a member of a VRRP group: its HA tables must have rows."""
    hardware: tuple[HardwareColumn, ...] = ()
    timeout: float | None = None
    """Per-request SNMP timeout for this device (its role's), None: the client's default."""

    def link_end(self, ifname: str) -> LinkEnd:
        return next(end for end in self.links if end.ifname == ifname)

    def interface_key(self, name: str) -> str:
        """``name`` compared as the platform's aliases and the agent's spelling allow."""
        return get_platform(self.platform).interface_key(name)

    @property
    def table_oids(self) -> dict[str, str]:
        """The vendor and HA columns walked at discovery (entity-indexed hardware columns are
        polled on the chosen entities only, not walked here)."""
        hardware = {h.name for h in self.hardware}
        polled = {name: text for name, text in self.vendor_oids.items() if name not in hardware}
        polled.update((t.name, t.oid) for t in self.ha_tables)
        return polled


@dataclass(frozen=True, slots=True)
class Plan:
    """The poll plan of one poller (all devices, or its shard)."""

    network: Network
    devices: tuple[DevicePlan, ...]

    def device(self, name: str) -> DevicePlan:
        return next(d for d in self.devices if d.name == name)


def shard_of(name: str, shards: int) -> int:
    """Prometheus ``hashmod``: md5 of the value, its last 8 bytes as a big-endian uint64, mod N.

    >>> shard_of("kf-core-1", 1)
    0
    """
    digest = hashlib.md5(name.encode(), usedforsecurity=False).digest()
    return int.from_bytes(digest[8:], "big") % shards


def parse_shard(text: str) -> tuple[int, int]:
    """``"I/N"`` -> (I, N).

    >>> parse_shard("1/4")
    (1, 4)
    """
    index, sep, total = text.partition("/")
    try:
        i, n = int(index), int(total)
    except ValueError:
        raise ShardError(f"--shard {text!r}: expected I/N, e.g. 0/2") from None
    if not sep or n < 1 or not 0 <= i < n:
        raise ShardError(f"--shard {text!r}: expected I/N with 0 <= I < N")
    return i, n


def _ifnames(device: Device, lab: bool) -> dict[str, str]:
    names = [i.name for i in device.interfaces]
    if lab and get_platform(device.platform_for(lab=True)).ifname_style == "kernel":
        return ifname_map(names)
    return {n: n for n in names}


def _peer_ip(network: Network, device: str, interface: str) -> IPv4Address | None:
    dev = network.devices.get(device)
    if dev is None:
        return None
    try:
        intf = dev.interface(interface)
    except KeyError:
        return None
    return intf.ip.ip if intf.ip is not None else None


def device_plan(
    network: Network,
    device: Device,
    *,
    lab: bool,
    port: int = 161,
    host: str | None = None,
    timeout: float | None = None,
) -> DevicePlan:
    """The plan for one device of ``network`` (only peers inside ``network`` count)."""
    names = _ifnames(device, lab)
    links: list[LinkEnd] = []
    for link in network.links_of(device.name):
        if link.a == device.name:
            links.append(
                LinkEnd(
                    device.name,
                    link.a_interface,
                    names.get(link.a_interface, link.a_interface),
                    link.b,
                    link.id,
                )
            )
        if link.b == device.name:
            links.append(
                LinkEnd(
                    device.name,
                    link.b_interface,
                    names.get(link.b_interface, link.b_interface),
                    link.a,
                    link.id,
                )
            )
    ospf: list[Peer] = []
    ldp: list[Peer] = []
    for intf in device.interfaces:
        if intf.vlan is not None or intf.peer not in network.devices:
            continue
        if intf.ospf:
            address = _peer_ip(network, intf.peer, intf.peer_interface)
            if address is not None:
                ospf.append(Peer(device.name, intf.peer, address))
        peer_dev = network.devices[intf.peer]
        if intf.ldp and peer_dev.loopback is not None:
            ldp.append(Peer(device.name, intf.peer, peer_dev.loopback.ip))
    bgp = tuple(
        Peer(device.name, s.peer, s.peer_ip)
        for s in network.bgp_sessions(device.name)
        if s.peer in network.devices
    )
    platform = get_platform(device.platform_for(lab=lab))
    return DevicePlan(
        name=device.name,
        role=device.role,
        platform=platform.name,
        host=host or str(device.mgmt_ip.ip),
        port=port,
        links=tuple(links),
        bgp=bgp,
        ospf=tuple(ospf),
        ldp=tuple(dict.fromkeys(ldp)),
        vendor_oids=dict(platform.vendor_oids),
        ha_tables=platform.ha_tables,
        ha_expected=bool(network.vrrp_groups(device.name)),
        hardware=platform.hardware,
        timeout=timeout,
    )


def build_plan(
    network: Network,
    *,
    devices: Iterable[str] | None = None,
    lab: bool = False,
    shard: tuple[int, int] = (0, 1),
    port: int = 161,
    hosts: Mapping[str, str] | None = None,
    ports: Mapping[str, int] | None = None,
    timeouts: Mapping[str, float] | None = None,
) -> Plan:
    """The plan over ``devices`` (default: every managed device of ``network``) for shard I of N.

    With ``devices`` the network is cut to them first (links, peers and groups outside drop out),
    as the lab does when it boots a subset. ``hosts`` and ``ports`` override management
    addresses and SNMP ports per device; ``timeouts`` sets the request timeout per role.
    """
    if devices is not None:
        network = network.subset(devices)
    index, total = shard
    hosts, ports, timeouts = hosts or {}, ports or {}, timeouts or {}
    chosen = [d for name, d in sorted(network.devices.items()) if shard_of(name, total) == index]
    plans = tuple(
        device_plan(
            network,
            d,
            lab=lab,
            port=ports.get(d.name, port),
            host=hosts.get(d.name),
            timeout=timeouts.get(d.role),
        )
        for d in chosen
    )
    return Plan(network=network, devices=plans)
