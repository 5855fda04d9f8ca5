"""What a Huawei VRP5 S-series switch shows after a change, from its printed ``display`` output.

Parsed with TextFSM: ntc-templates' ``huawei_vrp`` templates where it has the command
(``display bgp peer``, ``display interface brief``), govnet's own in ``textfsm/`` for the rest.
The parsing helpers here are shared by every Huawei and H3C platform's ``observe`` module.

A line the device prints instead of a table (``Info: ...``, ``Error: ...``, ``Warning: ...``:
the feature is not configured, the command is not there) contributes nothing; a table line no
template knows raises ValueError naming the command (an unknown shape is never "nothing up").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from io import StringIO

import textfsm

from govnet.platforms.base import Observed

INTERFACE_BRIEF = "display interface brief"
OSPF_PEER_BRIEF = "display ospf peer brief"
BGP_PEER = "display bgp peer"
BGP_VPNV4_PEER = "display bgp vpnv4 all peer"
LDP_SESSION = "display mpls ldp session"
VRRP_BRIEF = "display vrrp brief"
HRP_STATE = "display hrp state"

VERIFY_COMMANDS: tuple[str, ...] = (
    INTERFACE_BRIEF, OSPF_PEER_BRIEF, BGP_PEER, BGP_VPNV4_PEER, LDP_SESSION, VRRP_BRIEF,
)

_NOTICE = re.compile(r"^\s*(?:(?:Info|Error|Warning):|%\s)", re.M)
_LEGEND = re.compile(r"^\s*(?:\([A-Za-z]+\)|[*^#]?down|PHY|InUti/OutUti):\s")
"""The legend above ``display interface brief``; it differs by release (VRP8 adds ``(p)``,
``(ld)`` ...), so it is dropped before ntc-templates' table rules see the text."""
_SUFFIX = re.compile(r"\([A-Za-z0-9]+\)$")
"""A marker after a port name in ``display interface brief`` (``GigabitEthernet15/1/0(10G)``,
``GigabitEthernet0/0/5(v)``), not part of the name."""

Rows = list[dict[str, str]]


def rows(template: str, text: str, command: str) -> Rows:
    """The rows TextFSM reads from ``text`` with ``template`` (a template's text); a printed
    notice instead of a table gives none; a line the template does not know is a ValueError."""
    if _NOTICE.search(text):
        return []
    try:
        fsm = textfsm.TextFSM(StringIO(template))
        found = fsm.ParseTextToDicts(text)
    except (textfsm.TextFSMError, textfsm.TextFSMTemplateError) as err:
        raise ValueError(f"{command!r}: unexpected reply: {err}") from None
    return [{str(k): str(v) for k, v in row.items()} for row in found]


def own_template(package: str, name: str) -> str:
    """govnet's own template ``textfsm/<name>.textfsm`` in ``package``."""
    return resources.files(package).joinpath("textfsm", f"{name}.textfsm").read_text(encoding="utf-8")


def ntc_template(name: str) -> str:
    """ntc-templates' template ``<name>.textfsm`` (installed with netmiko)."""
    path = resources.files("ntc_templates").joinpath("templates", f"{name}.textfsm")
    return path.read_text(encoding="utf-8")


Reader = Callable[[str, str], Observed]
"""What one command's output adds: ``reader(text, command) -> Observed``."""


def observe_with(readers: Mapping[str, Reader], outputs: Mapping[str, str]) -> Observed:
    """The union of what each command's reader finds in its output; absent commands add nothing."""
    seen = Observed()
    for command, reader in readers.items():
        if command in outputs:
            seen = union(seen, reader(outputs[command], command))
    return seen


def union(a: Observed, b: Observed) -> Observed:
    return Observed(a.ospf | b.ospf, a.bgp | b.bgp, a.links | b.links, a.tables | b.tables,
                    a.vrrp | b.vrrp, a.ldp | b.ldp)


def port_name(printed: str) -> str:
    """The interface name without the marker ``display interface brief`` appends."""
    return _SUFFIX.sub("", printed.strip())


def _established(found: Iterable[dict[str, str]]) -> frozenset[str]:
    return frozenset(r["PEER"] for r in found if r["STATE"] == "Established")


def interfaces_up(text: str, command: str) -> Observed:
    """Interfaces whose physical and protocol state are both up (``up(s)``, ``up(l)`` count;
    ``*down`` administratively down and ``^down`` standby do not)."""
    kept = "\n".join(line for line in text.splitlines() if not _LEGEND.match(line))
    found = rows(ntc_template("huawei_vrp_display_interface_brief"), kept, command)
    return Observed(links=frozenset(port_name(r["INTERFACE"]) for r in found
                                    if r["PHY"].startswith("up") and r["PROTOCOL"].startswith("up")))


def ospf_full(text: str, command: str) -> Observed:
    """Neighbour router IDs in Full (``display ospf peer brief``)."""
    found = rows(own_template(__package__, "display_ospf_peer_brief"), text, command)
    return Observed(ospf=frozenset(r["NEIGHBOR_ID"] for r in found if r["STATE"] == "Full"))


def bgp_established(text: str, command: str) -> Observed:
    """IPv4 unicast peers Established (``display bgp peer``, ntc-templates)."""
    return Observed(bgp=_established(rows(ntc_template("huawei_vrp_display_bgp_peer"), text, command)))


def vpnv4_established(text: str, command: str) -> Observed:
    """VPNv4 peers and VPN-instance peers Established (``display bgp vpnv4 all peer``)."""
    found = rows(own_template(__package__, "display_bgp_vpnv4_all_peer"), text, command)
    return Observed(bgp=_established(found))


def ldp_operational(text: str, command: str) -> Observed:
    """LDP peers (LSR IDs) whose session is Operational and not being deleted."""
    found = rows(own_template(__package__, "display_mpls_ldp_session"), text, command)
    return Observed(ldp=frozenset(r["PEER_ID"] for r in found
                                  if r["STATUS"] == "Operational" and not r["DELETING"]))


def vrrp_roles(text: str, command: str) -> Observed:
    """``interface/vrid role`` for each VRRP group (``Vlanif10/10 master``)."""
    found = rows(own_template(__package__, "display_vrrp_brief"), text, command)
    return Observed(vrrp=frozenset(f"{r['INTERFACE']}/{r['VRID']} {r['STATE'].lower()}" for r in found))


def hrp_role(text: str, command: str) -> Observed:
    """``hrp <role>``: the firewall's own hot-standby role (active, standby), when HRP runs."""
    found = rows(own_template(__package__, "display_hrp_state"), text, command)
    return Observed(vrrp=frozenset(f"hrp {r['ROLE'].lower()}" for r in found if r["ROLE"]))


READERS: dict[str, Reader] = {
    INTERFACE_BRIEF: interfaces_up, OSPF_PEER_BRIEF: ospf_full, BGP_PEER: bgp_established,
    BGP_VPNV4_PEER: vpnv4_established, LDP_SESSION: ldp_operational, VRRP_BRIEF: vrrp_roles,
    HRP_STATE: hrp_role,
}


def observe(outputs: Mapping[str, str]) -> Observed:
    """OSPF neighbours Full, BGP and VPNv4 peers Established, LDP sessions Operational,
    interfaces up and VRRP roles, from what each of :data:`VERIFY_COMMANDS` printed."""
    return observe_with({c: READERS[c] for c in VERIFY_COMMANDS}, outputs)
