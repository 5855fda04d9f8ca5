"""Linux hosts (servers; appliances in the twin): kernel interface naming, the one table.

Lab platforms (FRR, nftables) name interfaces as the kernel does; inventory names are vendor
names, so one abbreviation table maps them:

>>> kernel_ifname("GigabitEthernet0/0/1")
'ge0-0-1'
>>> kernel_ifname("XGigabitEthernet0/0/12")
'xge0-0-12'
>>> kernel_ifname("Ten-GigabitEthernet1/0/25")
'te1-0-25'
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

from govnet.platforms.base import HaTable, Platform

IFNAMSIZ = 15
"""The kernel's interface name limit (16 bytes with the terminating NUL)."""
MGMT_IFNAME = "mgmt0"
"""The management interface of every lab namespace (and FRR/nftables platforms)."""

IFNAME_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("Ten-GigabitEthernet", "te"),
    ("XGigabitEthernet", "xge"),
    ("GigabitEthernet", "ge"),
    ("FortyGigE", "fge"),
    ("HundredGigE", "hge"),
    ("100GE", "hge"),
    ("40GE", "fge"),
    ("25GE", "twe"),
    ("10GE", "xge"),
    ("GE", "ge"),
    ("Eth-Trunk", "et"),
    ("Bridge-Aggregation", "ba"),
    ("Route-Aggregation", "ra"),
    ("Ethernet", "eth"),
    ("Vlan-interface", "vl"),
    ("Vlanif", "vl"),
)
"""Vendor interface-name prefix -> kernel abbreviation, longest prefixes first."""


def kernel_ifname(name: str) -> str:
    """Abbreviate an inventory interface name to a kernel name (<= 15 chars, no '/')."""
    short = name
    for prefix, abbr in IFNAME_ABBREVIATIONS:
        if name.startswith(prefix):
            short = abbr + name[len(prefix) :]
            break
    short = re.sub(r"[/:\s]+", "-", short).lower()
    short = re.sub(r"[^a-z0-9.\-_]", "", short)
    if 0 < len(short) <= IFNAMSIZ:
        return short
    digest = hashlib.sha1(name.encode()).hexdigest()[:6]
    return f"{short[: IFNAMSIZ - 7]}-{digest}"


def ifname_map(names: Iterable[str]) -> dict[str, str]:
    """Map each inventory name of one device to a unique kernel name."""
    mapping: dict[str, str] = {}
    used: set[str] = {"lo", MGMT_IFNAME}
    for name in names:
        kname = kernel_ifname(name)
        if kname in used:
            digest = hashlib.sha1(name.encode()).hexdigest()[:6]
            kname = f"{kname[: IFNAMSIZ - 7]}-{digest}"
        used.add(kname)
        mapping[name] = kname
    return mapping


KEEPALIVED_VRRP_OIDS = {
    "vrrpOperState": "1.3.6.1.2.1.68.1.3.1.3",
    "vrrpv3OperationsStatus": "1.3.6.1.2.1.207.1.1.1.1.6",
}
"""keepalived's SNMP subagent on Linux hosts (VRRP-MIB and VRRPv3-MIB over AgentX)."""
KEEPALIVED_HA_TABLES = (
    HaTable("vrrpOperState", KEEPALIVED_VRRP_OIDS["vrrpOperState"], "vrrp", instance=-1),
    HaTable("vrrpv3OperationsStatus", KEEPALIVED_VRRP_OIDS["vrrpv3OperationsStatus"], "vrrp", instance=-2),
)
"""keepalived's HA state: VRRP-MIB rows ifIndex.vrid, VRRPv3-MIB rows ifIndex.vrid.version
(master(3) in both); a killed keepalived takes its rows with it."""

LAB_FAULT_TABLE = "govnet_fault"
"""The nftables table the twin's fault injection owns (packet loss): not device config."""


def route_line(route: Mapping[str, object]) -> str:
    """One ``ip -j route`` entry as ``PREFIX via HOP`` / ``PREFIX nexthop via A nexthop via B``.

    >>> route_line({"dst": "default", "gateway": "10.0.0.1"})
    '0.0.0.0/0 via 10.0.0.1'
    >>> route_line({"dst": "10.64.0.0/11",
    ...             "nexthops": [{"gateway": "10.8.0.201"}, {"gateway": "10.8.0.197"}]})
    '10.64.0.0/11 nexthop via 10.8.0.197 nexthop via 10.8.0.201'
    """
    dst = str(route.get("dst", ""))
    prefix = "0.0.0.0/0" if dst == "default" else dst if "/" in dst else f"{dst}/32"
    hops = route.get("nexthops")
    if isinstance(hops, list) and hops:
        gateways = sorted((str(h.get("gateway", "")) for h in hops if isinstance(h, dict)),
                          key=_address_key)
        return f"{prefix} " + " ".join(f"nexthop via {g}" for g in gateways)
    return f"{prefix} via {route.get('gateway', '')}"


def _address_key(address: str) -> tuple[int, ...]:
    return tuple(int(p) for p in address.split(".") if p.isdigit())


AGENTX_SOCKET = "tcp:127.0.0.1:705"
"""The AgentX master (the namespace's own snmpd) where FRR's and keepalived's SNMP subagents
register their MIBs, in every namespace of the twin."""
EDGE_DRIVER = "linux_edge:LinuxEdgeDriver"
"""The deploy driver of the twin's Linux edge namespaces (nftables, keepalived, routes)."""

PLATFORM = Platform(
    print_style="plain",
    name="linux",
    vendor="linux",
    os_family="linux",
    netmiko="linux",
    renders=False,
    ifname_style="kernel",
    vendor_oids=KEEPALIVED_VRRP_OIDS,
    ha_tables=KEEPALIVED_HA_TABLES,
    driver=EDGE_DRIVER,
    change_model="immediate",
    confirm_window_s=120,
    linux_edge=True,
)
"""Servers; in the twin also the IPS, load balancer and VPN gateway. ``renders=False``: no vendor
template, so govnet pushes to a ``linux`` device only in the twin (``govnet.render.linux_edge``)."""
