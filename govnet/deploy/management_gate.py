"""A push whose intended config cuts the management path is refused before anything is sent.

The rules are the spec's management-path checks (:mod:`govnet.check.management`): the management
port keeps its VPN binding and address, the ACLs guarding VTY/SSH/SNMP admit the NOC in that VPN,
AAA/NTP/syslog/trap servers are reached through it, ``service-manage`` admits SSH and SNMP. Only
platforms whose package declares its management facts (``management.py``) are judged.
"""

from __future__ import annotations

from collections.abc import Mapping

from govnet.check.configtree import ConfigParseError, ConfigTree
from govnet.check.management import management_path, path_problems
from govnet.check.rules import load_rules
from govnet.model import Network
from govnet.platforms import get_platform


def management_refusals(network: Network, configs: Mapping[str, str], *, lab: bool) -> dict[str, str]:
    """{device: why its intended config is refused} for every config that breaks its management
    path (each problem's message, with its fix, joined by ``; ``)."""
    readers = load_rules().readers
    refused: dict[str, str] = {}
    for name, text in configs.items():
        device = network.devices[name]
        platform = device.platform_for(lab=lab)
        if get_platform(platform).submodule("management") is None or platform not in readers:
            continue
        try:
            tree = ConfigTree(text, readers[platform])
        except ConfigParseError as exc:
            refused[name] = f"intended config does not parse: {exc}"
            continue
        problems = path_problems(tree, management_path(network, device, platform))
        if problems:
            refused[name] = "intended config cuts the management path: " + "; ".join(
                p.message for p in problems)
    return refused
