"""The Jinja filters every govnet template may use (:data:`FILTERS`)."""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Any

from govnet.inventory.ipam import dotted
from govnet.platforms.linux import kernel_ifname


def ip_mask(value: IPv4Interface | IPv4Network) -> str:
    """``10.0.0.1 255.255.255.252`` from an interface or network.

    >>> ip_mask(IPv4Interface("10.0.0.1/30")), ip_mask(IPv4Network("10.0.0.0/24"))
    ('10.0.0.1 255.255.255.252', '10.0.0.0 255.255.255.0')
    """
    if isinstance(value, IPv4Interface):  # from integers: a province renders tens of thousands
        return f"{dotted(int(value))} {_netmask(value.network.prefixlen)}"
    return f"{value.network_address} {value.netmask}"


@lru_cache(maxsize=33)
def _netmask(prefixlen: int) -> str:
    return str(IPv4Network(f"0.0.0.0/{prefixlen}").netmask)


@lru_cache(maxsize=1 << 16)
def wildcard(value: IPv4Interface | IPv4Network) -> str:
    """Network and wildcard mask, as OSPF ``network`` and basic ACL rules want them.

    >>> wildcard(IPv4Network("10.254.0.0/24"))
    '10.254.0.0 0.0.0.255'
    """
    net = value.network if isinstance(value, IPv4Interface) else value
    return f"{net.network_address} {net.hostmask}"


@lru_cache(maxsize=1024)
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
