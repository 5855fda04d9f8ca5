"""Edge rules (issue 10): the firewall pair agrees on policy and VRRP; VPN user pools lie in a zone.

They read the rendered text of the Huawei USG firewalls and the H3C SecPath VPN gateway, so the
file a person reviews is the thing checked. Devices that render to another platform (the lab
twin) are skipped.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network

from govnet.check.context import CheckContext, Finding, NetworkCheck
from govnet.check.rules import Rule

FIREWALL = "huawei_usg"
VPN_GATEWAY = "h3c_secpath"
_RULE = re.compile(r"^ rule name (\S+)", re.MULTILINE)
_VRRP = re.compile(r"^ vrrp vrid (\d+) virtual-ip (\S+)(?: \S+)? (active|standby)\s*$")
_POOL = re.compile(r"^sslvpn ip address-pool (\S+) (\S+) (\S+)\s*$", re.MULTILINE)


def _text(ctx: CheckContext, device: str, platform: str) -> str | None:
    dev = ctx.network.devices.get(device)
    config = ctx.configs.get(device)
    if dev is None or config is None or ctx.platform_of(dev) != platform:
        return None
    return config.text


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(needle):
            return number
    return 1


def security_policy_rules(text: str) -> list[tuple[str, str]]:
    """The ``security-policy`` rules in order, as (name, body) pairs.

    >>> security_policy_rules("security-policy\\n rule name a\\n  action permit\\n#\\n")
    [('a', '  action permit')]
    """
    rules: list[tuple[str, list[str]]] = []
    inside = False
    for line in text.splitlines():
        if line == "security-policy":
            inside = True
            continue
        if inside and not line.startswith(" "):
            inside = False
        if not inside:
            continue
        match = _RULE.match(line)
        if match:
            rules.append((match.group(1), []))
        elif rules:
            rules[-1][1].append(line)
    return [(name, "\n".join(body)) for name, body in rules]


def _firewall_pairs(ctx: CheckContext) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for group in ctx.network.groups:
        if group.kind != "devices" or len(group.members) != 2:
            continue
        a, b = group.members
        if _text(ctx, a, FIREWALL) is not None and _text(ctx, b, FIREWALL) is not None:
            pairs.append((a, b))
    return pairs


def firewall_pair_policy(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Both firewalls of a hot-standby pair carry the same security-policy rules, in the same order."""
    found: list[Finding] = []
    for a, b in _firewall_pairs(ctx):
        text_a, text_b = _text(ctx, a, FIREWALL) or "", _text(ctx, b, FIREWALL) or ""
        rules_a, rules_b = security_policy_rules(text_a), security_policy_rules(text_b)
        for i in range(max(len(rules_a), len(rules_b))):
            ra = rules_a[i] if i < len(rules_a) else None
            rb = rules_b[i] if i < len(rules_b) else None
            if ra == rb:
                continue
            # the member that differs: the one whose rule here is not the other's, b by convention
            device, mine, other = (b, rb, ra) if rb is not None else (a, ra, rb)
            text = text_b if device == b else text_a
            name = mine[0] if mine is not None else "?"
            peer = a if device == b else b
            what = (
                f"rule {name} differs from {peer}'s rule {other[0]} at position {i + 1}"
                if other is not None
                else f"rule {name} at position {i + 1} is missing on {peer}"
            )
            where = ctx.config_location(device, _line_of(text, f" rule name {name}"))
            found.append(ctx.finding(rule, device, where, f"security-policy of the pair with {peer}: {what}"))
            break
    return found


def vrrp_configured(text: str) -> dict[int, tuple[str, IPv4Address, str, int]]:
    """VRRP groups in a config: vrid -> (interface, virtual address, active|standby, line)."""
    groups: dict[int, tuple[str, IPv4Address, str, int]] = {}
    interface = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("interface "):
            interface = line.split(None, 1)[1]
        match = _VRRP.match(line)
        if match:
            address = _ipv4(match.group(2))
            if address is None:
                continue
            groups[int(match.group(1))] = (interface, address, match.group(3), number)
    return groups


def firewall_vrrp(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Every firewall VRRP group: one member active by configuration, the model's virtual address on all."""
    found: list[Finding] = []
    for segment, group in ctx.network.vrrp_groups():
        texts = {m: _text(ctx, m, FIREWALL) for m in group.members}
        if any(t is None for t in texts.values()):
            continue
        roles: dict[str, str] = {}
        for member, text in texts.items():
            configured = vrrp_configured(text or "").get(group.vrid)
            if configured is None:
                where = ctx.config_location(member)
                found.append(
                    ctx.finding(rule, member, where, f"{segment.id}: VRRP group {group.vrid} not configured")
                )
                continue
            _iface, address, role, line = configured
            roles[member] = role
            if address != group.virtual_ip:
                found.append(
                    ctx.finding(
                        rule,
                        member,
                        ctx.config_location(member, line),
                        f"{segment.id}: VRRP group {group.vrid} virtual address {address}, "
                        f"the model's is {group.virtual_ip}",
                    )
                )
        active = sorted(m for m, r in roles.items() if r == "active")
        if len(roles) == len(group.members) and len(active) != 1:
            member = active[-1] if active else group.active
            line = vrrp_configured(texts[member] or "")[group.vrid][3]
            found.append(
                ctx.finding(
                    rule,
                    member,
                    ctx.config_location(member, line),
                    f"{segment.id}: VRRP group {group.vrid} has {len(active)} active members "
                    f"({', '.join(active) or 'none'}): exactly one is active by configuration",
                )
            )
    return found


def vpn_pools_in_zones(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Every user pool a VPN gateway's config defines lies inside one zone's site pool."""
    found: list[Finding] = []
    sites = {name: zone.site_pool for name, zone in ctx.network.zones.items()}
    for dev in ctx.network.by_role("vpn_gateway"):
        text = _text(ctx, dev.name, VPN_GATEWAY)
        if text is None:
            continue
        for match in _POOL.finditer(text):
            name, first, last = match.group(1), _ipv4(match.group(2)), _ipv4(match.group(3))
            zones = [z for z, pool in sites.items() if _holds(pool, first) and _holds(pool, last)]
            if len(zones) != 1:
                line = text.count("\n", 0, match.start()) + 1
                found.append(
                    ctx.finding(
                        rule,
                        dev.name,
                        ctx.config_location(dev.name, line),
                        f"user pool {name} ({first} - {last}) lies in "
                        f"{'no zone' if not zones else 'zones ' + ', '.join(zones)}'s site pool",
                    )
                )
    return found


def _ipv4(text: str) -> IPv4Address | None:
    try:
        return IPv4Address(text)
    except ValueError:
        return None


def _holds(pool: IPv4Network, address: IPv4Address | None) -> bool:
    return address is not None and address in pool


CHECKS: dict[str, NetworkCheck] = {
    "firewall_pair_policy": firewall_pair_policy,
    "firewall_vrrp": firewall_vrrp,
    "vpn_pools_in_zones": vpn_pools_in_zones,
}
"""The intent checks this module adds (for ``govnet.check.intent.CHECKS``)."""
