"""Edge rules: the hot-standby firewall pair agrees on policy and VRRP; VPN user pools lie in a
zone the gateway has a link into; the zoned appliances (load balancer, VPN gateway) put every
port in one zone and pass only zone-bound flows.

They read the parsed configs (``CheckContext.tree``) of the devices whose platform declares the
feature a rule reads (``Platform.hrp``, ``zoned_interfaces``, ``sslvpn_pools``), so they hold on
govnet's rendered text and on what the devices print (prompts, paging debris, indented one-line
globals, CRLF). Devices that render to a platform without the feature (the lab twin) are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network

from govnet.check.configtree import ConfigLine, ConfigTree
from govnet.check.context import CheckContext, Finding, NetworkCheck
from govnet.check.facts import ipv4
from govnet.check.rules import Rule
from govnet.platforms import PLATFORMS, Platform
from govnet.render.routing import zone_legs

ZONED_ROLES = ("load_balancer", "vpn_gateway")
TREE_PLATFORMS = frozenset(name for name, platform in PLATFORMS.items() if platform.reads_policy)
"""Platforms whose parsed configs these rules read (a process pool hands their trees back)."""
_NOT_TRAFFIC = ("loopback", "null", "inloopback", "register-tunnel")
"""Interfaces that carry no transit traffic (the device's own addresses are the Local zone's)."""
_VRRP = re.compile(r"^vrrp vrid (\d+) virtual-ip (\S+)(?: \S+)? (active|standby)$")
_POOL = re.compile(r"^sslvpn ip address-pool (\S+) (\S+) (\S+)$")
_CONTEXT_POOL = re.compile(r"^ip-tunnel address-pool (\S+)(?: mask \S+)?$")
# USG address objects: 'A mask M' and 'A LEN' (the CLI takes both; versions print either)
_ADDRESS = re.compile(r"^((?:source|destination)-address) (\S+) (?:mask )?(\S+)$")


@dataclass(frozen=True)
class PolicyRuleText:
    """One ``security-policy`` rule: its name, its body (address forms canonical) and its line."""

    name: str
    body: tuple[str, ...]
    line: int


def _hrp(platform: Platform) -> bool:
    return platform.hrp


def _zoned(platform: Platform) -> bool:
    return platform.zoned_interfaces


def _sslvpn(platform: Platform) -> bool:
    return platform.sslvpn_pools


def _tree(ctx: CheckContext, device: str, feature: Callable[[Platform], bool]) -> ConfigTree | None:
    """The parsed config of ``device`` when its platform has ``feature``, else None."""
    dev = ctx.network.devices.get(device)
    if dev is None or device not in ctx.configs:
        return None
    platform = PLATFORMS.get(ctx.platform_of(dev))
    if platform is None or not feature(platform):
        return None
    return ctx.tree(device)


def _canonical(line: str) -> str:
    """A policy line with its address as ``A/LEN``, so ``mask 255.255.255.0`` equals ``24``.

    >>> _canonical("source-address 10.64.0.0 mask 255.224.0.0"), _canonical("source-address 10.64.0.0 11")
    ('source-address 10.64.0.0/11', 'source-address 10.64.0.0/11')
    """
    match = _ADDRESS.match(line)
    if match is None:
        return line
    try:
        network = IPv4Network(f"{match.group(2)}/{match.group(3)}", strict=False)
    except ValueError:
        return line
    return f"{match.group(1)} {network}"


def _rule_name(node: ConfigLine) -> str | None:
    if not node.text.startswith("rule name "):
        return None
    return node.text[len("rule name ") :].strip().strip('"')


def security_policy_rules(tree: ConfigTree) -> list[PolicyRuleText]:
    """The ``security-policy`` rules in order (a USG prints ``rule name "a b"`` quoted).

    >>> from govnet.check.rules import load_rules
    >>> text = '#\\nsecurity-policy\\n rule name "to web"\\n  action permit\\n#\\nreturn\\n'
    >>> security_policy_rules(ConfigTree(text, load_rules().readers["huawei_usg"]))
    [PolicyRuleText(name='to web', body=('action permit',), line=3)]
    """
    rules: list[PolicyRuleText] = []
    for policy in tree.root.children_starting("security-policy"):
        if policy.text != "security-policy":
            continue
        for node in policy.children:
            name = _rule_name(node)
            if name is not None:
                body = tuple(_canonical(child.text) for child in node.walk())
                rules.append(PolicyRuleText(name, body, node.line))
    return rules


def _firewall_pairs(ctx: CheckContext) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for group in ctx.network.groups:
        if group.kind != "devices" or len(group.members) != 2:
            continue
        a, b = group.members
        if _tree(ctx, a, _hrp) is not None and _tree(ctx, b, _hrp) is not None:
            pairs.append((a, b))
    return pairs


def firewall_pair_policy(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Both firewalls of a hot-standby pair carry the same security-policy rules, in the same order."""
    found: list[Finding] = []
    for a, b in _firewall_pairs(ctx):
        tree_a, tree_b = _tree(ctx, a, _hrp), _tree(ctx, b, _hrp)
        assert tree_a is not None and tree_b is not None
        rules_a, rules_b = security_policy_rules(tree_a), security_policy_rules(tree_b)
        for i in range(max(len(rules_a), len(rules_b))):
            ra = rules_a[i] if i < len(rules_a) else None
            rb = rules_b[i] if i < len(rules_b) else None
            if ra is not None and rb is not None and (ra.name, ra.body) == (rb.name, rb.body):
                continue
            # the member that differs: the one whose rule here is not the other's, b by convention
            device, mine, other = (b, rb, ra) if rb is not None else (a, ra, rb)
            assert mine is not None
            peer = a if device == b else b
            if other is None:
                what = f"rule {mine.name} at position {i + 1} is missing on {peer}"
            elif other.name == mine.name:
                what = f"rule {mine.name} at position {i + 1} differs from {peer}'s rule of that name"
            else:
                what = f"rule {mine.name} differs from {peer}'s rule {other.name} at position {i + 1}"
            where = ctx.config_location(device, mine.line)
            found.append(ctx.finding(rule, device, where, f"security-policy of the pair with {peer}: {what}"))
            break
    return found


@dataclass(frozen=True)
class VrrpGroup:
    """A VRRP group as configured on one member: interface, virtual addresses, role and line."""

    interface: str
    addresses: tuple[IPv4Address, ...]
    role: str
    line: int


def vrrp_configured(tree: ConfigTree) -> dict[int, VrrpGroup]:
    """VRRP groups in a config by vrid (USG: ``vrrp vrid N virtual-ip A [MASK] active|standby``).

    A group with several ``virtual-ip`` lines keeps all its addresses; its role and line are the
    first line's.
    """
    groups: dict[int, VrrpGroup] = {}
    for interface in tree.root.children_starting("interface"):
        for node in interface.children_starting("vrrp"):
            match = _VRRP.match(node.text)
            address = ipv4(match.group(2)) if match else None
            if match is None or address is None:
                continue
            vrid = int(match.group(1))
            name = interface.text.split(" ", 1)[-1]
            known = groups.get(vrid)
            if known is None:
                groups[vrid] = VrrpGroup(name, (address,), match.group(3), node.line)
            else:
                groups[vrid] = VrrpGroup(known.interface, (*known.addresses, address), known.role, known.line)
    return groups


def firewall_vrrp(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Every firewall VRRP group: one member active by configuration, the model's virtual address on all."""
    found: list[Finding] = []
    for segment, group in ctx.network.vrrp_groups():
        trees = {m: _tree(ctx, m, _hrp) for m in group.members}
        if any(t is None for t in trees.values()):
            continue
        configured: dict[str, VrrpGroup] = {}
        for member, tree in trees.items():
            assert tree is not None
            mine = vrrp_configured(tree).get(group.vrid)
            if mine is None:
                where = ctx.config_location(member)
                found.append(
                    ctx.finding(rule, member, where, f"{segment.id}: VRRP group {group.vrid} not configured")
                )
                continue
            configured[member] = mine
            if group.virtual_ip not in mine.addresses:
                shown = ", ".join(str(a) for a in mine.addresses)
                found.append(
                    ctx.finding(
                        rule,
                        member,
                        ctx.config_location(member, mine.line),
                        f"{segment.id}: VRRP group {group.vrid} virtual address {shown}, "
                        f"the model's is {group.virtual_ip}",
                    )
                )
        active = sorted(m for m, g in configured.items() if g.role == "active")
        if len(configured) == len(group.members) and len(active) != 1:
            member = active[-1] if active else group.active
            found.append(
                ctx.finding(
                    rule,
                    member,
                    ctx.config_location(member, configured[member].line),
                    f"{segment.id}: VRRP group {group.vrid} has {len(active)} active members "
                    f"({', '.join(active) or 'none'}): exactly one is active by configuration",
                )
            )
    return found


def pool_contexts(tree: ConfigTree) -> dict[str, str]:
    """User pool -> the ``sslvpn context`` whose users take their addresses from it (govnet names
    each context for the zone its users land in).

    >>> from govnet.check.rules import load_rules
    >>> text = "#\\nsslvpn context police\\n ip-tunnel address-pool police-users mask 255.255.255.0\\n#\\n"
    >>> pool_contexts(ConfigTree(text, load_rules().readers["h3c_secpath"]))
    {'police-users': 'police'}
    """
    found: dict[str, str] = {}
    for node in tree.root.children_starting("sslvpn"):
        words = node.text.split()
        if len(words) != 3 or words[1] != "context":
            continue
        for child in node.children_starting("ip-tunnel"):
            match = _CONTEXT_POOL.match(child.text)
            if match is not None:
                found[match.group(1)] = words[2]
    return found


def vpn_pools_in_zones(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Every user pool a VPN gateway's config defines lies inside one zone's site pool (where
    department zones share a site pool, the one its context is named for), and the gateway has a
    link into that zone (its users' way in: a PE port bound to the zone's VPN)."""
    found: list[Finding] = []
    sites = {name: zone.site_pool for name, zone in ctx.network.zones.items()}
    for dev in ctx.network.by_role("vpn_gateway"):
        tree = _tree(ctx, dev.name, _sslvpn)
        if tree is None:
            continue
        legs = {leg.zone for leg in zone_legs(ctx.network, dev)}
        contexts = pool_contexts(tree)
        for node in tree.root.children_starting("sslvpn"):
            match = _POOL.match(node.text)
            if match is None:
                continue
            name, first, last = match.group(1), ipv4(match.group(2)), ipv4(match.group(3))
            zones = [z for z, pool in sites.items() if _holds(pool, first) and _holds(pool, last)]
            if len(zones) > 1 and contexts.get(name) in zones:
                zones = [contexts[name]]
            if len(zones) != 1:
                found.append(
                    ctx.finding(
                        rule,
                        dev.name,
                        ctx.config_location(dev.name, node.line),
                        f"user pool {name} ({first} - {last}) lies in "
                        f"{'no zone' if not zones else 'zones ' + ', '.join(zones)}'s site pool",
                    )
                )
            elif zones[0] not in legs:
                found.append(
                    ctx.finding(
                        rule,
                        dev.name,
                        ctx.config_location(dev.name, node.line),
                        f"user pool {name} lies in zone {zones[0]}, but {dev.name} has no link into "
                        f"zone {zones[0]} (a PE port in its VPN): its users reach nothing",
                    )
                )
    return found


def _secpaths(ctx: CheckContext) -> list[tuple[str, ConfigTree]]:
    found = []
    for dev in ctx.network.devices.values():
        if dev.role in ZONED_ROLES:
            tree = _tree(ctx, dev.name, _zoned)
            if tree is not None:
                found.append((dev.name, tree))
    return found


def interface_zones(tree: ConfigTree) -> dict[str, list[tuple[str, ConfigLine]]]:
    """Interface (lower-cased) -> the ``security-zone name Z`` views importing it, with the line.

    >>> from govnet.check.rules import load_rules
    >>> text = "#\\nsecurity-zone name Trust\\n import interface GigabitEthernet1/0/1\\n#\\nreturn\\n"
    >>> tree = ConfigTree(text, load_rules().readers["h3c_secpath"])
    >>> [(i, [z for z, _ in zs]) for i, zs in interface_zones(tree).items()]
    [('gigabitethernet1/0/1', ['Trust'])]
    """
    found: dict[str, list[tuple[str, ConfigLine]]] = {}
    for zone in tree.root.children_starting("security-zone"):
        words = zone.text.split()
        if len(words) != 3 or words[1] != "name":
            continue
        for node in zone.children_starting("import"):
            parts = node.text.split()
            if len(parts) >= 3 and parts[1] == "interface":
                found.setdefault(parts[2].lower(), []).append((words[2], node))
    return found


def secpath_interfaces_zoned(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Every SecPath interface with an address (but loopbacks) is imported into exactly one zone:
    Comware 7 drops the traffic of an interface in no zone, and takes an interface into one only."""
    found: list[Finding] = []
    for device, tree in _secpaths(ctx):
        imports = interface_zones(tree)
        for intf in tree.root.children_starting("interface"):
            name = intf.text.split(" ", 1)[-1]
            addressed = any(c.text.startswith("ip address ") for c in intf.children)
            if not addressed or name.lower().startswith(_NOT_TRAFFIC):
                continue
            zones = imports.get(name.lower(), [])
            if len(zones) == 1:
                continue
            if not zones:
                where, what = (
                    intf.line,
                    f"interface {name} has an address but is in no security zone: its traffic is dropped",
                )
            else:
                where = zones[1][1].line
                names = ", ".join(z for z, _ in zones)
                what = f"interface {name} is imported into {len(zones)} security zones ({names})"
            found.append(ctx.finding(rule, device, ctx.config_location(device, where), what))
    return found


def _policy_rules(tree: ConfigTree) -> list[ConfigLine]:
    rules: list[ConfigLine] = []
    for policy in tree.root.children_starting("security-policy"):
        if policy.text == "security-policy ip":
            rules += [n for n in policy.children_starting("rule") if " name " in n.text]
    return rules


def secpath_policy_bounded(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Every ``action pass`` rule of a SecPath's ``security-policy ip`` names its source and
    destination zone and matches a source or a destination address: no zone-less pass, no
    any-to-any pass."""
    found: list[Finding] = []
    for device, tree in _secpaths(ctx):
        for node in _policy_rules(tree):
            body = [child.text for child in node.children]
            if "action pass" not in body:
                continue
            label = node.text.split(" name ", 1)[-1].strip().strip('"')
            missing = [
                w for w in ("source-zone", "destination-zone") if not any(b.startswith(f"{w} ") for b in body)
            ]
            if missing:
                what = f"policy rule {label} passes traffic without a {' or '.join(missing)}"
            elif not any(b.startswith(("source-ip", "destination-ip")) for b in body):
                zones = [
                    b.split(" ", 1)[1] for b in body if b.startswith(("source-zone ", "destination-zone "))
                ]
                what = f"policy rule {label} passes any source to any destination ({' -> '.join(zones)})"
            else:
                continue
            found.append(ctx.finding(rule, device, ctx.config_location(device, node.line), what))
    return found


def _holds(pool: IPv4Network, address: IPv4Address | None) -> bool:
    return address is not None and address in pool


CHECKS: dict[str, NetworkCheck] = {
    "firewall_pair_policy": firewall_pair_policy,
    "firewall_vrrp": firewall_vrrp,
    "vpn_pools_in_zones": vpn_pools_in_zones,
    "secpath_interfaces_zoned": secpath_interfaces_zoned,
    "secpath_policy_bounded": secpath_policy_bounded,
}
"""The intent checks this module adds (for ``govnet.check.intent.CHECKS``)."""
