"""The management path is never cut: what keeps the NOC able to reach, log in to and poll a device.

Four config checks, on govnet's renders and on configs read back from devices (``--configs``):

- ``management_port``: the management port keeps its VPN binding (VRP8 ``MEth0/0/0`` in
  ``_management_vpn_``, USG ``GigabitEthernet0/0/0`` in ``default``) and the model's address, the
  binding before the address (a binding typed after the address clears it).
- ``management_acls``: every ACL guarding the VTYs, the SSH server or the SNMP agent (``acl N
  inbound`` under ``user-interface vty`` / ``line vty``, ``ssh server acl N``, ``snmp-agent ...
  acl N``) permits the NOC prefix in the VPN the management port is in, before any deny.
- ``management_servers``: the AAA (HWTACACS), NTP, syslog and SNMP trap servers in the NOC prefix
  are reached through that VPN (``vpn-instance X`` on the command; none when the port is public).
- ``management_services``: USG/NIP ``service-manage`` on the management port permits SSH and SNMP.

The management port and the NOC prefix come from the model; the port's VPN and the command
shapes from the platform's ``management`` module (``govnet/platforms/<p>/management.py``, each
fact with its public source). Deploy uses :func:`held_reason` to keep remediation lines that
would cut the path from being sent (docs/management-path.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import cast

from govnet.check import facts
from govnet.check.configtree import ConfigLine, ConfigTree
from govnet.check.context import CheckContext, DeviceCheck, Finding
from govnet.check.rules import Rule
from govnet.model import Device, Network
from govnet.platforms import get_platform
from govnet.render.routing import mgmt_interface

PUBLIC = "the public network"


@dataclass(frozen=True, slots=True)
class ManagementPath:
    """What the NOC's path to one device is made of (from the model and the platform's facts)."""

    port: str
    address: IPv4Interface
    vpn: str | None
    """The management port's VPN instance; None: the public network."""
    noc: IPv4Network
    servers: frozenset[IPv4Address]
    """The model's AAA, NTP and syslog servers (trap hosts are the syslog host)."""
    service_manage: tuple[str, ...] = ()
    acl_view: str = "acl number {acl}"
    vpn_before_address: tuple[str, ...] = ()

    def manages(self, address: IPv4Address) -> bool:
        """Whether ``address`` is a management server (in the NOC prefix or named by the model)."""
        return address in self.noc or address in self.servers

    @property
    def where(self) -> str:
        return f"VPN {self.vpn}" if self.vpn else PUBLIC


@dataclass(frozen=True, slots=True)
class Problem:
    """One break in the management path: the config line it is at and what is wrong, fix included."""

    line: int
    message: str


def management_path(network: Network, device: Device, platform: str) -> ManagementPath:
    """The management path of ``device`` as the model and ``platform``'s management facts give it."""
    module = get_platform(platform).submodule("management")
    settings = network.settings
    servers = {settings.syslog_host, *settings.ntp_servers, *settings.hwtacacs_servers}
    vpn = getattr(module, "MANAGEMENT_VPN", None)
    return ManagementPath(
        port=mgmt_interface(device),
        address=device.mgmt_ip,
        vpn=vpn if isinstance(vpn, str) else None,
        noc=settings.noc_prefix,
        servers=frozenset(servers),
        service_manage=tuple(getattr(module, "SERVICE_MANAGE", ())),
        acl_view=str(getattr(module, "ACL_VIEW", "acl number {acl}")),
        vpn_before_address=tuple(getattr(module, "VPN_BEFORE_ADDRESS", ())),
    )


def _vpn_in(words: list[str]) -> str | None:
    """The name after ``vpn-instance`` in a command's words (None without one)."""
    at = words.index("vpn-instance") if "vpn-instance" in words else -1
    return words[at + 1] if 0 <= at < len(words) - 1 else None


def _tops(tree: ConfigTree, words: tuple[str, ...], keep: Callable[[str], bool]) -> Sequence[ConfigLine]:
    """The top-level lines whose first word is one of ``words`` and whose text ``keep`` takes, in
    config order (looked up in the root's index of first words, not read off every line)."""
    root = tree.root
    groups = [
        kept for word in words if (kept := [line for line in root.children_starting(word) if keep(line.text)])
    ]
    if len(groups) <= 1:
        return groups[0] if groups else ()
    wanted: set[ConfigLine] = set().union(*groups)  # lines hash by identity
    return list(filter(wanted.__contains__, root.children))


def _in(where: str | None) -> str:
    return f"VPN {where}" if where else PUBLIC


# ---------------------------------------------------------------- the management port


def port_problems(tree: ConfigTree, path: ManagementPath) -> list[Problem]:
    """The management port is configured, bound to its VPN (or to none) and has its address."""
    block = facts.interface_block(tree, path.port)
    if block is None:
        bind, address = _port_lines(path)
        fix = " / ".join(x for x in (f"interface {path.port}", bind, address) if x)
        return [Problem(1, f"the management port {path.port} is not configured; fix: {fix}")]
    name = block.text.split(" ", 1)[-1]
    bindings = [c for c in block.children if c.text.startswith("ip binding vpn-instance ")]
    bound = bindings[0].text.split()[-1] if bindings else None
    found: list[Problem] = []
    if bound != path.vpn:
        bind, address = _port_lines(path)
        line = bindings[0].line if bindings else block.line
        undo = f"undo ip binding vpn-instance {bound}" if bound else ""
        fix = " / ".join(x for x in (f"interface {name}", undo, bind, address) if x)
        found.append(
            Problem(
                line,
                f"the management port {name} is in {_in(bound)}, it belongs in {path.where} "
                f"(a binding change clears its address); fix: {fix}",
            )
        )
    got, line = facts.interface_address(tree, path.port)
    if got != path.address:
        bind, address = _port_lines(path)
        have = f"has {got}" if got is not None else "has no address"
        found.append(
            Problem(
                line or block.line,
                f"the management port {name} {have}, the model gives {path.address}; "
                f"fix: interface {name} / {address}",
            )
        )
    elif bindings and bound == path.vpn and bindings[0].line > line:
        bind, address = _port_lines(path)
        found.append(
            Problem(
                bindings[0].line,
                f"the management port {name} is bound to {path.where} after its address is set "
                f"(the binding clears the address); fix: interface {name} / {bind} / {address}",
            )
        )
    return found


def _port_lines(path: ManagementPath) -> tuple[str, str]:
    """The management port's binding line ("" when it is public) and address line, for fixes."""
    bind = f"ip binding vpn-instance {path.vpn}" if path.vpn else ""
    return bind, f"ip address {path.address.ip} {path.address.netmask}"


# ---------------------------------------------------------------- ACLs guarding VTY, SSH, SNMP


_GUARD_WORDS = ("user-interface", "line", "snmp-agent", "ssh", "stelnet")
"""First words of the top-level lines that may bind an ACL to the VTYs, SSH or SNMP."""


def _may_guard(text: str) -> bool:
    """A VTY block, or a command naming an ACL before its last word."""
    return (text + " ").startswith(("user-interface vty ", "line vty ")) or " acl " in text


def guarding_acls(tree: ConfigTree) -> dict[str, list[str]]:
    """ACL id -> the commands binding it to the VTYs, the SSH server or the SNMP agent."""
    bound: dict[str, list[str]] = {}
    for top in _tops(tree, _GUARD_WORDS, _may_guard):
        head = top.text.split(" ", 2)[:2]
        if head in (["user-interface", "vty"], ["line", "vty"]):
            for child in top.children:
                if not child.text.startswith("acl "):
                    continue
                cw = child.text.split()
                if len(cw) == 3 and cw[2] == "inbound":
                    bound.setdefault(cw[1], []).append(f"{top.text} / {child.text}")
        elif head[0] in ("snmp-agent", "ssh", "stelnet") and " acl " in top.text:  # before the last word
            words = top.text.split()
            if words[0] != "snmp-agent" and "server" not in words:
                continue
            acl = words[words.index("acl") + 1]
            if acl != "ipv6":
                bound.setdefault(acl, []).append(" ".join(words[: words.index("acl") + 2]))
    return bound


def acl_blocks(tree: ConfigTree) -> dict[str, ConfigLine]:
    """ACL id (number or name) -> its block (``acl number N``, ``acl basic N``, ``acl name X``)."""
    blocks: dict[str, ConfigLine] = {}
    for top in tree.root.children_starting("acl"):
        words = top.text.split()
        if len(words) < 2 or words[1] == "ipv6":
            continue
        rest = [w for w in words[1:] if w not in ("number", "basic", "advanced", "advance")]
        if rest[:1] == ["name"] and len(rest) > 1:
            blocks[rest[1]] = top
        elif rest:
            blocks[rest[0]] = top
    return blocks


@dataclass(frozen=True, slots=True)
class AclRule:
    """One ``rule`` of an ACL as the management path sees it."""

    node: ConfigLine
    number: int | None
    permit: bool
    vpn: str | None
    source: tuple[int, int] | None
    """(address, wildcard) as integers; None: any source."""

    @classmethod
    def parse(cls, node: ConfigLine) -> AclRule | None:
        words = node.text.split()
        if not words or words[0] != "rule":
            return None
        number = int(words[1]) if len(words) > 1 and words[1].isdigit() else None
        action = _action(words)
        if action is None:
            return None
        source: tuple[int, int] | None = None
        if "source" in words[:-1]:
            at = words.index("source")
            addr = facts.ipv4(words[at + 1])
            wild = words[at + 2] if at + 2 < len(words) else "0"
            if addr is not None:
                mask = 0 if wild == "0" else int(facts.ipv4(wild) or 0)
                source = (int(addr), mask)
        return cls(node, number, action == "permit", _vpn_in(words), source)

    def covers(self, noc: IPv4Network) -> bool:
        """Every address of ``noc`` matches the rule's source."""
        if self.source is None:
            return True
        addr, wild = self.source
        host = int(noc.hostmask)
        return host & ~wild == 0 and (int(noc.network_address) ^ addr) & ~wild & 0xFFFFFFFF == 0

    def touches(self, noc: IPv4Network) -> bool:
        """Some address of ``noc`` matches the rule's source."""
        if self.source is None:
            return True
        addr, wild = self.source
        return (int(noc.network_address) ^ addr) & ~wild & ~int(noc.hostmask) & 0xFFFFFFFF == 0


def _action(words: list[str]) -> str | None:
    """``permit`` or ``deny``, whichever is the rule's second or third word first (None: neither)."""
    for word in words[1:3]:
        if word in ("permit", "deny"):
            return word
    return None


def _rules(block: ConfigLine) -> list[AclRule]:
    parsed = [r for r in (AclRule.parse(c) for c in block.children) if r is not None]
    return sorted(parsed, key=lambda r: (r.number is None, r.number or 0, r.node.line))


def _permit_text(path: ManagementPath, number: int) -> str:
    vpn = f" vpn-instance {path.vpn}" if path.vpn else ""
    return f"rule {number} permit{vpn} source {path.noc.network_address} {path.noc.hostmask}"


def acl_problems(tree: ConfigTree, path: ManagementPath) -> list[Problem]:
    """Every guarding ACL permits the NOC prefix in the management port's VPN, before any deny.

    A rule with ``vpn-instance X`` matches only packets of VPN X; a permit without it is taken to
    match only the public network and a deny without it to match every network (the cautious
    reading; see docs/management-path.md)."""
    blocks = acl_blocks(tree)
    found: list[Problem] = []
    for acl, bindings in sorted(guarding_acls(tree).items()):
        guards = "; ".join(bindings)
        block = blocks.get(acl)
        if block is None:
            fix = f"{path.acl_view.format(acl=acl)} / {_permit_text(path, 5)}"
            found.append(Problem(1, f"ACL {acl} guards {guards} but is not defined; fix: {fix}"))
            continue
        rules = _rules(block)
        used = {r.number for r in rules if r.number is not None}
        wrong_vpn: AclRule | None = None
        verdict: AclRule | None = None
        for rule in rules:
            if rule.permit and rule.vpn == path.vpn and rule.covers(path.noc):
                verdict = rule
                break
            if not rule.permit and rule.vpn in (None, path.vpn) and rule.touches(path.noc):
                verdict = rule
                break
            if rule.permit and wrong_vpn is None and rule.covers(path.noc):
                wrong_vpn = rule
        if verdict is not None and verdict.permit:
            continue
        if wrong_vpn is not None and wrong_vpn.number is not None:
            n = wrong_vpn.number
            fix = f"{block.text} / undo rule {n} / {_permit_text(path, n)}"
            message = (
                f"ACL {acl} (guards {guards}) permits the NOC prefix {path.noc} in "
                f"{_in(wrong_vpn.vpn)} ('{wrong_vpn.node.text}'), but the management port "
                f"{path.port} is in {path.where}; fix: {fix}"
            )
            found.append(Problem(wrong_vpn.node.line, message))
            continue
        before = verdict.number if verdict is not None and verdict.number is not None else 1 << 16
        candidates = [*(n for n in range(5, before, 5)), *range(1, before), 0]
        free = next((n for n in candidates if n not in used and n < before), None)
        if free is None and verdict is not None:  # no free number before the deny: renumber it
            deny = verdict.node.text.split(" ", 2)[-1]
            moved = f"rule {max(used) + 5} {deny}"
            fix = f"{block.text} / undo rule {before} / {_permit_text(path, before)} / {moved}"
        else:
            fix = f"{block.text} / {_permit_text(path, 5 if free is None else free)}"
        what = f"'{verdict.node.text}' denies it first" if verdict is not None else "no rule permits it"
        message = (
            f"ACL {acl} (guards {guards}) does not permit the NOC prefix {path.noc} in {path.where} "
            f"(the management port {path.port}'s): {what}; fix: {fix}"
        )
        found.append(Problem((verdict.node if verdict is not None else block).line, message))
    return found


# ---------------------------------------------------------------- AAA, NTP, syslog, SNMP trap servers


@dataclass(frozen=True, slots=True)
class ServerLine:
    """A command naming a management server: what it serves, where it is and its enclosing block."""

    node: ConfigLine
    service: str
    address: IPv4Address
    vpn: str | None
    parent: ConfigLine | None


_TOP_SERVERS = {
    ("info-center", "loghost"): "syslog",
    ("ntp", "unicast-server"): "NTP",
    ("ntp-service", "unicast-server"): "NTP",
    ("snmp-agent", "target-host"): "SNMP trap",
}
"""The first two words of a top-level server command -> the service it names."""

_SERVER_HEADS = (
    *(f"{first} {second} " for first, second in _TOP_SERVERS),
    "hwtacacs-server template ",
    "hwtacacs scheme ",
)
"""How the top-level lines that name a server or hold AAA servers start (two words and a space)."""

_SERVER_WORDS = tuple(dict.fromkeys(head.split(" ", 1)[0] for head in _SERVER_HEADS))
"""Their first words."""

_AAA_ROLES = ("authentication", "authorization", "accounting")


def _may_serve(text: str) -> bool:
    """A top-level line that may name a server or hold AAA servers (``text`` starts with a head)."""
    return (text + " ").startswith(_SERVER_HEADS)


def _first_address(words: list[str], skip: int) -> IPv4Address | None:
    """The first of ``words[skip:]`` that is an IPv4 address (None: none is)."""
    for word in words[skip:]:
        address = facts.ipv4(word)
        if address is not None:
            return address
    return None


_ServerCommand = tuple[ConfigLine, str, IPv4Address, str | None, ConfigLine | None]
"""A :class:`ServerLine`'s fields, in order (what the checks read before a finding needs one)."""


def server_lines(tree: ConfigTree) -> Iterator[ServerLine]:
    """Every syslog, NTP, SNMP trap and HWTACACS server command, with the VPN it reaches it in.

    A Comware ``hwtacacs scheme`` may name its VPN once for all its servers (``vpn-instance X``)."""
    return (ServerLine(*command) for command in _server_commands(tree))


def _server_commands(tree: ConfigTree) -> Iterator[_ServerCommand]:
    """:func:`server_lines`, each as the tuple of its fields."""
    for top in _tops(tree, _SERVER_WORDS, _may_serve):
        head = top.text.split(" ", 2)[:2]
        service = _TOP_SERVERS.get((head[0], head[1])) if len(head) > 1 else None
        if service is not None:
            words = top.text.split()
            address = _first_address(words, 2) if words[2:3] != ["source"] else None
            if address is not None:
                yield top, service, address, _vpn_in(words), None
        elif head in (["hwtacacs-server", "template"], ["hwtacacs", "scheme"]):
            scheme_vpn = next(
                (c.text.split()[1] for c in top.children if c.text.startswith("vpn-instance ")), None
            )
            for child in top.children:
                cw = child.text.split()
                if (cw[:1] == ["hwtacacs-server"] or cw[:1] in (["primary"], ["secondary"])) and (
                    len(cw) > 2 and cw[1] in _AAA_ROLES
                ):
                    address = _first_address(cw, 2)
                    if address is not None:
                        yield child, "AAA", address, _vpn_in(cw) or scheme_vpn, top


def _fixed_server(line: ServerLine, path: ManagementPath) -> str:
    """The server command reaching its server through the management port's VPN."""
    words = line.node.text.split()
    kept: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word == "vpn-instance":
            skip = True
        elif word != "public-net":
            kept.append(word)
    if path.vpn is None:
        return " ".join(kept)
    at = kept.index(str(line.address))
    before = any(line.node.text.startswith(p) for p in path.vpn_before_address)
    at = at if before else at + 1
    return " ".join([*kept[:at], "vpn-instance", path.vpn, *kept[at:]])


def server_problems(tree: ConfigTree, path: ManagementPath) -> list[Problem]:
    """Each server in the NOC prefix (or named by the model) is reached in the management VPN."""
    found: list[Problem] = []
    for command in _server_commands(tree):
        _, _, address, vpn, _ = command
        if vpn == path.vpn or not path.manages(address):
            continue
        line = ServerLine(*command)
        words = line.node.text.split()
        undo = " ".join(words[: words.index(str(line.address)) + 1])
        if (
            line.vpn
            and "vpn-instance" in words
            and words.index("vpn-instance") > words.index(str(line.address))
        ):
            undo += f" vpn-instance {line.vpn}"
        steps = [line.parent.text] if line.parent is not None else []
        steps += [f"undo {undo}", _fixed_server(line, path)]
        message = (
            f"{line.service} server {line.address} ('{line.node.text}') is reached in {_in(line.vpn)}, "
            f"but the management port {path.port} is in {path.where}; fix: {' / '.join(steps)}"
        )
        found.append(Problem(line.node.line, message))
    return found


# ---------------------------------------------------------------- USG/NIP service-manage


def service_problems(tree: ConfigTree, path: ManagementPath) -> list[Problem]:
    """``service-manage`` on the management port permits every service the platform needs."""
    if not path.service_manage:
        return []
    block = facts.interface_block(tree, path.port)
    if block is None:
        return []  # the missing port is management_port's finding
    name = block.text.split(" ", 1)[-1]
    texts = {c.text for c in block.children}
    found: list[Problem] = []
    if "undo service-manage enable" in texts:
        line = next(c.line for c in block.children if c.text == "undo service-manage enable")
        found.append(
            Problem(
                line,
                f"interface access management is off on the management port {name}; "
                f"fix: interface {name} / service-manage enable",
            )
        )
    for service in path.service_manage:
        if f"service-manage {service} permit" not in texts:
            found.append(
                Problem(
                    block.line,
                    f"the management port {name} does not permit {service.upper()} "
                    f"(service-manage); fix: interface {name} / service-manage {service} permit",
                )
            )
    return found


# ---------------------------------------------------------------- deploy: lines never sent


def held_reason(path: ManagementPath, running: ConfigTree, parents: tuple[str, ...], line: str) -> str | None:
    """Why a line deploy would send (``line`` under ``parents``) cuts the management path, None if
    it does not. ``running`` is the device's config before the push.

    Held: unbinding or re-binding the management port's VPN, removing or changing its address,
    shutting it down, withdrawing its ``service-manage`` permits; removing a guarding ACL's rule
    that permits the NOC prefix in the management VPN, or the ACL itself; removing a server line
    that reaches a management server through the management VPN."""
    words = line.split()
    undo = words[:1] == ["undo"]
    body = words[1:] if undo else words
    port = facts.interface_block(running, path.port)
    if parents and port is not None and parents[0] == port.text:
        if body[:3] == ["ip", "binding", "vpn-instance"] or (undo and body[:2] == ["ip", "address"]):
            return f"it changes the VPN binding or address of the management port {path.port}"
        if body[:2] == ["ip", "address"] and not undo and body[2:3] != [str(path.address.ip)]:
            return f"it readdresses the management port {path.port}"
        if body == ["shutdown"] and not undo:
            return f"it shuts the management port {path.port} down"
        withdrawn = undo or body[2:3] == ["deny"]
        if body[:1] == ["service-manage"] and body[1:2] and body[1] in path.service_manage and withdrawn:
            return f"it withdraws {body[1].upper()} from the management port {path.port}"
        return None
    guarding = guarding_acls(running)
    blocks = acl_blocks(running)
    for acl in guarding:
        block = blocks.get(acl)
        if block is None:
            continue
        if not parents and undo and line.split()[1:] == block.text.split():
            return f"it deletes ACL {acl}, which guards the management access"
        if parents and parents[0] == block.text and undo and body[:1] == ["rule"] and body[1:2]:
            for rule in _rules(block):
                noc_permit = rule.permit and rule.vpn == path.vpn and rule.covers(path.noc)
                if str(rule.number) == body[1] and noc_permit:
                    return f"it removes the NOC permit '{rule.node.text}' of ACL {acl}"
    if undo:
        for server in server_lines(running):
            if server.vpn != path.vpn or not path.manages(server.address):
                continue
            block_text = server.parent.text if server.parent is not None else None
            same_block = parents[:1] == ((block_text,) if block_text else ())
            if same_block and body[:2] == server.node.text.split()[:2] and str(server.address) in body:
                return f"it removes the {server.service} server {server.address} reached through {path.where}"
    return None


# ---------------------------------------------------------------- the checks


def _findings(rule: Rule, ctx: CheckContext, device: Device, problems: list[Problem]) -> list[Finding]:
    return [
        ctx.finding(rule, device.name, ctx.config_location(device.name, p.line), p.message) for p in problems
    ]


def _path(ctx: CheckContext, device: Device) -> ManagementPath:
    """The device's management path, built once per run (``ctx.memo``: three checks ask)."""
    platform = ctx.platform_of(device)
    key = ("management_path", device.name, platform)
    path = ctx.memo.get(key)
    if path is None:
        path = ctx.memo[key] = management_path(ctx.network, device, platform)
    return cast(ManagementPath, path)


def management_port(rule: Rule, ctx: CheckContext, device: Device, tree: ConfigTree) -> list[Finding]:
    """The management port keeps its VPN binding and the model's address."""
    return _findings(rule, ctx, device, port_problems(tree, _path(ctx, device)))


def management_acls(rule: Rule, ctx: CheckContext, device: Device, tree: ConfigTree) -> list[Finding]:
    """Every ACL guarding VTY, SSH and SNMP permits the NOC prefix in the management VPN."""
    return _findings(rule, ctx, device, acl_problems(tree, _path(ctx, device)))


def management_servers(rule: Rule, ctx: CheckContext, device: Device, tree: ConfigTree) -> list[Finding]:
    """AAA, NTP, syslog and SNMP trap servers are reached through the management VPN."""
    return _findings(rule, ctx, device, server_problems(tree, _path(ctx, device)))


def management_services(rule: Rule, ctx: CheckContext, device: Device, tree: ConfigTree) -> list[Finding]:
    """USG/NIP ``service-manage`` on the management port permits SSH and SNMP."""
    return _findings(rule, ctx, device, service_problems(tree, _path(ctx, device)))


def path_problems(tree: ConfigTree, path: ManagementPath) -> list[Problem]:
    """Every break of the management path in one config (what deploy refuses to push)."""
    return [
        *port_problems(tree, path),
        *acl_problems(tree, path),
        *server_problems(tree, path),
        *service_problems(tree, path),
    ]


CHECKS: dict[str, DeviceCheck] = {
    "management_port": management_port,
    "management_acls": management_acls,
    "management_servers": management_servers,
    "management_services": management_services,
}
"""The config checks this module adds (composed with the other families in ``govnet.check.engine``)."""
