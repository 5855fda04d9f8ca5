"""The deterministic address plan: every address is a slot keyed by ids, never by list position.

Each district owns a fixed block of every underlay pool, and each device or link a fixed slot in
that block, computed from the district id, subdistrict id, site id, core id or edge id. Adding or
removing a site therefore never renumbers anything else.

>>> from ipaddress import IPv4Network
>>> Slots.loopback_access(district=1, subdistrict=2, site=3)
163
>>> nth_subnet(IPv4Network("10.8.0.0/13"), 30, 5, pool_name="p2p", needed_by="x")
IPv4Network('10.8.0.20/30')
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from govnet.errors import PoolExhaustedError

SUBDISTRICTS_PER_DISTRICT = 16
"""Stride: subdistrict ids 1..16 per district (a named default; the province assigns more)."""
SITES_PER_SUBDISTRICT = 32
"""Stride: access-site ids 1..32 per subdistrict (communities and department sites)."""
EDGE_IDS = 48
"""Edge device ids and edge link ids 1..48 per district."""
DEVICE_SLOTS_PER_DISTRICT = 1024
"""Loopback and management addresses per district."""
LINK_SLOTS_PER_DISTRICT = 1024
"""Point-to-point subnets per district."""


class Slots:
    """Slot numbers inside a pool, keyed by ids (see module docstring)."""

    @staticmethod
    def _device_base(district: int) -> int:
        return (district - 1) * DEVICE_SLOTS_PER_DISTRICT

    @classmethod
    def loopback_core(cls, district: int, core: int) -> int:
        return cls._device_base(district) + 8 + core

    @classmethod
    def loopback_edge(cls, district: int, edge: int) -> int:
        return cls._device_base(district) + 16 + edge

    @classmethod
    def loopback_aggregation(cls, district: int, subdistrict: int) -> int:
        return cls._device_base(district) + 64 + subdistrict

    @classmethod
    def loopback_access(cls, district: int, subdistrict: int, site: int) -> int:
        return cls._device_base(district) + 128 + (subdistrict - 1) * SITES_PER_SUBDISTRICT + site

    @staticmethod
    def _link_base(district: int) -> int:
        return (district - 1) * LINK_SLOTS_PER_DISTRICT

    @classmethod
    def link_core_core(cls, district: int) -> int:
        return cls._link_base(district) + 1

    @classmethod
    def link_core_aggregation(cls, district: int, subdistrict: int, core: int) -> int:
        return cls._link_base(district) + 8 + (subdistrict - 1) * 2 + core

    @classmethod
    def link_edge(cls, district: int, edge_link: int) -> int:
        return cls._link_base(district) + 48 + edge_link

    @classmethod
    def link_access(cls, district: int, subdistrict: int, site: int) -> int:
        return cls._link_base(district) + 128 + (subdistrict - 1) * SITES_PER_SUBDISTRICT + site

    @staticmethod
    def site(district: int, subdistrict: int, site: int) -> int:
        """Global slot of an access site, for per-zone site prefixes and attachments."""
        per_district = SUBDISTRICTS_PER_DISTRICT * SITES_PER_SUBDISTRICT
        return (district - 1) * per_district + (subdistrict - 1) * SITES_PER_SUBDISTRICT + site


def pool_size(pool: IPv4Network) -> int:
    """``pool.num_addresses`` from the prefix length (no broadcast address object built)."""
    return 1 << (32 - pool.prefixlen)


def nth_address(pool: IPv4Network, slot: int, *, pool_name: str, needed_by: str) -> IPv4Address:
    """The address at offset ``slot`` in ``pool``; a PoolExhaustedError when it does not fit."""
    if slot < 1 or slot >= pool_size(pool) - 1:
        raise PoolExhaustedError(
            f"pool {pool_name} ({pool}) has no address at slot {slot}, needed by {needed_by}",
            key=f"pools.{pool_name}",
            hint=f"enlarge pool {pool_name} or lower the ids of {needed_by}",
        )
    return IPv4Address(int(pool.network_address) + slot)


def nth_subnet(
    pool: IPv4Network, prefixlen: int, slot: int, *, pool_name: str, needed_by: str
) -> IPv4Network:
    """The ``slot``-th subnet of length ``prefixlen`` in ``pool``."""
    size = 1 << (32 - prefixlen)
    if prefixlen < pool.prefixlen or slot < 0 or (slot + 1) * size > pool_size(pool):
        raise PoolExhaustedError(
            f"pool {pool_name} ({pool}) has no /{prefixlen} at slot {slot}, needed by {needed_by}",
            key=f"pools.{pool_name}",
            hint=f"enlarge pool {pool_name} or lower the ids of {needed_by}",
        )
    return IPv4Network((int(pool.network_address) + slot * size, prefixlen))


def interface_in(subnet: IPv4Network, address: int) -> IPv4Interface:
    """``IPv4Interface((address, subnet.prefixlen))`` for an ``address`` of ``subnet``, whose
    network is ``subnet`` itself: the constructor's attributes, without building the subnet again
    (a province holds ~150,000 interfaces)."""
    interface = IPv4Interface.__new__(IPv4Interface)
    IPv4Address.__init__(interface, address)
    interface.network = subnet
    interface.netmask = subnet.netmask
    interface._prefixlen = subnet.prefixlen  # type: ignore[attr-defined]  # as IPv4Interface.__init__
    return interface


def p2p_ends(subnet: IPv4Network) -> tuple[IPv4Interface, IPv4Interface]:
    """The two host addresses of a /30 or /31 point-to-point subnet (lower end first)."""
    base = int(subnet.network_address)
    first = base if subnet.prefixlen == 31 else base + 1
    return interface_in(subnet, first), interface_in(subnet, first + 1)
