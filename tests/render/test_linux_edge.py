"""The edge rendered from the model: the firewall pair's VRRP/HRP facts, routes toward virtual
addresses, keepalived configs, the IPS and load balancer rulesets, and the twin's bridges."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

import pytest

from govnet.credentials import Credentials
from govnet.lab.keepalived import HaPairStatus, format_ha_pairs, ha_pairs, keepalived_config, pair_health
from govnet.lab.linux_edge import route_commands, ruleset
from govnet.lab.topology import LabTopology, build_topology
from govnet.model import Network
from govnet.render import render_device
from govnet.render.context import DeviceFacts, NetworkIndex
from govnet.render.routing import StaticRoute

CREDS = Credentials()
EDGE = ["kf-fw-1", "kf-fw-2", "kf-ips-1", "kf-lb-1", "kf-vpn-1", "kf-isogw-1", "kf-srv-1", "kf-srv-2"]
DEFAULT = IPv4Network("0.0.0.0/0")
INTERNET_SITES = IPv4Network("10.64.0.0/11")


def _facts(network: Network, name: str) -> DeviceFacts:
    return NetworkIndex.build(network).facts(network.devices[name])


def test_pair_members_carry_the_same_groups_one_active_one_standby(network: Network) -> None:
    fw1, fw2 = _facts(network, "kf-fw-1"), _facts(network, "kf-fw-2")
    assert [(g.vrid, g.interface, g.virtual_ip) for g in fw1.vrrp] == [
        (g.vrid, g.interface, g.virtual_ip) for g in fw2.vrrp
    ]
    assert [g.vrid for g in fw1.vrrp] == [1, 2, 3]
    assert all(
        g.active and g.priority > h.priority and not h.active for g, h in zip(fw1.vrrp, fw2.vrrp, strict=True)
    )
    assert fw1.vrrp[0].netmask == IPv4Address("255.255.255.240")
    assert fw1.vrrp[1].peers == (IPv4Address("10.8.15.19"),)  # fw-2's address on the outside segment
    assert fw1.hot_standby is not None and fw2.hot_standby is not None
    assert (fw1.hot_standby.standby, fw2.hot_standby.standby) == (False, True)
    assert fw1.hot_standby.interface == "GigabitEthernet1/0/7"
    assert set(fw1.hot_standby.track_interfaces) == {g.interface for g in fw1.vrrp}


def test_firewall_zones_and_routes_follow_the_segments(network: Network) -> None:
    facts = _facts(network, "kf-fw-1")
    zones = {z.name: set(z.interfaces) for z in facts.security_zones}
    assert "GigabitEthernet1/0/1" in zones["trust"] and zones["untrust"] == {"GigabitEthernet1/0/2"}
    assert {"GigabitEthernet1/0/3", "GigabitEthernet1/0/7"} <= zones["dmz"]
    routes = {(r.prefix, r.next_hop) for r in facts.static_routes}
    assert (DEFAULT, IPv4Address("10.8.15.20")) in routes  # the load balancer's own address
    assert (INTERNET_SITES, IPv4Address("10.8.15.4")) in routes  # the IPS
    vpn = next(r for r in facts.security_rules if r.name == "remote-users-to-vpn-gateway")
    assert vpn.destination_addresses == (IPv4Network("10.8.15.36/32"),)


@pytest.mark.parametrize(
    ("device", "route"),
    [
        ("kf-ips-1", StaticRoute(None, DEFAULT, IPv4Address("10.8.15.1"), "internet via the firewall pair")),
        (
            "kf-lb-1",
            StaticRoute(
                None, INTERNET_SITES, IPv4Address("10.8.15.17"), "internet zone sites via the firewall pair"
            ),
        ),
        ("kf-vpn-1", StaticRoute(None, DEFAULT, IPv4Address("10.8.15.33"), "internet via the firewall pair")),
    ],
)
def test_the_exit_routes_to_the_pairs_virtual_addresses(
    network: Network, device: str, route: StaticRoute
) -> None:
    routes = _facts(network, device).static_routes
    assert route in routes
    firewall_addresses = {
        m.ip.ip for s in network.segments for m in s.members if m.device.startswith("kf-fw")
    }
    assert not {r.next_hop for r in routes} & firewall_addresses  # never a member's own address


def test_lb_defaults_over_both_isps_and_ips_returns_over_both_cores(network: Network) -> None:
    lb = route_commands(network, "kf-lb-1")
    assert [
        "route",
        "replace",
        "0.0.0.0/0",
        "nexthop",
        "via",
        "10.8.0.226",
        "nexthop",
        "via",
        "10.8.0.230",
    ] in lb
    ips = route_commands(network, "kf-ips-1")
    assert [
        "route",
        "replace",
        "10.64.0.0/11",
        "nexthop",
        "via",
        "10.8.0.197",
        "nexthop",
        "via",
        "10.8.0.201",
    ] in ips


def test_keepalived_config_mirrors_the_vrrp_facts(network: Network) -> None:
    fw1, fw2 = keepalived_config(network, "kf-fw-1"), keepalived_config(network, "kf-fw-2")
    for vrid, ifname, vip in (
        (1, "ge1-0-1", "10.8.15.1/28"),
        (2, "ge1-0-2", "10.8.15.17/28"),
        (3, "ge1-0-3", "10.8.15.33/28"),
    ):
        block = (
            f"vrrp_instance vrid{vrid} {{\n    state MASTER\n    interface {ifname}\n"
            f"    virtual_router_id {vrid}\n    priority 120"
        )
        assert block in fw1 and block.replace("MASTER", "BACKUP").replace("120", "100") in fw2
        assert f"{vip} dev {ifname}" in fw1 and f"{vip} dev {ifname}" in fw2
    for line in (
        "enable_snmp_vrrp",
        "enable_snmp_rfcv2",
        "enable_snmp_rfcv3",
        "snmp_socket tcp:127.0.0.1:705",
    ):
        assert line in fw1
    assert "vrrp_sync_group kf-fw-1" in fw1  # the pair's groups move together (VGMP)
    srv = keepalived_config(network, "kf-srv-2")
    assert "virtual_router_id 10" in srv and "state BACKUP" in srv and "vrrp_sync_group" not in srv


def test_lab_rulesets_of_ips_and_load_balancer(network: Network) -> None:
    ips = ruleset(network, "kf-ips-1")
    assert 'set inside {\n\t\ttype ifname\n\t\telements = { "ge0-0-1", "ge0-0-2" }' in ips
    assert 'set outside {\n\t\ttype ifname\n\t\telements = { "ge0-0-3" }' in ips
    assert "ip saddr { 10.64.0.0/11 } accept" in ips and "policy drop" in ips
    lb = ruleset(network, "kf-lb-1")
    assert 'elements = { "ge1-0-3", "ge1-0-4" }' in lb and 'elements = { "ge1-0-1" }' in lb
    fw = render_device(network, "kf-fw-1", lab=True, credentials=CREDS).text
    assert 'set trust {\n\t\ttype ifname\n\t\telements = { "ge1-0-1" }' in fw
    assert "ip daddr 224.0.0.18 ip protocol vrrp accept" in fw


@pytest.mark.parametrize("device", ["kf-fw-1", "kf-fw-2"])
def test_every_firewall_renders_for_gear_and_twin(network: Network, device: str) -> None:
    vendor = render_device(network, device, credentials=CREDS).text
    assert "hrp enable" in vendor and "10.8.15" in vendor
    assert render_device(network, device, lab=True, credentials=CREDS).text.startswith("#!/usr/sbin/nft -f")


def test_twin_bridges_one_segment_per_bridge(network: Network) -> None:
    topo = build_topology(network, EDGE)
    assert [s.id for s in topo.segments] == ["kf-dc-servers", "kf-fw-dmz", "kf-fw-inside", "kf-fw-outside"]
    names = [s.bridge for s in topo.segments] + [p.host_veth for s in topo.segments for p in s.ports]
    assert len(set(names)) == len(names) and all(n.startswith("gn-") and len(n) <= 15 for n in names)
    assert topo.node("kf-fw-1").daemons == ("snmpd", "keepalived")
    assert topo.node("kf-ips-1").daemons == ("snmpd",)
    inside = next(s for s in topo.segments if s.id == "kf-fw-inside")
    assert [(g.vrid, g.virtual_ip, g.members) for g in inside.vrrp] == [
        (1, "10.8.15.1", ("kf-fw-1", "kf-fw-2"))
    ]
    assert LabTopology.from_dict(topo.to_dict()) == topo
    assert topo.segments_between("kf-fw-1", "kf-lb-1")[0].id == "kf-fw-outside"


def test_a_segment_with_one_booted_member_gets_no_bridge(network: Network) -> None:
    topo = build_topology(network, ["kf-fw-1", "kf-lb-1"])
    assert [s.id for s in topo.segments] == ["kf-fw-outside"]
    assert topo.node("kf-fw-1").daemons == ("snmpd", "keepalived")


def test_pair_health_and_status_lines() -> None:
    assert pair_health({"a": "master", "b": "backup"}) == "healthy"
    assert pair_health({"a": "backup", "b": "unknown"}) == "down"
    assert pair_health({"a": "master", "b": "master"}) == "split_brain"
    lines = format_ha_pairs(
        [
            HaPairStatus(
                segment="kf-fw-inside",
                vrid=1,
                virtual_ip="10.8.15.1",
                active="kf-fw-1",
                members={"kf-fw-1": "master", "kf-fw-2": "backup"},
                master="kf-fw-1",
                health="healthy",
            )
        ]
    )
    assert lines == [
        "ha kf-fw-inside vrid 1 10.8.15.1: master kf-fw-1 (healthy) kf-fw-1=master kf-fw-2=backup"
    ]


def test_ha_pairs_without_credentials_reports_every_member_unknown(network: Network) -> None:
    pairs = ha_pairs(build_topology(network, EDGE), None)
    assert [p.vrid for p in pairs] == [1, 2, 3, 10]
    assert all(p.health == "down" and p.master is None for p in pairs)
    assert pairs[0].members == {"kf-fw-1": "unknown", "kf-fw-2": "unknown"}
    assert pairs[0].active == "kf-fw-1"
