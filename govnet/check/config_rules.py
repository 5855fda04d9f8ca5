"""Config rules: the per-platform line checks of rules.yaml, and the core-link OSPF/LDP checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network

from govnet.check import facts, hardening, zones
from govnet.check.configtree import ConfigLine, ConfigTree
from govnet.check.context import CheckContext, DeviceCheck, Finding
from govnet.check.rules import ConfigCheck, LineMatch, Rule
from govnet.model import Device

Problem = tuple[int, str]  # (config line, message)


def _match(check: ConfigCheck) -> LineMatch:
    assert check.match is not None  # validated by ConfigCheck for every op but "any"
    return check.match


def _say(check: ConfigCheck, groups: dict[str, str] | None = None, **values: object) -> str:
    """The check's message and its fix, both with the op's values (and the named groups of the
    matched line and its parents) filled in; the spec's loader made sure they name no other."""
    filled = {**(groups or {}), **values}
    message = check.say.format_map(filled)
    return f"{message}; fix: {check.fix.format_map(filled)}" if check.fix else message


def _shown(match: LineMatch) -> str:
    return match.name or "the required line"


class Outcome:
    """The problems a check found and the platform defaults it relied on."""

    __slots__ = ("defaults", "problems")

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.defaults: list[str] = []


def _require(rule: Rule, check: ConfigCheck, tree: ConfigTree, out: Outcome) -> None:
    if tree.find(_match(check)):
        return
    if check.default:
        out.defaults.append(check.default)
        return
    out.problems.append((1, _say(check)))


def _forbid(rule: Rule, check: ConfigCheck, tree: ConfigTree, out: Outcome) -> None:
    out.problems += [(h.line, _say(check, h.groups, text=h.node.text)) for h in tree.find(_match(check))]


def _has(tree: ConfigTree, block: ConfigLine, match: LineMatch) -> bool:
    return bool(tree.find(match, block))


def _each(rule: Rule, check: ConfigCheck, tree: ConfigTree, out: Outcome) -> None:
    for hit in tree.find(_match(check)):
        missing = [_shown(m) for m in check.children if not _has(tree, hit.node, m)]
        present = [h for m in check.forbid_children for h in tree.find(m, hit.node)]
        if missing:
            shown = ", ".join(missing)
            out.problems.append((hit.line, _say(check, hit.groups, text=hit.node.text, missing=shown)))
        out.problems += [(h.line, _say(check, hit.groups, text=h.node.text, missing="")) for h in present]


def _count(rule: Rule, check: ConfigCheck, tree: ConfigTree, out: Outcome) -> None:
    assert check.bound is not None
    hits = tree.find(_match(check))
    found = len({h.groups.get("key", h.node.text) for h in hits})
    low, high = rule.limit(check.bound.min), rule.limit(check.bound.max)
    line = hits[-1].line if hits else 1
    if low is not None and found < low:
        out.problems.append((line, _say(check, problem=f"only {found} of at least {low}")))
    elif high is not None and found > high:
        out.problems.append((line, _say(check, problem=f"{found}, more than {high}")))


def _number(groups: dict[str, str], scale: dict[str, str]) -> Fraction:
    return sum((_fraction(groups[g]) * _fraction(f) for g, f in scale.items() if g in groups), Fraction(0))


@lru_cache(maxsize=4096)
def _fraction(text: str) -> Fraction:
    """``Fraction(text)``, parsed once per text (configs repeat their timers and limits)."""
    return Fraction(text)


def _out_of_bounds(rule: Rule, check: ConfigCheck, value: Fraction, shown: str) -> str | None:
    assert check.bound is not None
    low, high = rule.limit(check.bound.min), rule.limit(check.bound.max)
    number = f"{float(value):g}"
    if low is not None and value < low:
        return f"is {number} ({shown}), below {low}"
    if high is not None and value > high:
        return f"is {number} ({shown}), above {high}"
    return None


def _value_in(
    rule: Rule, check: ConfigCheck, tree: ConfigTree, block: ConfigLine | None, out: Outcome
) -> None:
    hits = tree.find(_match(check), block)
    where = block.line if block is not None else 1
    prefix = f"in '{block.text}': " if block is not None else ""
    if not hits:
        if check.default_groups:
            problem = _out_of_bounds(rule, check, _number(check.default_groups, check.scale), check.default)
            if problem is None:
                out.defaults.append(check.default)
            else:
                out.problems.append(
                    (where, prefix + _say(check, problem=f"left at the default, which {problem}"))
                )
            return
        out.problems.append((where, prefix + _say(check, problem="not configured")))
        return
    for hit in hits:
        problem = _out_of_bounds(rule, check, _number(hit.groups, check.scale), f"'{hit.node.text}'")
        if problem is not None:
            out.problems.append((hit.line, prefix + _say(check, problem=problem)))


def _value(rule: Rule, check: ConfigCheck, tree: ConfigTree, out: Outcome) -> None:
    if check.within is None:
        _value_in(rule, check, tree, None, out)
        return
    for hit in tree.find(check.within):
        _value_in(rule, check, tree, hit.node, out)


def _any(rule: Rule, check: ConfigCheck, tree: ConfigTree, out: Outcome) -> None:
    outcomes = []
    for alternative in check.any_of:
        one = Outcome()
        OPS[alternative.op](rule, alternative, tree, one)
        if not one.problems:
            out.defaults += one.defaults
            return
        outcomes.append(one)
    out.problems += outcomes[0].problems


OPS: dict[str, Callable[[Rule, ConfigCheck, ConfigTree, Outcome], None]] = {
    "any": _any,
    "require": _require,
    "forbid": _forbid,
    "each": _each,
    "count": _count,
    "value": _value,
}


def check_lines(rule: Rule, ctx: CheckContext, device: Device, tree: ConfigTree) -> list[Finding]:
    """Run the rule's checks for the device's platform on its config tree."""
    out = Outcome()
    for check in rule.match[ctx.platform_of(device)]:
        OPS[check.op](rule, check, tree, out)
    if out.defaults:
        ctx.defaults[(rule.id, device.name)] = out.defaults
    return [
        ctx.finding(rule, device.name, ctx.config_location(device.name, line), message)
        for line, message in out.problems
    ]


def _core_interfaces(rule: Rule, ctx: CheckContext, device: Device) -> list[tuple[str, str, int]]:
    """(interface, link id, OSPF area) of the device's core links."""
    kinds = rule.param_list("link_kinds", ["core-core", "core-aggregation"])
    links = {lk.id: lk for lk in ctx.links_of(device.name)}
    out: list[tuple[str, str, int]] = []
    for intf in device.interfaces:
        link = links.get(intf.link_id)
        if link is not None and link.kind in kinds and intf.vlan is None:
            out.append((intf.name, link.id, link.ospf_area))
    return out


def core_link_ospf(rule: Rule, ctx: CheckContext, device: Device, tree: ConfigTree) -> list[Finding]:
    """Every core-link interface runs OSPF in its link's area."""
    found: list[Finding] = []
    for name, link_id, area in _core_interfaces(rule, ctx, device):
        got, line = facts.ospf_area(tree, name)
        block = facts.interface_block(tree, name)
        where = ctx.config_location(device.name, line or (block.line if block else 1))
        if block is None:
            found.append(
                ctx.finding(
                    rule, device.name, where, f"core link {link_id}: interface {name} is not configured"
                )
            )
        elif got is None:
            found.append(
                ctx.finding(rule, device.name, where, f"core link {link_id}: {name} does not run OSPF")
            )
        elif got != area:
            found.append(
                ctx.finding(
                    rule,
                    device.name,
                    where,
                    f"core link {link_id}: {name} is in OSPF area {got}, the link is in area {area}",
                )
            )
    return found


def core_link_ldp(rule: Rule, ctx: CheckContext, device: Device, tree: ConfigTree) -> list[Finding]:
    """Every core-link interface has MPLS LDP enabled."""
    found: list[Finding] = []
    for name, link_id, _ in _core_interfaces(rule, ctx, device):
        block = facts.interface_block(tree, name)
        where = ctx.config_location(device.name, block.line if block else 1)
        missing = facts.ldp_missing(tree, name)
        if block is None:
            found.append(
                ctx.finding(
                    rule, device.name, where, f"core link {link_id}: interface {name} is not configured"
                )
            )
        elif missing:
            found.append(
                ctx.finding(
                    rule, device.name, where, f"core link {link_id}: {name} lacks LDP ({'; '.join(missing)})"
                )
            )
    return found


_ACL_BINDINGS = (
    r"^acl (ipv6 )?(?P<acl>\d+) inbound$",  # under user-interface vty / line vty
    r"^ssh server acl (?P<acl>\d+)$",
)
_ACL_RULE = re.compile(r"^rule( \d+)? permit(?P<rest>.*)$")
_ACL_SOURCE = re.compile(r"\bsource (?P<addr>\d+\.\d+\.\d+\.\d+) (?P<wild>\d+\.\d+\.\d+\.\d+|0)\b")


@lru_cache(maxsize=1 << 12)
def _permitted_source(rest: str) -> IPv4Network | None:
    """The source a permit rule admits; None for 'any' (no source, 'any', a non-contiguous
    wildcard, or an address or wildcard that is none: nothing shows it stays inside).

    The wildcard is a wildcard, never a netmask: ``0`` and ``0.0.0.0`` are one host,
    ``255.255.255.255`` is everything.

    >>> _permitted_source(" source 10.254.0.7 0"), _permitted_source(" source 0.0.0.0 255.255.255.255")
    (IPv4Network('10.254.0.7/32'), IPv4Network('0.0.0.0/0'))
    >>> _permitted_source(" source 10.254.0.7 999.0.0.0"), _permitted_source(" source 10.254.0.999 0")
    (None, None)
    """
    found = _ACL_SOURCE.search(rest)
    if found is None:
        return None
    wild = facts.ipv4(found["wild"]) if found["wild"] != "0" else IPv4Address(0)
    if wild is None:
        return None
    wildcard = int(wild)
    host_bits = wildcard.bit_length()
    if wildcard != (1 << host_bits) - 1:  # not contiguous: it admits scattered addresses
        return None
    try:
        return IPv4Network(f"{found['addr']}/{32 - host_bits}", strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=1 << 12)
def _admitted_outside(rest: str, noc: IPv4Network) -> str | None:
    """What a permit rule admits outside ``noc`` ("any source" or its source prefix); None when
    its source lies inside (worked out once per rule text: devices repeat their NOC hosts)."""
    source = _permitted_source(rest)
    if source is None:
        return "any source"
    return None if source.subnet_of(noc) else str(source)


@lru_cache(maxsize=1 << 10)
def _matcher(line: str, anywhere: bool = False) -> LineMatch:
    """A LineMatch built once per pattern (pydantic validates each one it builds)."""
    return LineMatch(line=line, anywhere=anywhere)


def mgmt_acl_sources(rule: Rule, ctx: CheckContext, device: Device, tree: ConfigTree) -> list[Finding]:
    """Every ACL that guards the VTYs or the SSH server permits only sources inside the NOC prefix."""
    noc = ctx.network.settings.noc_prefix
    bound = {
        hit.groups["acl"]
        for pattern in _ACL_BINDINGS
        for hit in tree.find(_matcher(pattern, anywhere=True))
    }
    found: list[Finding] = []
    for number in sorted(bound):
        block = tree.first(_matcher(rf"^acl (number|basic) {number}$"))
        if block is None:
            where = ctx.config_location(device.name, 1)
            found.append(
                ctx.finding(rule, device.name, where, f"management ACL {number} is bound but not defined")
            )
            continue
        for child in block.node.children:
            permit = _ACL_RULE.match(child.text)
            if permit is None:
                continue
            admits = _admitted_outside(permit["rest"], noc)
            if admits is not None:
                where = ctx.config_location(device.name, child.line)
                message = f"ACL {number} '{child.text}' admits {admits}, outside the NOC prefix {noc}"
                found.append(ctx.finding(rule, device.name, where, message))
    return found


CHECKS: dict[str, DeviceCheck] = {
    "lines": check_lines,
    "bgp_peer_auth": hardening.bgp_peer_auth,
    "ldp_peer_auth": hardening.ldp_peer_auth,
    "pe_ce_urpf": hardening.pe_ce_urpf,
    "firewall_policy": hardening.firewall_policy,
    "zone_route_targets": zones.zone_route_targets,
    "zone_bindings": zones.zone_bindings,
    "mgmt_acl_sources": mgmt_acl_sources,
    "core_link_ospf": core_link_ospf,
    "core_link_ldp": core_link_ldp,
}
