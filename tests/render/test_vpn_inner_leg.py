"""The VPN gateway's inner leg: its users' way into the zone they land in.

The SSL VPN gateway sits on the firewall pair's DMZ for its portal only; for each zone its users
land in (``vpn_users``) it has an edge link to a PE port bound to that zone's VPN. The gateway
routes the zone's prefixes over that leg and passes VPN-<zone> -> Trust-<zone>; the PE routes the
user pool back in the zone's VPN and imports it into BGP, so every PE of the zone learns it.
"""

from __future__ import annotations

import dataclasses
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

from conftest import Edit

from govnet.check import intended_from_rendered, run_checks
from govnet.credentials import Credentials
from govnet.inventory import load_network
from govnet.lab.topology import build_topology
from govnet.model import Network
from govnet.render import render_device, render_network
from govnet.render.context import NetworkIndex
from govnet.render.linux_edge import route_lines
from govnet.render.routing import StaticRoute, ZoneLeg, zone_legs

CREDS = Credentials()
POOL = IPv4Network("10.255.255.0/24")
PUBLIC_SITES = IPv4Network("10.128.0.0/9")


def test_the_gateways_leg_into_the_public_zone_ends_on_core_2(network: Network) -> None:
    assert network.devices["kf-vpn-1"].user_pools == {"public": POOL}
    assert zone_legs(network, network.devices["kf-vpn-1"]) == (
        ZoneLeg("public", "GigabitEthernet1/0/2", "kf-core-2", IPv4Address("10.8.1.9")),
    )
    assert network.devices["kf-core-2"].interface("XGigabitEthernet1/0/4").vrf == "PUBLIC"


def test_gateway_routes_the_zone_over_the_leg_and_the_rest_via_the_firewall_pair(network: Network) -> None:
    facts = NetworkIndex.build(network).facts(network.devices["kf-vpn-1"])
    assert facts.static_routes == (
        StaticRoute(
            None, IPv4Network("0.0.0.0/0"), IPv4Address("10.8.15.33"), "internet via the firewall pair"
        ),
        StaticRoute(None, PUBLIC_SITES, IPv4Address("10.8.1.9"), "public zone via kf-core-2"),
    )
    assert route_lines(network, "kf-vpn-1") == ["0.0.0.0/0 via 10.8.15.33", "10.128.0.0/9 via 10.8.1.9"]


def test_core_2_routes_the_user_pool_back_in_the_public_vpn_and_core_1_learns_it_by_bgp(
    network: Network,
) -> None:
    index = NetworkIndex.build(network)
    core2 = index.facts(network.devices["kf-core-2"])
    back = [r for r in core2.static_routes if r.prefix == POOL]
    assert back == [
        StaticRoute("PUBLIC", POOL, IPv4Address("10.8.1.10"), "public zone VPN users via kf-vpn-1")
    ]
    assert "PUBLIC" in core2.vrfs_with_static
    core1 = index.facts(network.devices["kf-core-1"])
    assert not [r for r in core1.static_routes if r.prefix == POOL]  # a VPNv4 route there, from core-2
    assert {s.peer for s in core1.bgp_sessions} >= {"kf-core-2"}


def test_core_2_renders_the_route_and_imports_its_statics_into_the_public_vpn(network: Network) -> None:
    vrp = render_device(network, "kf-core-2", credentials=CREDS).text
    assert (
        "ip route-static vpn-instance PUBLIC 10.255.255.0 255.255.255.0 10.8.1.10 "
        "description public zone VPN users via kf-vpn-1\n" in vrp
    )
    assert " ipv4-family vpn-instance PUBLIC\n  import-route direct\n  import-route static\n" in vrp
    assert "interface XGigabitEthernet1/0/4\n undo portswitch\n description to kf-vpn-1 " in vrp
    assert " ip binding vpn-instance PUBLIC\n mtu 1500\n ip address 10.8.1.9 255.255.255.252\n" in vrp
    frr = render_device(network, "kf-core-2", lab=True, credentials=CREDS).text
    assert "interface xge1-0-4 vrf PUBLIC\n" in frr
    assert (
        "vrf PUBLIC\n ip route 0.0.0.0/0 10.8.0.246\n ip route 10.255.255.0/24 10.8.1.10\nexit-vrf\n" in frr
    )
    bgp_public = frr.split("router bgp 65010 vrf PUBLIC\n")[1].split("exit\n")[0]
    assert "  redistribute static\n" in bgp_public and "  export vpn\n" in bgp_public


def test_gateway_policy_passes_users_only_into_their_zone_through_the_leg(network: Network) -> None:
    text = render_device(network, "kf-vpn-1", credentials=CREDS).text
    assert "security-zone name Trust-public\n import interface GigabitEthernet1/0/2\n#\n" in text
    assert "security-zone name DMZ\n import interface GigabitEthernet1/0/1\n#\n" in text
    users = text.split(" rule 3 name vpn-public-users-to-public-zone\n")[1].split(" rule 4 ")[0]
    assert "  source-zone VPN-public\n  destination-zone Trust-public\n" in users
    assert "destination-zone DMZ" not in users
    assert "ip route-static 10.128.0.0 9 10.8.1.9 description public zone via kf-core-2\n" in text


def test_the_twin_wires_the_leg_as_a_veth(network: Network) -> None:
    topology = build_topology(network, ["kf-core-2", "kf-vpn-1"])
    [leg] = topology.links_between("kf-core-2", "kf-vpn-1")
    assert (leg.a_ifname, leg.b_ifname) == ("xge1-0-4", "ge1-0-2")
    vpn = {i.ifname: str(i.ip) for i in topology.node("kf-vpn-1").interfaces}
    assert vpn["ge1-0-2"] == "10.8.1.10/30"


def test_legs_generalise_to_a_second_core_and_a_second_zone(inventory_copy: Path, edit: Edit) -> None:
    """Users in the police zone too, with a leg on core-1; a second public leg on core-1: the
    gateway routes each zone over its legs (ECMP for two), each PE routes back the pool of the zone
    its port is in, and the whole check stays clean."""
    isogw = "  - {id: 15, a: isogw-1,"
    edit(
        "districts/kaifu.yaml",
        isogw,
        "  - {id: 19, a: core-1, a_interface: XGigabitEthernet1/0/6, b: vpn-1, "
        "b_interface: GigabitEthernet1/0/3, zone: public}\n"
        "  - {id: 20, a: core-1, a_interface: XGigabitEthernet1/0/7, b: vpn-1, "
        "b_interface: GigabitEthernet1/0/4, zone: police}\n" + isogw,
    )
    edit("districts/kaifu.yaml", "  - {gateway: vpn-1, zone: public}", "  - {gateway: vpn-1, zone: public}\n"
         "  - {gateway: vpn-1, zone: police}")  # fmt: skip
    net = load_network(inventory_copy)
    police = net.zones["police"]
    pools = net.devices["kf-vpn-1"].user_pools
    assert set(pools) == {"public", "police"} and pools["police"].subnet_of(police.site_pool)
    assert route_lines(net, "kf-vpn-1") == [
        "0.0.0.0/0 via 10.8.15.33",
        "10.128.0.0/9 nexthop via 10.8.1.9 nexthop via 10.8.1.13",
        f"{police.site_pool} via 10.8.1.17",
    ]
    index = NetworkIndex.build(net)
    core1 = {(r.vrf, r.prefix, str(r.next_hop)) for r in index.facts(net.devices["kf-core-1"]).static_routes}
    assert {("PUBLIC", POOL, "10.8.1.14"), ("POLICE", pools["police"], "10.8.1.18")} <= core1
    policy = index.facts(net.devices["kf-vpn-1"]).edge_policy
    zones = {z.name: z.interfaces for z in policy.zones}
    assert sorted(zones["Trust-public"]) == ["GigabitEthernet1/0/2", "GigabitEthernet1/0/3"]
    assert zones["Trust-police"] == ("GigabitEthernet1/0/4",)
    users = {(r.source_zone, r.destination_zone) for r in policy.rules if r.source_zone.startswith("VPN-")}
    assert users == {("VPN-public", "Trust-public"), ("VPN-police", "Trust-police")}
    configs = intended_from_rendered(render_network(net, credentials=CREDS))
    report = run_checks(net, configs)
    assert report.findings == [], [f"{f.rule_id} {f.device} {f.message}" for f in report.findings]
    # the department zones share one site pool: the pool's zone is the one its context names
    vpn = configs["kf-vpn-1"]
    assert vpn.text.count("sslvpn context police\n") == 1
    configs["kf-vpn-1"] = dataclasses.replace(
        vpn, text=vpn.text.replace("sslvpn context police\n", "sslvpn context staff\n")
    )
    [finding] = run_checks(net, configs, ["GN-INT-014"]).findings
    assert "user pool police-users" in finding.message
    assert "lies in zones police, court, procuratorate, ntax, ltax, aic's site pool" in finding.message
