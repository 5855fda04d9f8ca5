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

_new = object.__new__
_NETMASKS = [IPv4Network._make_netmask(n) for n in range(33)]  # type: ignore[attr-defined]
"""``(netmask, prefixlen)`` by prefix length: the pairs the constructor itself caches and uses."""


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
    return address_at(int(pool.network_address) + slot)


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
    return subnet_at(int(pool.network_address) + slot * size, prefixlen)


class AddressSlots:
    """``pool``'s addresses by slot, as ints: :func:`nth_address` with the pool's numbers worked out
    once, for a caller that takes many slots of one pool.

    >>> AddressSlots(IPv4Network("10.0.0.0/29"), "mgmt").nth(5, "x")
    167772165
    """

    __slots__ = ("base", "end", "pool", "pool_name")

    def __init__(self, pool: IPv4Network, pool_name: str) -> None:
        self.pool = pool
        self.pool_name = pool_name
        self.base = int(pool.network_address)
        self.end = pool_size(pool) - 1

    def nth(self, slot: int, needed_by: str) -> int:
        """``int(nth_address(pool, slot, ...))``: the same address, or the same error."""
        if 1 <= slot < self.end:
            return self.base + slot
        return int(nth_address(self.pool, slot, pool_name=self.pool_name, needed_by=needed_by))


class SubnetSlots:
    """``pool`` cut into ``/prefixlen`` subnets: :func:`nth_subnet` with the pool's numbers worked
    out once, for a caller that takes many slots of one pool.

    >>> p2p = SubnetSlots(IPv4Network("10.8.0.0/29"), 30, "p2p")
    >>> p2p.nth(1, "x")
    IPv4Network('10.8.0.4/30')
    >>> p2p.count  # slot 2 and above: nth_subnet's PoolExhaustedError
    2
    """

    __slots__ = ("base", "count", "first_host", "pool", "pool_name", "prefixlen", "size")

    def __init__(self, pool: IPv4Network, prefixlen: int, pool_name: str) -> None:
        self.pool = pool
        self.prefixlen = prefixlen
        self.pool_name = pool_name
        self.size = 1 << (32 - prefixlen)
        self.base = int(pool.network_address)
        self.count = pool_size(pool) // self.size if prefixlen >= pool.prefixlen else 0
        self.first_host = 0 if prefixlen == 31 else 1  # as p2p_ends

    def nth(self, slot: int, needed_by: str) -> IPv4Network:
        """``nth_subnet(pool, prefixlen, slot, ...)``: the same subnet, or the same error."""
        if 0 <= slot < self.count:
            return subnet_at(self.base + slot * self.size, self.prefixlen)
        return nth_subnet(self.pool, self.prefixlen, slot, pool_name=self.pool_name, needed_by=needed_by)

    def ends(self, slot: int, needed_by: str) -> tuple[IPv4Network, IPv4Interface, IPv4Interface]:
        """The ``slot``-th subnet and :func:`p2p_ends` of it.

        >>> SubnetSlots(IPv4Network("10.8.0.0/29"), 30, "p2p").ends(1, "x")[1:]
        (IPv4Interface('10.8.0.5/30'), IPv4Interface('10.8.0.6/30'))
        """
        subnet = self.nth(slot, needed_by)
        first = self.base + slot * self.size + self.first_host
        return subnet, interface_in(subnet, first), interface_in(subnet, first + 1)


def address_at(value: int) -> IPv4Address:
    """``IPv4Address(value)`` for a ``value`` known to be in 0..2**32-1 (not checked again)."""
    address = _new(IPv4Address)
    address._ip = value  # type: ignore[attr-defined]  # as IPv4Address.__init__
    return address


def subnet_at(first: int, prefixlen: int) -> IPv4Network:
    """``IPv4Network((first, prefixlen))`` for a ``first`` known to be a valid network address of
    that length: the constructor's attributes without parsing and checking it again (a province
    builds ~90,000 subnets). /31 and /32, which get a ``hosts`` of their own, take the constructor.
    """
    if prefixlen >= 31:
        return IPv4Network((first, prefixlen))
    network = _new(IPv4Network)
    network.network_address = address_at(first)
    network.netmask, network._prefixlen = _NETMASKS[prefixlen]  # type: ignore[attr-defined]
    return network


def interface_in(subnet: IPv4Network, address: int) -> IPv4Interface:
    """``IPv4Interface((address, subnet.prefixlen))`` for an ``address`` of ``subnet``, whose
    network is ``subnet`` itself: the constructor's attributes, without building the subnet again
    (a province holds ~150,000 interfaces)."""
    interface = _new(IPv4Interface)
    interface._ip = address  # type: ignore[attr-defined]  # as IPv4Interface.__init__
    interface.network = subnet
    interface.netmask = subnet.netmask
    interface._prefixlen = subnet._prefixlen  # type: ignore[attr-defined]
    return interface


def dotted(value: int) -> str:
    """``str(IPv4Address(value))`` without the address object.

    >>> dotted(0x0A080014)
    '10.8.0.20'
    """
    return f"{value >> 24}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"


def p2p_ends(subnet: IPv4Network) -> tuple[IPv4Interface, IPv4Interface]:
    """The two host addresses of a /30 or /31 point-to-point subnet (lower end first)."""
    first = int(subnet.network_address)
    if subnet._prefixlen != 31:  # type: ignore[attr-defined]
        first += 1
    return interface_in(subnet, first), interface_in(subnet, first + 1)
