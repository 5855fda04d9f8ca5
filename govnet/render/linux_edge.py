"""The lab twin's Linux edge devices as one config text: nftables ruleset, keepalived.conf, routes.

A firewall (``nftables`` lab platform), IPS, load balancer, VPN gateway or VRRP server (``linux``)
of the twin runs three things govnet configures, each rendered from the model here and nowhere
else: its nftables ruleset (``templates/nftables/<role>.j2``), keepalived's config (from the same
``vrrp_facts`` the vendor templates render) where it is in a VRRP group, and its global static
routes (``facts.static_routes``) on the routed edge roles. :func:`edge_config` joins them into
one text in sections (``#@ nftables``, ``#@ keepalived``, ``#@ routes``): what ``lab up
--provisioned`` loads and what the deploy driver pushes.

>>> split_sections("#@ routes\\n10.0.0.0/8 via 10.1.1.1\\n")
{'routes': '10.0.0.0/8 via 10.1.1.1\\n'}
"""

from __future__ import annotations

from collections import defaultdict
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

from govnet.credentials import Credentials
from govnet.model import Device, Network
from govnet.platforms import get_platform
from govnet.platforms.linux import AGENTX_SOCKET, ifname_map
from govnet.render.context import NetworkIndex
from govnet.render.engine import Renderer, default_templates_dir
from govnet.render.redundancy import VRRP_ADVERT_S, vrrp_facts

SECTION_MARK = "#@ "
SECTIONS = ("nftables", "keepalived", "routes")
RULESET_ROLES = ("firewall", "ips", "load_balancer")
"""Edge roles whose namespace runs a rendered nftables ruleset."""
ROUTED_ROLES = ("ips", "load_balancer", "vpn_gateway")
"""Edge roles whose global static routes the twin installs."""


def is_linux_edge(device: Device) -> bool:
    """A twin device the Linux edge driver configures: a ruleset, routes or VRRP to push."""
    if not get_platform(device.lab_platform).linux_edge:
        return False
    return device.role in (*RULESET_ROLES, *ROUTED_ROLES, "server")


def driven(network: Network, name: str) -> bool:
    """:func:`is_linux_edge`, and for a server only when it is in a VRRP group (the DC pair)."""
    dev = network.devices[name]
    if not is_linux_edge(dev):
        return False
    return dev.role != "server" or bool(vrrp_facts(network, dev))


def ruleset(network: Network, name: str, templates_dir: Path | None = None) -> str:
    """The nftables ruleset of a firewall, IPS or load balancer, rendered from the model."""
    renderer = Renderer(network, lab=True, templates_dir=templates_dir or default_templates_dir(),
                        credentials=Credentials())
    dev = network.devices[name]
    return renderer.env.get_template(f"nftables/{dev.role}.j2").render(**renderer.context(dev))


def route_lines(network: Network, name: str) -> list[str]:
    """The device's global static routes as ``PREFIX via HOP`` or ``PREFIX nexthop via A nexthop
    via B`` (ECMP), shortest prefix first: the words ``ip route replace`` takes."""
    facts = NetworkIndex.build(network).facts(network.devices[name])
    hops: dict[IPv4Network, list[IPv4Address]] = defaultdict(list)
    for route in facts.static_routes:
        if route.vrf is None and route.next_hop not in hops[route.prefix]:
            hops[route.prefix].append(route.next_hop)
    lines = []
    for prefix, via in sorted(hops.items(), key=lambda kv: (kv[0].prefixlen, kv[0])):
        if len(via) == 1:
            lines.append(f"{prefix} via {via[0]}")
        else:
            lines.append(f"{prefix} " + " ".join(f"nexthop via {h}" for h in sorted(via)))
    return lines


def keepalived_config(network: Network, name: str, *, instances: bool = True) -> str:
    """keepalived.conf: SNMP on, and (``instances``) the device's VRRP groups with kernel names.

    One ``vrrp_instance`` per group, the active member at the higher priority, a device's groups
    in one ``vrrp_sync_group`` (they move together, as VGMP moves them on a USG), the device's other
    segment ports tracked (its own port keepalived tracks by itself; listing it is a config-test
    error). ``instances=False`` is the blank twin's config: the daemon up, no group.
    """
    dev = network.devices[name]
    ifnames = ifname_map(i.name for i in dev.interfaces)
    facts = vrrp_facts(network, dev) if instances else ()
    tracked = sorted({ifnames[f.interface] for f in facts})
    lines = [
        f"# {name}: VRRP of the hot-standby pair, from the inventory's segments (govnet lab)",
        "global_defs {",
        f"    router_id {name}",
        "    enable_snmp_vrrp",
        "    enable_snmp_rfcv2",
        "    enable_snmp_rfcv3",
        f"    snmp_socket {AGENTX_SOCKET}",
        "    vrrp_garp_master_delay 1",
        "}",
    ]
    if len(facts) > 1:
        lines += ["", f"vrrp_sync_group {name} {{", "    group {",
                  *(f"        vrid{f.vrid}" for f in facts), "    }", "}"]
    for fact in facts:
        ifname = ifnames[fact.interface]
        lines += [
            "",
            f"vrrp_instance vrid{fact.vrid} {{",
            f"    state {'MASTER' if fact.active else 'BACKUP'}",
            f"    interface {ifname}",
            f"    virtual_router_id {fact.vrid}",
            f"    priority {fact.priority}",
            f"    advert_int {VRRP_ADVERT_S}",
            "    virtual_ipaddress {",
            f"        {fact.virtual_ip}/{fact.prefixlen} dev {ifname}",
            "    }",
        ]
        others = [t for t in tracked if t != ifname]  # keepalived tracks its own port anyway
        if others:
            lines += ["    track_interface {", *(f"        {t}" for t in others), "    }"]
        lines.append("}")
    return "\n".join(lines) + "\n"


def has_vrrp(network: Network, name: str) -> bool:
    return bool(vrrp_facts(network, network.devices[name]))


def vrids(network: Network, name: str) -> frozenset[int]:
    """The VRRP groups ``name`` is a member of."""
    return frozenset(f.vrid for f in vrrp_facts(network, network.devices[name]))


def ruleset_tables(text: str) -> frozenset[str]:
    """``family name`` of every table a ruleset defines (``table inet govnet_fw {``)."""
    found = set()
    for line in text.splitlines():
        words = line.split()
        if len(words) == 4 and words[0] == "table" and words[3] == "{":
            found.add(f"{words[1]} {words[2]}")
    return frozenset(found)


def edge_config(network: Network, name: str, templates_dir: Path | None = None) -> str:
    """The device's whole intended config: its sections, in :data:`SECTIONS` order."""
    dev = network.devices[name]
    parts: dict[str, str] = {}
    parts["nftables"] = ruleset(network, name, templates_dir) if dev.role in RULESET_ROLES else ""
    if has_vrrp(network, name):
        parts["keepalived"] = keepalived_config(network, name)
    if dev.role in ROUTED_ROLES:
        routes = route_lines(network, name)
        parts["routes"] = "".join(f"{line}\n" for line in routes)
    header = f"# {name}: lab edge config (govnet), sections {' '.join(parts)}\n"
    return header + join_sections(parts)


def join_sections(parts: dict[str, str]) -> str:
    """Sections as text: a ``#@ name`` line, then the section's lines."""
    out = []
    for key in SECTIONS:
        if key in parts:
            body = parts[key]
            out.append(f"{SECTION_MARK}{key}\n{body}{'' if not body or body.endswith(chr(10)) else chr(10)}")
    return "".join(out)


def split_sections(text: str) -> dict[str, str]:
    """The sections of an edge config (text before the first mark is its header, dropped).

    Raises ValueError on an unknown or repeated section."""
    parts: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines(keepends=True):
        if line.startswith(SECTION_MARK):
            key = line[len(SECTION_MARK):].strip()
            if key not in SECTIONS or key in parts:
                raise ValueError(f"unknown or repeated section {key!r}")
            current = parts[key] = []
        elif current is not None:
            current.append(line)
    return {k: "".join(v) for k, v in parts.items()}
