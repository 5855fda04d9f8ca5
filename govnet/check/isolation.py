"""The isolation gateway (网闸) rule: only listed one-way flows, no route between intranet and extranet.

``check_isolation_policy`` judges a rendered policy (``govnet.render.isolation``), so the file a
person reviews and imports is the thing checked:

>>> ftp = {"service": "ftp", "protocol": "tcp", "port": 21}
>>> check_isolation_policy({"gateway": "gw", "ip_forwarding": False, "routes": [], "flows": [
...     {"name": "in", "from": "extranet", "to": "intranet", **ftp},
...     {"name": "out", "from": "intranet", "to": "extranet", **ftp}]})
['gw: flows in and out allow ftp (tcp/21) both ways: an isolation gateway passes a service one way only']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govnet.check.context import CheckContext, Finding, Location
from govnet.check.rules import Rule
from govnet.render.isolation import isolation_policy

SIDES = ("extranet", "intranet")


def check_isolation_policy(policy: Mapping[str, Any]) -> list[str]:
    """Problems with an isolation gateway policy; empty when it passes.

    Rejected: a flow that is not one way between the two sides (``both``, same side, unknown
    side), a service allowed in both directions, any route, IP forwarding on.
    """
    gateway = policy.get("gateway", "?")
    problems: list[str] = []
    seen: dict[tuple[str, str, str, int], str] = {}
    for flow in policy.get("flows", []):
        name, src, dst = flow.get("name", "?"), flow.get("from"), flow.get("to")
        if src not in SIDES or dst not in SIDES or src == dst:
            problems.append(
                f"{gateway}: flow {name} goes {src} -> {dst}: "
                "a flow crosses one way between extranet and intranet"
            )
            continue
        key = (str(flow.get("service")), str(flow.get("protocol")), src, int(flow.get("port", 0)))
        reverse = (key[0], key[1], dst, key[3])
        if reverse in seen:
            problems.append(
                f"{gateway}: flows {seen[reverse]} and {name} allow {key[0]} ({key[1]}/{key[3]}) both ways: "
                "an isolation gateway passes a service one way only"
            )
        seen.setdefault(key, name)
    for route in policy.get("routes", []):
        problems.append(
            f"{gateway}: route {route.get('prefix')} via {route.get('next_hop')}: "
            "no route may join the intranet and the extranet"
        )
    if policy.get("ip_forwarding"):
        problems.append(f"{gateway}: IP forwarding is on: the sides may only meet through the listed flows")
    return problems


def isolation_gateway_policy(rule: Rule, ctx: CheckContext) -> list[Finding]:
    """Every isolation gateway's rendered policy passes ``check_isolation_policy``. (That only the
    gateway links an intranet is ``intranet_isolation``'s job.)"""
    net = ctx.network
    found: list[Finding] = []
    for dev in net.by_role("isolation_gateway"):
        for problem in check_isolation_policy(isolation_policy(net, dev.name)):
            found.append(ctx.finding(rule, dev.name, Location.parse(dev.source), problem))
    return found


CHECKS = {"isolation_gateway_policy": isolation_gateway_policy}
"""The intent check this module adds (for ``govnet.check.intent.CHECKS``)."""
