"""Level-3 hardening checks that need the model: routing-session authentication, uRPF, firewall policy."""

from __future__ import annotations

from dataclasses import dataclass

from govnet.check import facts
from govnet.check.configtree import ConfigLine, ConfigTree
from govnet.check.context import CheckContext, Finding
from govnet.check.rules import LineMatch, Rule
from govnet.model import Device


def bgp_peer_auth(rule: Rule, ctx: CheckContext, device: Device, tree: ConfigTree) -> list[Finding]:
    """Every peer of the global BGP instance has a password or keychain."""
    bgp = facts.bgp_facts(tree)
    if bgp.asn is None:
        return []  # a router without BGP is GN-X-204's finding
    secured = facts.authenticated_bgp_peers(tree)
    found: list[Finding] = []
    for address, peer in sorted(bgp.peers.items()):
        if address in secured:
            continue
        owner = ctx.loopback_owner(address)
        who = f" ({owner})" if owner else ""
        fix = tree.reader.bgp_auth_fix.format(asn=bgp.asn, peer=address)
        message = f"BGP peer {address}{who} is not authenticated; fix: {fix}"
        found.append(ctx.finding(rule, device.name, ctx.config_location(device.name, peer.line), message))
    return found


def ldp_peer_auth(rule: Rule, ctx: CheckContext, device: Device, tree: ConfigTree) -> list[Finding]:
    """Every LDP neighbour (the far end of an interface running LDP) is authenticated by its LSR-ID."""
    if not tree.reader.ldp_auth_fix:
        return []
    secured = facts.authenticated_ldp_peers(tree)
    found: list[Finding] = []
    seen: set[str] = set()
    for intf in device.interfaces:
        peer = ctx.network.devices.get(intf.peer)
        if not intf.ldp or peer is None or peer.loopback is None or not facts.ldp_enabled(tree, intf.name):
            continue
        lsr_id = str(peer.loopback.ip)
        if lsr_id in secured or lsr_id in seen:
            continue
        seen.add(lsr_id)
        block = facts.interface_block(tree, intf.name)
        where = ctx.config_location(device.name, block.line if block else 1)
        fix = tree.reader.ldp_auth_fix.format(peer=lsr_id)
        session = f"the LDP session with {peer.name} (LSR-ID {lsr_id}, via {intf.name})"
        message = f"{session} is not authenticated; fix: {fix}"
        found.append(ctx.finding(rule, device.name, where, message))
    return found


def pe_ce_urpf(rule: Rule, ctx: CheckContext, device: Device, tree: ConfigTree) -> list[Finding]:
    """Every interface the model binds to a zone VPN checks source addresses (uRPF)."""
    found: list[Finding] = []
    for intf in device.interfaces:
        if intf.vrf is None:
            continue
        block = facts.interface_block(tree, intf.name)
        if block is None or facts.interface_has(tree, intf.name, tree.reader.urpf):
            continue  # an absent interface is GN-CFG-130's finding
        ifname = facts.platform_ifname(tree, intf.name)
        fix = tree.reader.urpf_fix.format(ifname=ifname)
        message = f"{ifname} (zone VPN {intf.vrf}, toward {intf.peer}) has no uRPF check; fix: {fix}"
        found.append(ctx.finding(rule, device.name, ctx.config_location(device.name, block.line), message))
    return found


# ---------------------------------------------------------------- USG security policy

_CONDITIONS = (
    "source-zone",
    "destination-zone",
    "source-address",
    "destination-address",
    "service",
    "application",
)


@dataclass(frozen=True, slots=True)
class PolicyRuleMatch:
    """One ``security-policy`` rule as the hardening checks match it: action, conditions, logging."""

    name: str
    line: int
    action: str
    conditions: dict[str, list[str]]
    logged: bool

    @property
    def catch_all(self) -> bool:
        return not any(self.conditions.get(c) for c in _CONDITIONS)

    @property
    def any_to_any(self) -> bool:
        return not self.conditions.get("source-address") and not self.conditions.get("destination-address")


def policy_rules(tree: ConfigTree) -> tuple[list[PolicyRuleMatch], ConfigLine | None]:
    """The ``security-policy`` rules in order, and the ``security-policy`` block."""
    hit = tree.child("^security-policy$")
    if hit is None:
        return [], None
    rules: list[PolicyRuleMatch] = []
    for node in hit.node.children:
        if not node.text.startswith("rule name "):
            continue
        conditions: dict[str, list[str]] = {}
        action, logged = "", False
        for child in node.children:
            word, _, rest = child.text.partition(" ")
            if word == "action":
                action = rest.split()[0] if rest else ""
            elif child.text == "policy logging":
                logged = True
            elif word in _CONDITIONS:
                conditions.setdefault(word, []).append(rest)
        name = node.text.removeprefix("rule name ")
        rules.append(PolicyRuleMatch(name, node.line, action, conditions, logged))
    return rules, hit.node


def firewall_policy(rule: Rule, ctx: CheckContext, device: Device, tree: ConfigTree) -> list[Finding]:
    """Deny-all last, no any-to-any permit, every permit logged, management traffic in local-zone rules."""
    rules, block = policy_rules(tree)
    where = ctx.config_location(device.name, block.line if block else 1)

    def at(line: int, message: str) -> Finding:
        return ctx.finding(rule, device.name, ctx.config_location(device.name, line), message)

    found: list[Finding] = []
    if block is None:
        return [
            ctx.finding(
                rule, device.name, where, "there is no security policy; fix: security-policy / rule name ... "
            )
        ]
    default_permit = tree.first(LineMatch(parent=("^security-policy$",), line="^default action permit$"))
    if default_permit is not None:
        found.append(
            at(
                default_permit.line,
                "the default action permits everything; fix: security-policy / default action deny",
            )
        )
    deny_all = [i for i, r in enumerate(rules) if r.catch_all and r.action == "deny"]
    if not deny_all:
        ctx.defaults.setdefault((rule.id, device.name), []).append(
            "the USG denies what no rule permits by default"
        )
    else:
        last = rules[deny_all[0]].name
        for later in rules[deny_all[0] + 1 :]:
            found.append(
                at(
                    later.line,
                    f"rule {later.name} comes after the deny-all rule {last} and never matches; "
                    f"fix: security-policy / rule move {later.name} before {last}",
                )
            )
    for r in rules:
        if r.action != "permit":
            continue
        if r.any_to_any:
            found.append(
                at(
                    r.line,
                    f"rule {r.name} permits any source to any destination; "
                    f"fix: security-policy / rule name {r.name} / source-address <prefix> mask <mask>",
                )
            )
        if not r.logged:
            found.append(
                at(
                    r.line,
                    f"rule {r.name} permits without logging; "
                    f"fix: security-policy / rule name {r.name} / policy logging",
                )
            )
    active = rules[: deny_all[0]] if deny_all else rules
    inbound = any(
        r.action == "permit" and "local" in r.conditions.get("destination-zone", []) for r in active
    )
    outbound = any(r.action == "permit" and "local" in r.conditions.get("source-zone", []) for r in active)
    if not inbound:
        found.append(ctx.finding(rule, device.name, where, _NO_INBOUND))
    if not outbound:
        found.append(ctx.finding(rule, device.name, where, _NO_OUTBOUND))
    return found


_NO_INBOUND = (
    "no rule lets the NOC reach the firewall itself (SSH, SNMP) before the deny; fix: security-policy / "
    "rule name noc-to-firewall-management / source-zone trust / destination-zone local / "
    "source-address <NOC prefix> / policy logging / action permit"
)
_NO_OUTBOUND = (
    "no rule lets the firewall send syslog, traps, NTP and HWTACACS to the NOC before the deny; "
    "fix: security-policy / rule name firewall-to-noc-services / source-zone local / "
    "destination-zone trust / destination-address <NOC prefix> / policy logging / action permit"
)
