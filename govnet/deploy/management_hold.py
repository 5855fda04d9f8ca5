"""The management path is never cut by a push: the lines a remediation must hold, with the reason.

Read from the device's running config with the management-path facts of :mod:`govnet.check.management`
(which ACLs guard the VTYs, the SSH server and the SNMP agent; which server lines reach AAA, NTP,
syslog and trap hosts) and the platform's management facts (``govnet/platforms/<p>/management.py``:
the management VPN, the ``service-manage`` services). A line is held when the change would remove
it (or, for the management port's VPN binding, change it) and the intended config does not put an
equivalent back:

* the management port's ``ip binding vpn-instance`` (unbound, re-bound or newly bound: a binding
  change clears the port's address, so it is made from the console);
* ``service-manage {ssh,snmp} permit`` on the management port (USG/NIP), ``service-manage ... deny``
  and ``undo service-manage enable`` there;
* a ``permit`` rule in the management port's VPN of an ACL guarding VTY/SSH/SNMP, unless the
  intended ACL permits the same source in that VPN; the whole guarding ACL;
* a HWTACACS, NTP, syslog or SNMP trap server line reaching its server through the management
  VPN, unless the intended config reaches the same server for the same service in that VPN.

The NOC prefix is the model's, which a remediation does not see: every permit in the management
VPN of a guarding ACL counts as the NOC's (the cautious reading; docs/verify.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import IPv4Network

from govnet.check import facts
from govnet.check.configtree import ConfigTree
from govnet.check.management import AclRule, ServerLine, acl_blocks, guarding_acls, server_lines
from govnet.check.rules import load_rules
from govnet.platforms import get_platform

Path = tuple[str, ...]
BINDING = "ip binding vpn-instance "


@dataclass(frozen=True, slots=True)
class ManagementHolds:
    """What a change must not send on one device: removals by (sections, removed line) and the
    management port's section (where any binding line is held)."""

    removals: Mapping[Path, str]
    port_section: str | None = None
    port: str = ""
    sent: Mapping[Path, str] | None = None
    """Positive lines held by (sections, line): ``service-manage S deny``, ``undo service-manage enable``."""
    rules: Mapping[Path, str] | None = None
    """(ACL section, ``rule N``) of a held NOC permit: another ``rule N ...`` would overwrite it."""

    def reason(self, path: Path, text: str) -> str | None:
        """Why sending ``text`` under ``path`` cuts the management path; None when it does not."""
        if text.startswith("undo "):
            why = self.removals.get((*path, text.removeprefix("undo ")))
            if why is not None:
                return why
        if self.port_section is not None and path[:1] == (self.port_section,) and text.startswith(BINDING):
            return f"it changes the VPN binding of the management port {self.port} (that clears its address)"
        words = text.split()
        if words[:1] == ["rule"] and len(words) > 1:
            why = (self.rules or {}).get((*path, f"rule {words[1]}"))
            if why is not None:
                return f"{why} (a new rule {words[1]} overwrites it)"
        return (self.sent or {}).get((*path, text))


def _tree(text: str, platform: str) -> ConfigTree:
    return ConfigTree(text, load_rules().readers[platform])


def _where(vpn: str | None) -> str:
    return f"VPN {vpn}" if vpn else "the public network"


def _network(rule: AclRule) -> IPv4Network | None:
    """The rule's source as a prefix (None for a non-contiguous wildcard)."""
    if rule.source is None:
        return IPv4Network("0.0.0.0/0")
    addr, wild = rule.source
    if wild & (wild + 1):
        return None
    return IPv4Network((addr & ~wild & 0xFFFFFFFF, 32 - wild.bit_length()))


def _permits(rules: list[AclRule], vpn: str | None, wanted: AclRule) -> bool:
    """Some rule of ``rules`` permits ``wanted``'s source in ``vpn``."""
    net = _network(wanted)
    for rule in rules:
        if not rule.permit or rule.vpn != vpn:
            continue
        if rule.source == wanted.source or (net is not None and rule.covers(net)):
            return True
    return False


def _port_holds(running: ConfigTree, port: str, services: tuple[str, ...],
                removals: dict[Path, str], sent: dict[Path, str]) -> str | None:
    """The management port's lines held whatever the intent says (made from the console)."""
    block = facts.interface_block(running, port)
    if block is None:
        return None
    for child in block.children:
        words = child.text.split()
        if child.text.startswith(BINDING):
            removals[(block.text, child.text)] = (
                f"it unbinds the management port {port} from VPN {words[-1]} (that clears its address)"
            )
        elif words[:1] == ["service-manage"] and words[1:] in ([s, "permit"] for s in services):
            removals[(block.text, child.text)] = f"it withdraws {words[1].upper()} from the management port"
    for service in services:
        sent[(block.text, f"service-manage {service} deny")] = (
            f"it denies {service.upper()} on the management port {port}"
        )
    if services:
        sent[(block.text, "undo service-manage enable")] = f"it turns access management off on {port}"
    return block.text


def _acl_holds(
    running: ConfigTree, intended: ConfigTree, vpn: str | None,
    removals: dict[Path, str], numbers: dict[Path, str],
) -> None:
    wanted = acl_blocks(intended)
    blocks = acl_blocks(running)
    for acl, bindings in guarding_acls(running).items():
        block = blocks.get(acl)
        if block is None:
            continue
        guards = "; ".join(bindings)
        kept = [r for r in (AclRule.parse(c) for c in wanted[acl].children) if r] if acl in wanted else []
        if acl not in wanted:
            removals[(block.text,)] = f"it deletes ACL {acl}, which guards {guards}"
        for child in block.children:
            rule = AclRule.parse(child)
            if rule is None or not rule.permit or rule.vpn != vpn or _permits(kept, vpn, rule):
                continue
            why = (f"it removes '{child.text}' of ACL {acl} (guards {guards}), admitting the NOC in "
                   f"{_where(vpn)}, and the change puts no such permit back")
            removals[(block.text, child.text)] = why
            if rule.number is not None:
                numbers[(block.text, f"rule {rule.number}")] = why


def _server_key(server: ServerLine) -> tuple[str, str]:
    """What a server line sets: its section and its words up to the server address (the role and
    the address: ``hwtacacs-server authentication 10.254.0.21``, ``info-center loghost 10.254.0.10``)."""
    words = server.node.text.split()
    upto = words[: words.index(str(server.address)) + 1]
    return (server.parent.text if server.parent is not None else "", " ".join(upto))


def _server_holds(running: ConfigTree, intended: ConfigTree, vpn: str, removals: dict[Path, str]) -> None:
    kept = {_server_key(s) for s in server_lines(intended) if s.vpn == vpn}
    sections = {top.text for top in intended.root.children}
    for server in server_lines(running):
        if server.vpn != vpn or _server_key(server) in kept:
            continue
        why = f"it removes the {server.service} server {server.address} reached through VPN {vpn}"
        if server.parent is None:
            removals[(server.node.text,)] = why
            continue
        removals[(server.parent.text, server.node.text)] = why
        if server.parent.text not in sections:
            removals[(server.parent.text,)] = why
        for child in server.parent.children:
            if child.text == f"vpn-instance {vpn}":  # a Comware scheme's VPN for all its servers
                removals[(server.parent.text, child.text)] = why


def management_holds(running: str, intended: str, platform: str, port: str | None) -> ManagementHolds:
    """The management-path lines of ``running`` (as the platform prints it) that a change to
    ``intended`` must not remove; ``port`` is the management port (None: not known, its own
    lines are not held, the VPN is the platform's)."""
    module = get_platform(platform).submodule("management")
    if module is None:
        return ManagementHolds({})
    have, want = _tree(running, platform), _tree(intended, platform)
    services = tuple(getattr(module, "SERVICE_MANAGE", ()))
    default_vpn = getattr(module, "MANAGEMENT_VPN", None)
    vpn: str | None = default_vpn if isinstance(default_vpn, str) else None
    removals: dict[Path, str] = {}
    sent: dict[Path, str] = {}
    numbers: dict[Path, str] = {}
    section = None
    if port is not None:
        section = _port_holds(have, port, services, removals, sent)
        block = facts.interface_block(have, port)
        if block is not None:
            bound = [c.text for c in block.children if c.text.startswith(BINDING)]
            vpn = bound[0].split()[-1] if bound else None  # what the device runs, not what it should
    _acl_holds(have, want, vpn, removals, numbers)
    if vpn is not None:
        _server_holds(have, want, vpn, removals)
    return ManagementHolds(removals, section, port or "", sent, numbers)
