"""Facts read from a parsed config through its platform reader: address, MTU, OSPF area, LDP, BGP."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Address, IPv4Interface
from typing import NamedTuple

from netutils.interface import canonical_interface_name

from govnet.check.configtree import ConfigLine, ConfigTree, Hit
from govnet.check.pickling import by_position
from govnet.check.rules import LineMatch
from govnet.platforms.linux import kernel_ifname


def platform_ifname(tree: ConfigTree, name: str) -> str:
    """The model interface ``name`` as the platform spells it."""
    return kernel_ifname(name) if tree.reader.ifname == "kernel" else name


def area_number(text: str) -> int | None:
    """OSPF area as a number: ``0``, ``0.0.0.0`` -> 0."""
    try:
        return int(text)
    except ValueError:
        address = ipv4(text)
        return int(address) if address is not None else None


def interface_block(tree: ConfigTree, name: str) -> ConfigLine | None:
    """The ``interface`` block of model interface ``name`` (memoised on the tree).

    A device prints the full interface name even when the inventory uses the abbreviation its
    CLI accepts (a USG/NIP prints ``interface GigabitEthernet0/0/1`` for ``GE0/0/1``), so the
    full name is tried when the model's spelling is not in the config.
    """
    if name not in tree.blocks:
        ifname = platform_ifname(tree, name)
        hit = tree.child(tree.reader.interface, ifname=ifname)
        if hit is None and (full := canonical_interface_name(ifname)) != ifname:
            hit = tree.child(tree.reader.interface, ifname=full)
        tree.blocks[name] = hit.node if hit else None
    return tree.blocks[name]


_NETMASK_BITS = {str(IPv4Interface(f"0.0.0.0/{bits}").netmask): bits for bits in range(33)}


def _dotted(text: str) -> int | None:
    """A plain dotted quad as an integer (None for anything else, valid or not: the caller then
    asks ``ipaddress``, which decides)."""
    parts = text.split(".")
    if len(parts) != 4:
        return None
    value = 0
    for part in parts:
        if not (part.isascii() and part.isdigit() and len(part) <= 3) or (part[0] == "0" and part != "0"):
            return None
        octet = int(part)
        if octet > 255:
            return None
        value = value << 8 | octet
    return value


@lru_cache(maxsize=1 << 16)
def ipv4(text: str) -> IPv4Address | None:
    """``text`` as an IPv4 address, None when it is none (parsed once per text: configs repeat
    their addresses, and most words tried are no address)."""
    value = _dotted(text)
    if value is not None:
        return IPv4Address(value)
    try:
        return IPv4Address(text)
    except ValueError:
        return None


@lru_cache(maxsize=1 << 16)
def _interface(text: str) -> IPv4Interface | None:
    """``IPv4Interface(text)``, None when it raises; ``address/netmask`` and ``address/length``
    built from integers (a third of the string parse), anything else by ``ipaddress`` itself.

    >>> _interface("10.1.2.3/255.255.255.0"), _interface("10.1.2.3/0.0.0.255"), _interface("10.1.2.03/24")
    (IPv4Interface('10.1.2.3/24'), IPv4Interface('10.1.2.3/24'), None)
    """
    address, slash, mask = text.partition("/")
    ip = _dotted(address)
    bits = 32 if not slash else int(mask) if mask.isascii() and mask.isdigit() else _NETMASK_BITS.get(mask)
    if bits is not None and bits > 32:
        bits = None
    if ip is not None and bits is not None:
        return IPv4Interface((ip, bits))
    try:
        return IPv4Interface(text)
    except ValueError:
        return None


def _to_interface(groups: dict[str, str]) -> IPv4Interface | None:
    addr = groups.get("address", "")
    mask = groups.get("mask")
    return _interface(f"{addr}/{mask}" if mask else addr)


def interface_address(tree: ConfigTree, name: str) -> tuple[IPv4Interface | None, int]:
    """The primary address of interface ``name`` and its line (or the block's line, 0 if absent),
    read once per tree (the link facts, the OSPF area and the management port all ask)."""
    key = ("address", name)
    found: tuple[IPv4Interface | None, int] | None = tree.memo.get(key)
    if found is None:
        found = tree.memo[key] = _interface_address(tree, name)
    return found


def _interface_address(tree: ConfigTree, name: str) -> tuple[IPv4Interface | None, int]:
    block = interface_block(tree, name)
    if block is None:
        return None, 0
    hit = tree.child(tree.reader.address, block)
    if hit is None:
        return None, block.line
    return _to_interface(hit.groups), hit.line


def interface_mtu(tree: ConfigTree, name: str) -> tuple[int, int]:
    """The MTU of interface ``name`` (the platform default when unset) and its line."""
    block = interface_block(tree, name)
    if block is None:
        return tree.reader.default_mtu, 0
    hit = tree.child(tree.reader.mtu, block)
    if hit is None:
        return tree.reader.default_mtu, block.line
    return int(hit.groups["mtu"]), hit.line


def _covers(groups: dict[str, str], ip: IPv4Address) -> bool:
    addr = groups.get("address", "")
    if "wildcard" in groups:
        wildcard, address = ipv4(groups["wildcard"]), ipv4(addr)
        if wildcard is None or address is None:
            return False
        wild = int(wildcard)
        return int(ip) & ~wild & 0xFFFFFFFF == int(address) & ~wild & 0xFFFFFFFF
    network = _interface(addr)  # what IPv4Network(addr, strict=False) reads
    return network is not None and ip in network.network


def ospf_area(tree: ConfigTree, name: str) -> tuple[int | None, int]:
    """The OSPF area interface ``name`` runs in (per-interface command or a covering network statement)."""
    reader = tree.reader
    ifname = platform_ifname(tree, name)
    if reader.ospf_interface is not None:
        hit = tree.first(reader.ospf_interface, ifname=ifname)
        if hit is not None:
            return area_number(hit.groups.get("area", "")), hit.line
    address, _ = interface_address(tree, name)
    if reader.ospf_network is not None and address is not None:
        for hit in _ospf_networks(tree, reader.ospf_network):
            if _covers(hit.groups, address.ip):
                return area_number(hit.groups.get("area", "")), hit.line
    return None, 0


def _ospf_networks(tree: ConfigTree, match: LineMatch) -> list[Hit]:
    """The OSPF ``network`` statements (found once per tree: every interface asks)."""
    found = tree.memo.get("ospf_networks")
    if found is None:
        found = tree.memo["ospf_networks"] = tree.find(match)
    return found


def ldp_enabled(tree: ConfigTree, name: str) -> bool:
    """Every LDP line the reader asks for is present for interface ``name``."""
    ifname = platform_ifname(tree, name)
    return bool(tree.reader.ldp) and all(tree.first(m, ifname=ifname) for m in tree.reader.ldp)


def ldp_missing(tree: ConfigTree, name: str) -> list[str]:
    """The LDP patterns missing for interface ``name`` (for messages)."""
    ifname = platform_ifname(tree, name)
    return [_show(m, ifname) for m in tree.reader.ldp if tree.first(m, ifname=ifname) is None]


def _show(match: LineMatch, ifname: str) -> str:
    return (match.name or "the LDP line").replace("{ifname}", ifname)


@by_position
@dataclass(frozen=True, slots=True)
class BgpPeer:
    address: str
    asn: int
    line: int
    enabled: bool
    update_source: str | None


@by_position
@dataclass(frozen=True, slots=True)
class BgpFacts:
    asn: int | None
    asn_line: int
    loopback: IPv4Address | None
    peers: dict[str, BgpPeer]


def bgp_facts(tree: ConfigTree) -> BgpFacts:
    """The local AS, loopback address and the peers of the global BGP instance."""
    reader = tree.reader
    asn_hit = tree.first(reader.bgp_asn) if reader.bgp_asn else None
    loopback = None
    block = tree.child(reader.loopback)
    if block is not None:
        hit = tree.child(reader.address, block.node)
        iface = _to_interface(hit.groups) if hit else None
        loopback = iface.ip if iface else None
    enabled = (
        {h.groups.get("peer", "") for h in tree.find(reader.bgp_peer_enabled)}
        if reader.bgp_peer_enabled
        else set()
    )
    sources = (
        {h.groups.get("peer", ""): h.groups.get("ifname", "") for h in tree.find(reader.bgp_update_source)}
        if reader.bgp_update_source
        else {}
    )
    peers: dict[str, BgpPeer] = {}
    for hit in tree.find(reader.bgp_peer) if reader.bgp_peer else []:
        address = hit.groups["peer"]
        peers.setdefault(
            address,
            BgpPeer(
                address,
                int(hit.groups["asn"]),
                hit.line,
                reader.bgp_peer_enabled is None or address in enabled,
                sources.get(address),
            ),
        )
    return BgpFacts(
        asn=int(asn_hit.groups["asn"]) if asn_hit else None,
        asn_line=asn_hit.line if asn_hit else 0,
        loopback=loopback,
        peers=peers,
    )


def interface_vrf(tree: ConfigTree, name: str) -> tuple[str | None, int]:
    """The VRF interface ``name`` is bound to (None: the global table) and the line saying so."""
    block = interface_block(tree, name)
    if block is None:
        return None, 0
    header = _header(tree.reader.interface, platform_ifname(tree, name)).search(block.text)
    if header is not None and header.groupdict().get("vrf"):
        return header["vrf"], block.line
    if tree.reader.vrf_binding is not None:
        hit = tree.child(tree.reader.vrf_binding, block)
        if hit is not None:
            return hit.groups.get("vrf"), hit.line
    return None, block.line


@lru_cache(maxsize=1 << 14)
def _header(pattern: str, ifname: str) -> re.Pattern[str]:
    """The reader's ``interface`` pattern for ``ifname``, filled and compiled once."""
    return re.compile(pattern.replace("{ifname}", re.escape(ifname)))


@dataclass(frozen=True, slots=True)
class RouteTargetImport:
    vrf: str
    route_target: str
    line: int


def vpn_imports(tree: ConfigTree) -> list[RouteTargetImport]:
    """Every route target each VPN instance imports, with its line."""
    reader = tree.reader
    if reader.vpn_instance is None or reader.vpn_import is None:
        return []
    out: list[RouteTargetImport] = []
    for block in tree.find(LineMatch(line=reader.vpn_instance)):
        vrf = block.groups.get("vrf", "")
        for hit in tree.find(reader.vpn_import, block.node):
            out += [RouteTargetImport(vrf, rt, hit.line) for rt in hit.groups.get("rts", "").split()]
    return out


def authenticated_bgp_peers(tree: ConfigTree) -> set[str]:
    """Peers of the global BGP instance with a password or keychain."""
    match = tree.reader.bgp_peer_auth
    return {h.groups.get("peer", "") for h in tree.find(match)} if match else set()


def authenticated_ldp_peers(tree: ConfigTree) -> set[str]:
    """LSR-IDs the LDP instance authenticates."""
    match = tree.reader.ldp_auth
    return {h.groups.get("peer", "") for h in tree.find(match)} if match else set()


def interface_has(tree: ConfigTree, name: str, pattern: str | None) -> bool:
    """The interface block of ``name`` has a child matching ``pattern``."""
    block = interface_block(tree, name)
    return bool(block is not None and pattern and tree.child(pattern, block))


class InterfaceFacts(NamedTuple):
    """What cross rules compare about one interface end: address, MTU, OSPF area, LDP, its block.

    The address is kept as integers (a tuple of plain values pickles and compares fast: a province
    holds ~90,000 link ends); :attr:`address` gives it back as an ``IPv4Interface``.
    """

    ip: int | None
    """The primary address as an integer; None when the interface has none (or it does not parse)."""
    prefixlen: int
    address_line: int
    mtu: int
    mtu_line: int
    area: int | None
    area_line: int
    ldp: bool
    block_line: int | None
    """The ``interface`` block's line; None when the config has no such interface."""
    routed: bool
    """OSPF area and LDP were read (cross rules ask them of routed link ends only)."""

    @classmethod
    def read(cls, tree: ConfigTree, name: str, routed: bool) -> InterfaceFacts:
        address, address_line = interface_address(tree, name)
        ip = int(address.ip) if address is not None else None
        prefixlen = address.network.prefixlen if address is not None else 0
        mtu, mtu_line = interface_mtu(tree, name)
        area, area_line = ospf_area(tree, name) if routed else (None, 0)
        block = interface_block(tree, name)
        ldp = ldp_enabled(tree, name) if routed else False
        line = block.line if block is not None else None
        return cls(ip, prefixlen, address_line, mtu, mtu_line, area, area_line, ldp, line, routed)

    @property
    def address(self) -> IPv4Interface | None:
        return IPv4Interface((self.ip, self.prefixlen)) if self.ip is not None else None

    @property
    def subnet(self) -> tuple[int, int] | None:
        """(network address, prefix length), what ``IPv4Interface.network`` compares."""
        if self.ip is None:
            return None
        host_bits = 32 - self.prefixlen
        return (self.ip >> host_bits) << host_bits, self.prefixlen


class ConfigFacts:
    """The facts cross rules compare, read once per device config.

    Read lazily from the parsed tree; :meth:`compact` keeps what was read without the tree, so a
    worker process can hand a device's facts back (and the cache keep them) instead of the tree.
    """

    __slots__ = ("_bgp", "bgp_update_source", "interfaces", "tree")

    def __init__(self, tree: ConfigTree | None, bgp_update_source: bool) -> None:
        self.tree = tree
        self.bgp_update_source = bgp_update_source
        self.interfaces: dict[str, InterfaceFacts] = {}
        self._bgp: BgpFacts | None = None

    @classmethod
    def of(cls, tree: ConfigTree) -> ConfigFacts:
        return cls(tree, tree.reader.bgp_update_source is not None)

    def interface(self, name: str, routed: bool = True) -> InterfaceFacts:
        """The facts of model interface ``name`` (read from the tree on first use; OSPF and LDP
        only when ``routed``)."""
        found = self.interfaces.get(name)
        if found is None or (routed and not found.routed):
            if self.tree is None:
                raise KeyError(f"interface {name} was not read before the tree was dropped")
            found = self.interfaces[name] = InterfaceFacts.read(self.tree, name, routed)
        return found

    @property
    def bgp(self) -> BgpFacts:
        if self._bgp is None:
            if self.tree is None:
                raise KeyError("BGP facts were not read before the tree was dropped")
            self._bgp = bgp_facts(self.tree)
        return self._bgp

    def compact(self, interfaces: list[tuple[str, bool]]) -> ConfigFacts:
        """A copy holding the BGP facts and the facts of ``interfaces`` ((name, routed) pairs),
        without the tree."""
        out = ConfigFacts(None, self.bgp_update_source)
        out._bgp = self.bgp
        out.interfaces = {name: self.interface(name, routed) for name, routed in interfaces}
        return out

    def __getstate__(self) -> tuple[bool, dict[str, InterfaceFacts], BgpFacts | None]:
        return self.bgp_update_source, self.interfaces, self._bgp

    def __setstate__(self, state: tuple[bool, dict[str, InterfaceFacts], BgpFacts | None]) -> None:
        self.tree = None
        self.bgp_update_source, self.interfaces, self._bgp = state
