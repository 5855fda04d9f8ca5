"""Cross-device rules: the two configs at the ends of each model link (and each BGP session) agree."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Address

from govnet.check.context import CheckContext, Finding, NetworkCheck
from govnet.check.facts import BgpFacts, ConfigFacts, InterfaceFacts
from govnet.check.rules import Rule
from govnet.model import Link


@dataclass(frozen=True, slots=True)
class LinkEnd:
    device: str
    interface: str
    known: ConfigFacts
    routed: bool

    @property
    def at(self) -> InterfaceFacts:
        """This end's interface facts."""
        return self.known.interface(self.interface, self.routed)


@dataclass(frozen=True, slots=True)
class LinkPair:
    """Both configured ends of one link (or of one zone attachment on a link)."""

    link: Link
    label: str
    a: LinkEnd
    b: LinkEnd
    routed: bool  # the underlay interface (OSPF/LDP/MTU), not a dot1q zone attachment


def _in_scope(rule: Rule, ctx: CheckContext, device: str) -> bool:
    dev = ctx.network.devices.get(device)
    return (
        dev is not None
        and rule.applies_to_role(dev.role)
        and ctx.platform_of(dev) in rule.platforms
        and ctx.platform_of(dev) not in rule.not_applicable
    )


def link_pairs(rule: Rule, ctx: CheckContext) -> list[LinkPair]:
    """Every link whose two ends are managed, in scope and have a parsed config (found once per
    rule scope: the link rules share one)."""
    key = ("link_pairs", rule.platforms, rule.roles, tuple(sorted(rule.not_applicable)))
    if key not in ctx.memo:
        ctx.memo[key] = list(_link_pairs(rule, ctx))
    pairs: list[LinkPair] = ctx.memo[key]  # type: ignore[assignment]
    return pairs


def _link_pairs(rule: Rule, ctx: CheckContext) -> Iterator[LinkPair]:
    scope: dict[str, bool] = {}

    def in_scope(device: str) -> bool:
        if device not in scope:
            scope[device] = _in_scope(rule, ctx, device)
        return scope[device]

    for link in ctx.network.links:
        if link.external or not (in_scope(link.a) and in_scope(link.b)):
            continue
        ta, tb = ctx.config_facts(link.a), ctx.config_facts(link.b)
        if ta is None or tb is None:
            continue
        a, b = LinkEnd(link.a, link.a_interface, ta, True), LinkEnd(link.b, link.b_interface, tb, True)
        yield LinkPair(link, link.id, a, b, True)
        for att in link.attachments:
            yield LinkPair(
                link,
                f"{link.id} zone {att.zone}",
                LinkEnd(link.a, f"{link.a_interface}.{att.vlan}", ta, False),
                LinkEnd(link.b, f"{link.b_interface}.{att.vlan}", tb, False),
                False,
            )


def _at(ctx: CheckContext, rule: Rule, end: LinkEnd, line: int, message: str) -> Finding:
    return ctx.finding(rule, end.device, ctx.config_location(end.device, line), message)


def link_addressing(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Both ends addressed, in the same subnet, with distinct addresses."""
    found: list[Finding] = []
    for pair in link_pairs(rule, ctx):
        fa, fb = pair.a.at, pair.b.at
        for end, known in ((pair.a, fa), (pair.b, fb)):
            if known.ip is None:
                message = f"{pair.label}: {end.interface} has no IPv4 address"
                found.append(_at(ctx, rule, end, known.address_line, message))
        if fa.ip is None or fb.ip is None:
            continue
        if fa.subnet != fb.subnet:
            found.append(
                _at(
                    ctx,
                    rule,
                    pair.b,
                    fb.address_line,
                    f"{pair.label}: {pair.a.device} {pair.a.interface} is {fa.address} but "
                    f"{pair.b.device} {pair.b.interface} is {fb.address} (different subnets)",
                )
            )
        elif fa.ip == fb.ip:
            found.append(
                _at(ctx, rule, pair.b, fb.address_line, f"{pair.label}: both ends use {IPv4Address(fa.ip)}")
            )
    return found


def link_mtu(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Equal MTU at both ends (the platform default where unset)."""
    found: list[Finding] = []
    for pair in link_pairs(rule, ctx):
        fa, fb = pair.a.at, pair.b.at
        (ma, la), (mb, lb) = (fa.mtu, fa.mtu_line), (fb.mtu, fb.mtu_line)
        if ma != mb:
            found.append(
                _at(
                    ctx,
                    rule,
                    pair.b,
                    lb or la,
                    f"{pair.label}: MTU {ma} on {pair.a.device} {pair.a.interface} but {mb} on "
                    f"{pair.b.device} {pair.b.interface}",
                )
            )
    return found


def link_ospf_area(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Where either end runs OSPF on a routed link, both run it in the same area."""
    found: list[Finding] = []
    for pair in link_pairs(rule, ctx):
        if not pair.routed:
            continue
        fa, fb = pair.a.at, pair.b.at
        (aa, la), (ab, lb) = (fa.area, fa.area_line), (fb.area, fb.area_line)
        if aa == ab:
            continue
        end, line = (pair.a, la) if ab is not None and aa is None else (pair.b, lb)
        found.append(
            _at(
                ctx,
                rule,
                end,
                line or 1,
                f"{pair.label}: {_area(aa)} on {pair.a.device} but {_area(ab)} on {pair.b.device}",
            )
        )
    return found


def _area(area: int | None) -> str:
    return "no OSPF" if area is None else f"OSPF area {area}"


def link_ldp(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """LDP enabled on both ends of a routed link, or on neither."""
    found: list[Finding] = []
    for pair in link_pairs(rule, ctx):
        if not pair.routed:
            continue
        on = {e.device: e.at.ldp for e in (pair.a, pair.b)}
        if on[pair.a.device] != on[pair.b.device]:
            lacking = pair.a if not on[pair.a.device] else pair.b
            other = pair.b if lacking is pair.a else pair.a
            block_line = lacking.at.block_line
            found.append(
                _at(
                    ctx,
                    rule,
                    lacking,
                    block_line if block_line is not None else 1,
                    f"{pair.label}: LDP on {other.device} {other.interface} but not on "
                    f"{lacking.device} {lacking.interface}",
                )
            )
    return found


def bgp_sessions(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Each model iBGP session is configured on both routers toward the other's loopback, with its AS."""
    found: list[Finding] = []
    seen: set[frozenset[str]] = set()
    bgp: dict[str, BgpFacts] = {}

    def facts_of(device: str) -> BgpFacts | None:
        if device not in bgp:
            known = ctx.config_facts(device)
            if known is None or not _in_scope(rule, ctx, device):
                return None
            bgp[device] = known.bgp
        return bgp[device]

    routers = [d.name for d in ctx.network.devices.values() if d.role in ("core", "aggregation")]
    for name in routers:
        for session in ctx.network.bgp_sessions(name):
            key = frozenset((session.local, session.peer))
            if key in seen:
                continue
            seen.add(key)
            fa, fb = facts_of(session.local), facts_of(session.peer)
            if fa is None or fb is None:
                continue
            found += _one_side(rule, ctx, session.local, fa, session.peer, fb)
            found += _one_side(rule, ctx, session.peer, fb, session.local, fa)
    return found


def _one_side(
    rule: Rule, ctx: CheckContext, local: str, lf: BgpFacts, remote: str, rf: BgpFacts
) -> list[Finding]:
    """``local``'s half of the session with ``remote``."""
    model_ip = ctx.network.devices[remote].loopback
    remote_ip = str(rf.loopback or (model_ip.ip if model_ip else ""))
    here = ctx.config_location(local, lf.asn_line or 1)
    if lf.asn is None:
        return [ctx.finding(rule, local, here, f"session with {remote}: no BGP instance on {local}")]
    peer = lf.peers.get(remote_ip)
    if peer is None:
        return [
            ctx.finding(
                rule,
                local,
                here,
                f"session with {remote}: {local} has no peer {remote_ip} ({remote}'s loopback)",
            )
        ]
    where = ctx.config_location(local, peer.line)
    out: list[Finding] = []
    if rf.asn is not None and peer.asn != rf.asn:
        out.append(
            ctx.finding(
                rule,
                local,
                where,
                f"session with {remote}: peer {remote_ip} as-number {peer.asn} but {remote} runs AS {rf.asn}",
            )
        )
    if not peer.enabled:
        out.append(
            ctx.finding(rule, local, where, f"session with {remote}: peer {remote_ip} not enabled for VPNv4")
        )
    known = ctx.config_facts(local)
    if known is not None and known.bgp_update_source and peer.update_source is None:
        out.append(
            ctx.finding(
                rule, local, where, f"session with {remote}: peer {remote_ip} not sourced from the loopback"
            )
        )
    return out


CHECKS: dict[str, NetworkCheck] = {
    "link_addressing": link_addressing,
    "link_mtu": link_mtu,
    "link_ospf_area": link_ospf_area,
    "link_ldp": link_ldp,
    "bgp_sessions": bgp_sessions,
}
