"""Zone separation read from the configs: route-target imports and the VPN binding of zone interfaces."""

from __future__ import annotations

from govnet.check import facts
from govnet.check.configtree import ConfigTree
from govnet.check.context import CheckContext, Finding
from govnet.check.rules import Rule
from govnet.model import Device


def zone_route_targets(rule: Rule, ctx: CheckContext, device: Device, tree: ConfigTree) -> list[Finding]:
    """A zone's VPN instance imports only its own route target and its reviewed exceptions."""
    zones = ctx.network.zones.values()
    by_vrf = {z.vrf: z for z in zones}
    owner = {z.route_target: z.name for z in zones}
    found: list[Finding] = []
    for imp in facts.vpn_imports(tree):
        zone = by_vrf.get(imp.vrf)
        if zone is None or imp.route_target == zone.route_target or imp.route_target in zone.imports:
            continue
        whose = (
            f"the {owner[imp.route_target]} zone's route target"
            if imp.route_target in owner
            else "a target of no zone"
        )
        fix = tree.reader.undo_import.format(vrf=imp.vrf, rt=imp.route_target)
        message = (
            f"VPN instance {imp.vrf} ({zone.name} zone) imports {imp.route_target}, {whose}, "
            f"without a reviewed route exception; fix: {fix}"
        )
        found.append(ctx.finding(rule, device.name, ctx.config_location(device.name, imp.line), message))
    return found


def zone_bindings(rule: Rule, ctx: CheckContext, device: Device, tree: ConfigTree) -> list[Finding]:
    """Every interface the model puts in a zone is bound to that zone's VPN instance in the config."""
    found: list[Finding] = []
    for intf in device.interfaces:
        if intf.vrf is None:
            continue
        vrf, line = facts.interface_vrf(tree, intf.name)
        if vrf == intf.vrf:
            continue
        ifname = facts.platform_ifname(tree, intf.name)
        where = ctx.config_location(device.name, line or 1)
        fix = tree.reader.bind_vrf.format(ifname=ifname, vrf=intf.vrf)
        toward = f"toward {intf.peer}, link {intf.link_id}"
        if facts.interface_block(tree, intf.name) is None:
            message = (
                f"{ifname} ({toward}) is not configured; it belongs in VPN instance {intf.vrf}; fix: {fix}"
            )
        elif vrf is None:
            message = (
                f"{ifname} ({toward}) is in the global table, not in {intf.vrf}, its zone's VPN; fix: {fix}"
            )
        else:
            message = f"{ifname} ({toward}) is bound to {vrf}, but its zone's VPN is {intf.vrf}; fix: {fix}"
        found.append(ctx.finding(rule, device.name, where, message))
    return found
