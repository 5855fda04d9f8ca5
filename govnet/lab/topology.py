"""What the lab boots: the device selection, namespaces, kernel interface names and addresses.

Kernel interface names are limited to 15 characters, so inventory names are abbreviated by
the one table in :mod:`govnet.platforms.linux`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface
from typing import Any

from govnet.lab.errors import TopologyError
from govnet.model import Device, Network
from govnet.platforms.linux import ifname_map, kernel_ifname

NETNS_PREFIX = "gn-"
MGMT_BRIDGE = "govnet-mgmt"
SSH_PORT_BASE = 22000
EDGE_ROLES = ("firewall", "ips", "load_balancer", "vpn_gateway", "isolation_gateway", "server")
ROUTING_ROLES = ("core", "aggregation", "access")


# FRR daemons per routing role, in start order (zebra first).
ROLE_DAEMONS: dict[str, tuple[str, ...]] = {
    "core": ("zebra", "staticd", "ospfd", "bgpd", "ldpd"),
    "aggregation": ("zebra", "staticd", "ospfd", "bgpd", "ldpd"),
    "access": ("zebra", "staticd"),
}


@dataclass(frozen=True)
class LabInterface:
    """One kernel interface of a lab node and the inventory interface it stands for."""

    ifname: str
    name: str
    ip: IPv4Interface | None
    peer: str
    link_id: str
    mtu: int


@dataclass(frozen=True)
class LabNode:
    """A device (or an external peer's stub) booted as one network namespace."""

    name: str
    role: str
    lab_platform: str
    netns: str
    index: int
    mgmt_ip: IPv4Interface | None
    loopback: IPv4Interface | None
    ssh_port: int | None
    daemons: tuple[str, ...]
    interfaces: tuple[LabInterface, ...]
    stub: bool = False

    @property
    def is_router(self) -> bool:
        return self.lab_platform == "frr"

    @property
    def mgmt_veth(self) -> str:
        """Root-namespace end of the management veth (enslaved to the bridge)."""
        return f"gn-m{self.index}"

    def ifname(self, name: str) -> str:
        """Kernel name for an inventory interface name (kernel names pass through)."""
        for intf in self.interfaces:
            if name in (intf.name, intf.ifname):
                return intf.ifname
        raise TopologyError(f"{self.name} has no interface {name!r} in the lab")

    @property
    def ifnames(self) -> dict[str, str]:
        return {i.name: i.ifname for i in self.interfaces}


@dataclass(frozen=True)
class LabLink:
    """A veth pair standing for one inventory link."""

    id: str
    a: str
    a_ifname: str
    b: str
    b_ifname: str
    kind: str


@dataclass(frozen=True)
class LabSegmentPort:
    """One member's port on a shared segment: its kernel interface and the host-side veth."""

    node: str
    ifname: str
    host_veth: str


@dataclass(frozen=True)
class LabVrrp:
    """A VRRP group of a booted segment: its members in priority order (the first is active)."""

    vrid: int
    virtual_ip: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class LabSegment:
    """A shared segment as a Linux bridge in the host, one veth per member namespace."""

    id: str
    bridge: str
    ports: tuple[LabSegmentPort, ...]
    vrrp: tuple[LabVrrp, ...] = ()

    def port(self, node: str) -> LabSegmentPort:
        for port in self.ports:
            if port.node == node:
                return port
        raise TopologyError(f"{node} has no port on segment {self.id} in the lab")


@dataclass(frozen=True)
class LabTopology:
    """Everything `lab up` creates, derived from the model alone."""

    nodes: tuple[LabNode, ...]
    links: tuple[LabLink, ...]
    mgmt_gateway: IPv4Interface
    bridge: str = MGMT_BRIDGE
    devices: tuple[str, ...] = field(default=())
    segments: tuple[LabSegment, ...] = ()

    def segments_between(self, a: str, b: str) -> list[LabSegment]:
        """Segments both ``a`` and ``b`` have a port on."""
        return [s for s in self.segments if {a, b} <= {p.node for p in s.ports}]

    def node(self, name: str) -> LabNode:
        for node in self.nodes:
            if node.name == name:
                return node
        raise TopologyError(f"no device {name!r} in the lab (booted: {', '.join(self.devices)})")

    def links_between(self, a: str, b: str) -> list[LabLink]:
        return [lk for lk in self.links if {lk.a, lk.b} == {a, b}]

    def to_dict(self) -> dict[str, Any]:
        return {
            "bridge": self.bridge,
            "mgmt_gateway": str(self.mgmt_gateway),
            "devices": list(self.devices),
            "nodes": [_node_dict(n) for n in self.nodes],
            "links": [vars(lk).copy() for lk in self.links],
            "segments": [
                {"id": sg.id, "bridge": sg.bridge, "ports": [vars(p).copy() for p in sg.ports],
                 "vrrp": [{"vrid": g.vrid, "virtual_ip": g.virtual_ip, "members": list(g.members)}
                          for g in sg.vrrp]}
                for sg in self.segments
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabTopology:
        return cls(
            nodes=tuple(_node_from(n) for n in data["nodes"]),
            links=tuple(LabLink(**lk) for lk in data["links"]),
            mgmt_gateway=IPv4Interface(data["mgmt_gateway"]),
            bridge=data["bridge"],
            devices=tuple(data["devices"]),
            segments=tuple(
                LabSegment(
                    sg["id"], sg["bridge"], tuple(LabSegmentPort(**p) for p in sg["ports"]),
                    tuple(LabVrrp(g["vrid"], g["virtual_ip"], tuple(g["members"])) for g in sg["vrrp"]),
                )
                for sg in data.get("segments", [])
            ),
        )


def _node_dict(node: LabNode) -> dict[str, Any]:
    return {
        "name": node.name, "role": node.role, "lab_platform": node.lab_platform,
        "netns": node.netns, "index": node.index,
        "mgmt_ip": str(node.mgmt_ip) if node.mgmt_ip else None,
        "loopback": str(node.loopback) if node.loopback else None,
        "ssh_port": node.ssh_port, "daemons": list(node.daemons), "stub": node.stub,
        "interfaces": [
            {"ifname": i.ifname, "name": i.name, "ip": str(i.ip) if i.ip else None,
             "peer": i.peer, "link_id": i.link_id, "mtu": i.mtu}
            for i in node.interfaces
        ],
    }


def _node_from(data: dict[str, Any]) -> LabNode:
    return LabNode(
        name=data["name"], role=data["role"], lab_platform=data["lab_platform"],
        netns=data["netns"], index=data["index"],
        mgmt_ip=IPv4Interface(data["mgmt_ip"]) if data["mgmt_ip"] else None,
        loopback=IPv4Interface(data["loopback"]) if data["loopback"] else None,
        ssh_port=data["ssh_port"], daemons=tuple(data["daemons"]), stub=data["stub"],
        interfaces=tuple(
            LabInterface(
                ifname=i["ifname"], name=i["name"], ip=IPv4Interface(i["ip"]) if i["ip"] else None,
                peer=i["peer"], link_id=i["link_id"], mtu=i["mtu"],
            )
            for i in data["interfaces"]
        ),
    )


def select_devices(network: Network, access: int | None = None) -> list[str]:
    """Default lab selection: all cores, aggregation and edge devices, plus access sites.

    `access` is the total number of access sites, spread round-robin over the subdistricts in
    name order (each subdistrict's sites in site-id order); None means one per subdistrict.
    """
    chosen = [d.name for d in network.devices.values() if d.role not in ("access",)]
    by_subdistrict: dict[str, list[str]] = {}
    for dev in sorted(network.devices.values(), key=lambda d: (d.mgmt_ip, d.name)):
        if dev.role == "access":  # management slots follow site ids: communities first
            by_subdistrict.setdefault(dev.subdistrict or "", []).append(dev.name)
    queues = [by_subdistrict[k] for k in sorted(by_subdistrict)]
    wanted = len(queues) if access is None else access
    if wanted < 0:
        raise TopologyError("--access must be 0 or more")
    picked: list[str] = []
    depth = 0
    while len(picked) < wanted and any(depth < len(q) for q in queues):
        for queue in queues:
            if depth < len(queue) and len(picked) < wanted:
                picked.append(queue[depth])
        depth += 1
    return sorted(chosen) + picked


def build_topology(network: Network, devices: Iterable[str]) -> LabTopology:
    """Map a device selection onto namespaces, veth pairs and kernel interface names."""
    names = list(dict.fromkeys(devices))
    unknown = [n for n in names if n not in network.devices]
    if unknown:
        raise TopologyError(f"unknown device(s) in the inventory: {', '.join(unknown)}")
    sub = network.subset(names)
    order = sorted(sub.devices, key=lambda n: (_role_rank(sub.devices[n].role), n))
    externals = sorted({lk.b for lk in sub.links if lk.b not in sub.devices})
    ports: dict[str, list[tuple[str, LabInterface]]] = {}
    maps = {n: ifname_map(i.name for i in sub.devices[n].interfaces) for n in sub.devices}
    ext_maps = {x: ifname_map(lk.b_interface for lk in sub.links if lk.b == x) for x in externals}
    links: list[LabLink] = []
    for lk in sub.links:
        a_if = maps[lk.a][lk.a_interface] if lk.a_interface in maps[lk.a] else kernel_ifname(lk.a_interface)
        bmap = maps.get(lk.b) or ext_maps[lk.b]
        b_if = bmap.get(lk.b_interface) or kernel_ifname(lk.b_interface)
        links.append(LabLink(id=lk.id, a=lk.a, a_ifname=a_if, b=lk.b, b_ifname=b_if, kind=lk.kind))
        ports.setdefault(lk.a, []).append(
            (a_if, LabInterface(a_if, lk.a_interface, lk.a_ip, lk.b, lk.id, lk.mtu)))
        ports.setdefault(lk.b, []).append(
            (b_if, LabInterface(b_if, lk.b_interface, lk.b_ip, lk.a, lk.id, lk.mtu)))
    segments = _segments(sub, maps, ports)
    nodes: list[LabNode] = []
    for index, name in enumerate(order, start=1):
        dev = sub.devices[name]
        ha = any(dev.name in g.members for s in sub.segments_of(name) for g in s.vrrp)
        nodes.append(_device_node(dev, index, [p for _, p in ports.get(name, [])], ha=ha))
    for offset, name in enumerate(externals, start=len(order) + 1):
        nodes.append(LabNode(
            name=name, role="external", lab_platform="stub", netns=netns_name(name), index=offset,
            mgmt_ip=None, loopback=None, ssh_port=None, daemons=(),
            interfaces=tuple(p for _, p in ports.get(name, [])), stub=True,
        ))
    gateway = IPv4Interface(f"{network.settings.mgmt_gateway}/{network.settings.mgmt_prefix.prefixlen}")
    return LabTopology(
        nodes=tuple(nodes), links=tuple(links), mgmt_gateway=gateway, devices=tuple(order),
        segments=tuple(segments))


def _segments(
    sub: Network, maps: dict[str, dict[str, str]], ports: dict[str, list[tuple[str, LabInterface]]]
) -> list[LabSegment]:
    """A bridge per segment with at least two booted members (`gn-b<N>`, ports `gn-s<N>-<M>`)."""
    found: list[LabSegment] = []
    for seg in sub.segments:
        members = [m for m in seg.members if m.device in sub.devices]
        if len(members) < 2:
            continue
        n = len(found) + 1
        seg_ports: list[LabSegmentPort] = []
        for j, member in enumerate(members, start=1):
            ifname = maps[member.device][member.interface]
            seg_ports.append(LabSegmentPort(member.device, ifname, f"{NETNS_PREFIX}s{n}-{j}"))
            ports.setdefault(member.device, []).append((ifname, LabInterface(
                ifname, member.interface, member.ip, seg.id, seg.id, seg.mtu)))
        booted = {m.device for m in members}
        vrrp = tuple(
            LabVrrp(g.vrid, str(g.virtual_ip), tuple(m for m in g.members if m in booted))
            for g in seg.vrrp
            if sum(m in booted for m in g.members) >= 1
        )
        found.append(LabSegment(seg.id, f"{NETNS_PREFIX}b{n}", tuple(seg_ports), vrrp))
    return found


def netns_name(device: str) -> str:
    """The namespace of a device: its name with the `gn-` prefix."""
    return f"{NETNS_PREFIX}{device}"


def _device_node(dev: Device, index: int, interfaces: list[LabInterface], *, ha: bool = False) -> LabNode:
    """``ha``: a member of a VRRP group, so it runs keepalived (after snmpd, its AgentX master)."""
    routing = dev.lab_platform == "frr"
    daemons = ROLE_DAEMONS.get(dev.role, ("zebra", "staticd")) if routing else ()
    if routing and not any(i.ldp for i in dev.interfaces):
        daemons = tuple(d for d in daemons if d != "ldpd")
    if routing and "ospfd" not in daemons and any(i.ospf for i in dev.interfaces):
        daemons = (*daemons, "ospfd")
    return LabNode(
        name=dev.name, role=dev.role, lab_platform=dev.lab_platform, netns=netns_name(dev.name),
        index=index, mgmt_ip=dev.mgmt_ip, loopback=dev.loopback,
        ssh_port=SSH_PORT_BASE + index if routing else None,
        daemons=(*daemons, "snmpd", *(("keepalived",) if ha else ())), interfaces=tuple(interfaces),
    )


def _role_rank(role: str) -> int:
    ranks = {"core": 0, "aggregation": 1, "access": 3}
    return ranks.get(role, 2)


def mgmt_address(node: LabNode) -> IPv4Address | None:
    """The address SNMP and status use to reach a node."""
    return node.mgmt_ip.ip if node.mgmt_ip else None
