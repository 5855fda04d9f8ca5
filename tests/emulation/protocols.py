"""EMULATION (not real gear): what an emulated device prints for the post-change ``display`` commands.

A test sets :class:`Protocols` on a device (``device.protocols``); the device prints it in the
shapes of the real captures under ``tests/fixtures/captures/`` (ntc-templates' test files and
the vendors' command-reference examples): Huawei ``display interface brief`` / ``ospf peer
brief`` / ``bgp peer`` / ``bgp vpnv4 all peer`` / ``mpls ldp session`` / ``vrrp brief`` / ``hrp
state``, H3C ``display interface brief`` / ``ospf peer`` / ``bgp peer ipv4|vpnv4`` / ``mpls ldp
peer`` / ``vrrp``. Nothing runs a protocol: the state is what the test says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Protocols:
    """Sessions and ports as the device would report them (state words as the vendor prints)."""

    router_id: str = "10.0.0.1"
    ospf: dict[str, str] = field(default_factory=dict)
    """Neighbour router ID -> state (``Full``, ``ExStart`` ...)."""
    bgp: dict[str, str] = field(default_factory=dict)
    """Peer address -> state (``Established``, ``Idle``, ``Connect`` ...), IPv4 unicast."""
    vpnv4: dict[str, str] = field(default_factory=dict)
    ldp: dict[str, str] = field(default_factory=dict)
    """Peer LSR ID -> session state (``Operational``, ``Initialized``)."""
    links: dict[str, str] = field(default_factory=dict)
    """Interface (vendor long name) -> ``up``, ``down`` or ``*down`` (administratively down)."""
    vrrp: list[tuple[str, int, str]] = field(default_factory=list)
    """(interface, vrid, ``Master``/``Backup``)."""
    hrp: str = ""
    """USG/NIP hot-standby role (``active``, ``standby``); empty: HRP not enabled."""


def healthy(expected: Any) -> Protocols:
    """A device showing exactly what ``expected`` (a verify ``Expectations``) asks for, plus a
    BGP peer in Idle (so a reader that took every row would be caught)."""
    return Protocols(ospf=dict.fromkeys(expected.ospf, "Full"),
                     bgp={**dict.fromkeys(expected.bgp, "Established"), "192.0.2.99": "Idle"},
                     ldp=dict.fromkeys(expected.ldp, "Operational"),
                     links=dict.fromkeys(expected.links, "up"))


def _h3c_name(name: str) -> str:
    for long, short in (
        ("Ten-GigabitEthernet", "XGE"),
        ("GigabitEthernet", "GE"),
        ("Vlan-interface", "Vlan"),
    ):
        if name.startswith(long):
            return short + name[len(long) :]
    return name


def huawei(p: Protocols, command: str) -> str | None:
    """Huawei VRP5/VRP8/USG/NIP output for ``command`` (None: not a post-change command)."""
    if command == "display interface brief":
        rows = [
            f"{n:<28}{s:<6}{'up' if s == 'up' else 'down':<10}0%     0%          0          0"
            for n, s in sorted(p.links.items())
        ]
        return (
            "\n".join(
                [
                    "PHY: Physical",
                    "*down: administratively down",
                    "^down: standby",
                    "(l): loopback",
                    "(s): spoofing",
                    "(b): BFD down",
                    "InUti/OutUti: input utility/output utility",
                    "Interface                   PHY   Protocol  InUti OutUti   inErrors  outErrors",
                    *rows,
                ]
            )
            + "\n"
        )
    if command == "display ospf peer brief":
        rows = [f" 0.0.0.0          {'Vlanif1':<33}{rid:<17}{state}" for rid, state in sorted(p.ospf.items())]
        rule = " " + "-" * 76
        return (
            "\n".join(
                [
                    f"OSPF Process 1 with Router ID {p.router_id}",
                    "                 Peer Statistic Information",
                    rule,
                    " Area Id          Interface                        Neighbor id      State",
                    *rows,
                    rule,
                ]
            )
            + "\n"
        )
    if command in ("display bgp peer", "display bgp vpnv4 all peer"):
        peers = p.bgp if command == "display bgp peer" else p.vpnv4
        rows = [
            f"  {ip:<16}4   65010       32       35     0 00:17:49 {state:>11}       0"
            for ip, state in sorted(peers.items())
        ]
        up = sum(s == "Established" for s in peers.values())
        return (
            "\n".join(
                [
                    f" BGP local router ID : {p.router_id}",
                    " local AS number : 65010",
                    f" Total number of peers : {len(peers)}",
                    f" Peers in established state : {up}",
                    "",
                    "  Peer        V    AS  MsgRcvd  MsgSent  OutQ  Up/Down       State PrefRcv",
                    *rows,
                ]
            )
            + "\n"
        )
    if command == "display mpls ldp session":
        rule = " " + "-" * 78
        rows = [
            f" {lsr + ':0':<19}{state:<12}DU   Passive  0000:01:36  387/386"
            for lsr, state in sorted(p.ldp.items())
        ]
        return (
            "\n".join(
                [
                    " LDP Session(s) in Public Network",
                    " Codes: LAM(Label Advertisement Mode), SsnAge Unit(DDDD:HH:MM)",
                    " A '*' before a session means the session is being deleted.",
                    rule,
                    " PeerID             Status      LAM  SsnRole  SsnAge      KASent/Rcv",
                    rule,
                    *rows,
                    rule,
                    f" TOTAL: {len(rows)} session(s) Found.",
                ]
            )
            + "\n"
        )
    if command == "display vrrp brief":
        rule = "-" * 64
        rows = [f"{vrid:<6}{state:<13}{intf:<25}Normal   192.0.2.{vrid}" for intf, vrid, state in p.vrrp]
        return (
            "\n".join(
                [
                    "VRID  State        Interface                Type     Virtual IP     ",
                    rule,
                    *rows,
                    rule,
                    f"Total:{len(rows)}     Master:0     Backup:0     Non-active:0",
                ]
            )
            + "\n"
        )
    if command == "display hrp state":
        if not p.hrp:
            return "Info: HRP is not enabled.\n"
        peer = "standby" if p.hrp == "active" else "active"
        return f" Role: {p.hrp}, peer: {peer}\n Running priority: 45000, peer: 45000\n"
    return None


def h3c(p: Protocols, command: str) -> str | None:
    """H3C Comware 7 / SecPath output for ``command`` (None: not a post-change command)."""
    if command == "display interface brief":
        rows = []
        for name, state in sorted(p.links.items()):
            link = {"up": "UP", "down": "DOWN", "*down": "ADM"}[state]
            rows.append(f"{_h3c_name(name):<21}{link:<5}{'UP' if link == 'UP' else 'DOWN':<9}--")
        return (
            "\n".join(
                [
                    "Brief information on interfaces in route mode:",
                    "Link: ADM - administratively down; Stby - standby",
                    "Protocol: (s) - spoofing",
                    "Interface            Link Protocol Primary IP      Description",
                    *rows,
                ]
            )
            + "\n"
        )
    if command == "display ospf peer":
        rows = [
            f" {rid:<16}10.1.0.1        1   34         {state + '/ -':<18}GE1/0/1"
            for rid, state in sorted(p.ospf.items())
        ]
        return (
            "\n".join(
                [
                    f"         OSPF Process 1 with Router ID {p.router_id}",
                    "               Neighbor Brief Information",
                    "",
                    " Area: 0.0.0.0",
                    " Router ID       Address         Pri Dead-Time  State             Interface",
                    *rows,
                ]
            )
            + "\n"
        )
    if command in ("display bgp peer ipv4", "display bgp peer vpnv4"):
        peers = p.bgp if command.endswith("ipv4") else p.vpnv4
        rows = [
            f"  {ip:<18}65010     1180     1221    0       1 08:30:47 {state}"
            for ip, state in sorted(peers.items())
        ]
        up = sum(s == "Established" for s in peers.values())
        return (
            "\n".join(
                [
                    f" BGP local router ID: {p.router_id}",
                    " Local AS number: 65010",
                    f" Total number of peers: {len(peers)}                 Peers in established state: {up}",
                    "",
                    "  * - Dynamically created peer",
                    "  Peer                    AS  MsgRcvd  MsgSent OutQ PrefRcv Up/Down  State",
                    "",
                    *rows,
                ]
            )
            + "\n"
        )
    if command == "display mpls ldp peer":
        rows = [
            f"{lsr + ':0':<24}{state:<14}Passive  Off  Off  39/39" for lsr, state in sorted(p.ldp.items())
        ]
        return (
            "\n".join(
                [
                    f"Total number of peers: {len(rows)}",
                    "Peer LDP ID             State         Role     GR   MD5  KA Sent/Rcvd",
                    *rows,
                ]
            )
            + "\n"
        )
    if command == "display vrrp":
        rows = [
            f" {_h3c_name(i):<19}{vrid:<6}{state:<13}150     100     Simple   192.0.2.{vrid}"
            for i, vrid, state in p.vrrp
        ]
        return (
            "\n".join(
                [
                    "IPv4 Virtual Router Information:",
                    " Running Mode      : Standard",
                    f" Total number of virtual routers : {len(rows)}",
                    " Interface          VRID  State        Running Adver   Auth     Virtual",
                    "                                       Pri     Timer   Type        IP",
                    " " + "-" * 69,
                    *rows,
                ]
            )
            + "\n"
        )
    return None
