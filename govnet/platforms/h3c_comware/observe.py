"""What an H3C Comware 7 switch shows after a change, from its printed ``display`` output.

ntc-templates' ``hp_comware`` templates read ``display interface brief`` and ``display bgp peer
ipv4`` (and ``display bgp peer vpnv4``, the same table); govnet's own in ``textfsm/`` read
``display ospf peer``, ``display mpls ldp peer`` and ``display vrrp`` (shapes from the H3C
command references; see docs/verify.md). Comware prints short port names (``GE1/0/1``,
``XGE1/0/1``): they are compared to the model's through the platform's interface aliases.
"""

from __future__ import annotations

from collections.abc import Mapping

from govnet.platforms.base import Observed
from govnet.platforms.huawei_vrp.observe import Reader, ntc_template, observe_with, own_template, rows

INTERFACE_BRIEF = "display interface brief"
OSPF_PEER = "display ospf peer"
BGP_PEER_IPV4 = "display bgp peer ipv4"
BGP_PEER_VPNV4 = "display bgp peer vpnv4"
LDP_PEER = "display mpls ldp peer"
VRRP = "display vrrp"

VERIFY_COMMANDS: tuple[str, ...] = (INTERFACE_BRIEF, OSPF_PEER, BGP_PEER_IPV4, BGP_PEER_VPNV4, LDP_PEER, VRRP)


def interfaces_up(text: str, command: str) -> Observed:
    """Route-mode interfaces with Link and Protocol UP (``UP(s)`` counts), bridge-mode ports with
    Link UP (they print no protocol); ``ADM`` (administratively down) and ``Stby`` do not."""
    found = rows(ntc_template("hp_comware_display_interface_brief"), text, command)
    return Observed(links=frozenset(r["INTERFACE"] for r in found if r["LINK"] == "UP"
                                    and (not r["PROTOCOL"] or r["PROTOCOL"].startswith("UP"))))


def ospf_full(text: str, command: str) -> Observed:
    """Neighbour router IDs in a Full state (``Full/DR``, ``Full/BDR``, ``Full/ -``)."""
    found = rows(own_template(__package__, "display_ospf_peer"), text, command)
    return Observed(ospf=frozenset(r["ROUTER_ID"] for r in found if r["STATE"].startswith("Full/")))


def bgp_established(text: str, command: str) -> Observed:
    """Peers Established (``display bgp peer ipv4`` / ``vpnv4``, ntc-templates)."""
    found = rows(ntc_template("hp_comware_display_bgp_peer_ipv4"), text, command)
    return Observed(bgp=frozenset(r["PEER"] for r in found if r["STATE"] == "Established"))


def ldp_operational(text: str, command: str) -> Observed:
    """LDP peers (LSR IDs) whose session is Operational."""
    found = rows(own_template(__package__, "display_mpls_ldp_peer"), text, command)
    return Observed(ldp=frozenset(r["PEER_ID"] for r in found if r["STATE"] == "Operational"))


def vrrp_roles(text: str, command: str) -> Observed:
    """``interface/vrid role`` for each VRRP group (``Vlan1/1 master``)."""
    found = rows(own_template(__package__, "display_vrrp"), text, command)
    return Observed(vrrp=frozenset(f"{r['INTERFACE']}/{r['VRID']} {r['STATE'].lower()}" for r in found))


READERS: dict[str, Reader] = {
    INTERFACE_BRIEF: interfaces_up, OSPF_PEER: ospf_full, BGP_PEER_IPV4: bgp_established,
    BGP_PEER_VPNV4: bgp_established, LDP_PEER: ldp_operational, VRRP: vrrp_roles,
}


def observe(outputs: Mapping[str, str]) -> Observed:
    """OSPF Full, BGP/VPNv4 Established, LDP Operational, interfaces up, VRRP roles."""
    return observe_with({c: READERS[c] for c in VERIFY_COMMANDS}, outputs)
