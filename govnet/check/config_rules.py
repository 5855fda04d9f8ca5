"""Config rules: the per-platform line checks of rules.yaml, and the core-link OSPF/LDP checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from ipaddress import IPv4Network

from govnet.check import facts
from govnet.check.configtree import ConfigLine, ConfigTree, Hit
from govnet.check.context import CheckContext, DeviceCheck, Finding
from govnet.check.rules import ConfigCheck, LineMatch, Rule
from govnet.model import Device

Problem = tuple[int, str]  # (config line, message)


def _match(check: ConfigCheck) -> LineMatch:
    assert check.match is not None  # validated by ConfigCheck for every op but "any"
    return check.match


def _say(check: ConfigCheck, **values: object) -> str:
    try:
        return check.say.format(**values)
    except (KeyError, IndexError):
        return check.say


def _require(rule: Rule, check: ConfigCheck, tree: ConfigTree) -> list[Problem]:
    return [] if tree.find(_match(check)) else [(1, _say(check))]


def _forbid(rule: Rule, check: ConfigCheck, tree: ConfigTree) -> list[Problem]:
    return [(h.line, _say(check, text=h.node.text)) for h in tree.find(_match(check))]


def _has(tree: ConfigTree, block: ConfigLine, match: LineMatch) -> bool:
    return bool(tree.find(match, block))


def _pattern_text(match: LineMatch) -> str:
    return match.line.strip("^$").replace("\\", "")


def _each(rule: Rule, check: ConfigCheck, tree: ConfigTree) -> list[Problem]:
    problems: list[Problem] = []
    for hit in tree.find(_match(check)):
        missing = [_pattern_text(m) for m in check.children if not _has(tree, hit.node, m)]
        present = [h for m in check.forbid_children for h in tree.find(m, hit.node)]
        if missing:
            problems.append((hit.line, _say(check, text=hit.node.text, missing=", ".join(missing))))
        problems += [(h.line, _say(check, text=h.node.text, missing="")) for h in present]
    return problems


def _count(rule: Rule, check: ConfigCheck, tree: ConfigTree) -> list[Problem]:
    assert check.bound is not None
    hits = tree.find(_match(check))
    found = len({h.groups.get("key", h.node.text) for h in hits})
    low, high = rule.limit(check.bound.min), rule.limit(check.bound.max)
    line = hits[-1].line if hits else 1
    if low is not None and found < low:
        return [(line, _say(check, problem=f"only {found} of at least {low}"))]
    if high is not None and found > high:
        return [(line, _say(check, problem=f"{found}, more than {high}"))]
    return []


def _number(hit: Hit, scale: dict[str, str]) -> Fraction:
    return sum(
        (Fraction(hit.groups[g]) * Fraction(f) for g, f in scale.items() if g in hit.groups), Fraction(0)
    )


def _value_in(rule: Rule, check: ConfigCheck, tree: ConfigTree, block: ConfigLine | None) -> list[Problem]:
    assert check.bound is not None
    low, high = rule.limit(check.bound.min), rule.limit(check.bound.max)
    hits = tree.find(_match(check), block)
    where = block.line if block is not None else 1
    prefix = f"in '{block.text}': " if block is not None else ""
    if not hits:
        return [(where, prefix + _say(check, problem=f"not configured ('{_pattern_text(_match(check))}')"))]
    problems: list[Problem] = []
    for hit in hits:
        value = _number(hit, check.scale)
        shown = f"{float(value):g}"
        if low is not None and value < low:
            problems.append(
                (hit.line, prefix + _say(check, problem=f"is {shown} ('{hit.node.text}'), below {low}"))
            )
        elif high is not None and value > high:
            problems.append(
                (hit.line, prefix + _say(check, problem=f"is {shown} ('{hit.node.text}'), above {high}"))
            )
    return problems


def _value(rule: Rule, check: ConfigCheck, tree: ConfigTree) -> list[Problem]:
    if check.within is None:
        return _value_in(rule, check, tree, None)
    return [p for hit in tree.find(check.within) for p in _value_in(rule, check, tree, hit.node)]


def _any(rule: Rule, check: ConfigCheck, tree: ConfigTree) -> list[Problem]:
    outcomes = [OPS[c.op](rule, c, tree) for c in check.any_of]
    return [] if any(not o for o in outcomes) else outcomes[0]


OPS: dict[str, Callable[[Rule, ConfigCheck, ConfigTree], list[Problem]]] = {
    "any": _any,
    "require": _require,
    "forbid": _forbid,
    "each": _each,
    "count": _count,
    "value": _value,
}


def check_lines(rule: Rule, ctx: CheckContext, device: Device, tree: ConfigTree) -> list[Finding]:
    """Run the rule's checks for the device's platform on its config tree."""
    platform = ctx.platform_of(device)
    return [
        ctx.finding(rule, device.name, ctx.config_location(device.name, line), message)
        for check in rule.match[platform]
        for line, message in OPS[check.op](rule, check, tree)
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


def _permitted_source(rest: str) -> IPv4Network | None:
    """The source a permit rule admits; None for 'any' (no source, or an unusable wildcard)."""
    found = _ACL_SOURCE.search(rest)
    if found is None:
        return None
    wildcard = "0.0.0.0" if found["wild"] == "0" else found["wild"]
    try:
        return IPv4Network(f"{found['addr']}/{wildcard}", strict=False)
    except ValueError:
        return None


def mgmt_acl_sources(rule: Rule, ctx: CheckContext, device: Device, tree: ConfigTree) -> list[Finding]:
    """Every ACL that guards the VTYs or the SSH server permits only sources inside the NOC prefix."""
    noc = ctx.network.settings.noc_prefix
    bound = {
        hit.groups["acl"]
        for pattern in _ACL_BINDINGS
        for hit in tree.find(LineMatch(line=pattern, anywhere=True))
    }
    found: list[Finding] = []
    for number in sorted(bound):
        block = tree.first(LineMatch(line=rf"^acl (number|basic) {number}$"))
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
            source = _permitted_source(permit["rest"])
            if source is None or not source.subnet_of(noc):
                admits = "any source" if source is None else str(source)
                where = ctx.config_location(device.name, child.line)
                message = f"ACL {number} '{child.text}' admits {admits}, outside the NOC prefix {noc}"
                found.append(ctx.finding(rule, device.name, where, message))
    return found


CHECKS: dict[str, DeviceCheck] = {
    "lines": check_lines,
    "mgmt_acl_sources": mgmt_acl_sources,
    "core_link_ospf": core_link_ospf,
    "core_link_ldp": core_link_ldp,
}
