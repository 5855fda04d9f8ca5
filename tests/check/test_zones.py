"""GN-INT-015/016 on hand-written SecPath configs: each broken config fires, its look-alike does not.

GN-INT-015: every SecPath interface with an address (loopbacks aside) is imported into exactly one
security zone. GN-INT-016: every ``action pass`` rule of ``security-policy ip`` names a source and
a destination zone and matches a source or destination address. The rendered district passes
both, and its zones and policy are the model's flows (asserted below from the render context).
"""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest
from spec_support import check, district, failing, rendered

from govnet.check import IntendedConfig
from govnet.render.context import NetworkIndex

RULES = ["GN-INT-015", "GN-INT-016"]

HEAD = """\
#
 sysname kf-lb-1
#
interface GigabitEthernet1/0/1
 port link-mode route
 ip address 10.8.15.20 255.255.255.240
#
interface GigabitEthernet1/0/3
 port link-mode route
 ip address 10.8.0.225 255.255.255.252
#
interface GigabitEthernet1/0/0
 ip address 10.240.0.20 255.252.0.0
#
interface LoopBack0
 ip address 10.8.255.20 255.255.255.255
#
interface GigabitEthernet1/0/5
 port link-mode route
#
"""
ZONES = """\
security-zone name Trust
 import interface GigabitEthernet1/0/1
#
security-zone name Untrust
 import interface GigabitEthernet1/0/3
#
security-zone name Management
 import interface GigabitEthernet1/0/0
#
"""
PASS_RULE = """\
security-policy ip
 rule 0 name internet-zone-to-internet
  action pass
  logging enable
  source-zone Trust
  destination-zone Untrust
  source-ip-subnet 10.64.0.0 255.224.0.0
 rule 1 name deny-default
  action drop
  logging enable
#
return
"""
CLEAN = HEAD + ZONES + PASS_RULE


def _run(text: str) -> tuple[set[str], list[str]]:
    configs = rendered()
    configs["kf-lb-1"] = IntendedConfig("kf-lb-1", "h3c_secpath", text, "kf-lb-1.cfg")
    report = check(configs=configs, rules=RULES)
    return failing(report), [f.message for f in report.findings]


FIRES = [
    pytest.param(
        CLEAN.replace(" import interface GigabitEthernet1/0/3\n", ""),
        "GN-INT-015",
        "interface GigabitEthernet1/0/3 has an address but is in no security zone",
        id="addressed-port-in-no-zone",
    ),
    pytest.param(
        CLEAN.replace(" import interface GigabitEthernet1/0/0\n", ""),
        "GN-INT-015",
        "interface GigabitEthernet1/0/0 has an address but is in no security zone",
        id="management-port-in-no-zone",
    ),
    pytest.param(
        CLEAN.replace(
            "security-zone name Untrust\n",
            "security-zone name Untrust\n import interface GigabitEthernet1/0/1\n",
        ),
        "GN-INT-015",
        "interface GigabitEthernet1/0/1 is imported into 2 security zones (Trust, Untrust)",
        id="port-in-two-zones",
    ),
    pytest.param(
        CLEAN.replace("  source-zone Trust\n", ""),
        "GN-INT-016",
        "policy rule internet-zone-to-internet passes traffic without a source-zone",
        id="pass-without-source-zone",
    ),
    pytest.param(
        CLEAN.replace("  source-zone Trust\n  destination-zone Untrust\n", ""),
        "GN-INT-016",
        "passes traffic without a source-zone or destination-zone",
        id="pass-without-any-zone",
    ),
    pytest.param(
        CLEAN.replace("  source-ip-subnet 10.64.0.0 255.224.0.0\n", ""),
        "GN-INT-016",
        "policy rule internet-zone-to-internet passes any source to any destination (Trust -> Untrust)",
        id="pass-any-to-any-between-zones",
    ),
    pytest.param(
        CLEAN.replace(
            " rule 1 name deny-default\n  action drop\n", " rule 1 name deny-default\n  action pass\n"
        ),
        "GN-INT-016",
        "policy rule deny-default passes traffic without a source-zone or destination-zone",
        id="final-rule-turned-to-pass",
    ),
]


@pytest.mark.parametrize(("text", "rule", "message"), FIRES)
def test_broken_secpath_config_fires_its_rule(text: str, rule: str, message: str) -> None:
    assert text != CLEAN
    rules, messages = _run(text)
    assert rules == {rule}, messages
    assert len(messages) == 1 and message in messages[0], messages


LOOK_ALIKES = [
    pytest.param(CLEAN, id="as-written"),
    pytest.param(
        CLEAN.replace(" rule 1 name deny-default\n  action drop\n", " rule 1 name deny-default\n"),
        id="drop-rule-with-default-action-not-printed",
    ),
    pytest.param(
        CLEAN.replace("  source-ip-subnet 10.64.0.0 255.224.0.0\n", "  source-ip-subnet 10.64.0.0 11\n"),
        id="subnet-as-mask-length",
    ),
    pytest.param(
        CLEAN.replace("  source-ip-subnet 10.64.0.0 255.224.0.0\n", "  destination-ip-host 192.0.2.10\n"),
        id="destination-only-is-not-any-to-any",
    ),
    pytest.param(
        CLEAN.replace("  action pass\n", "  action drop\n"),
        id="zone-less-address-less-drop-is-fine",
    ),
    pytest.param(
        CLEAN.replace("security-policy ip\n", "security-policy ipv6\n"),
        id="ipv6-policy-is-another-view",
    ),
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alike_does_not_fire(text: str) -> None:
    """Loopback and an address-less port in no zone, a drop rule without zones: all fine."""
    rules, messages = _run(text)
    assert rules == set(), messages


def test_rendered_secpaths_pass_both_rules() -> None:
    configs = rendered()
    report = check(configs=configs, rules=RULES)
    assert report.findings == []
    assert {(r.rule_id, r.status) for r in report.results} == {("GN-INT-015", "pass"), ("GN-INT-016", "pass")}
    for device in ("kf-lb-1", "kf-vpn-1"):  # not vacuous: both devices carry zones and a policy
        text = configs[device].text
        assert "\nsecurity-zone name Untrust\n" in text and "\nsecurity-policy ip\n rule 0 name " in text


def test_zones_hold_every_port_and_the_policy_is_the_model_flows() -> None:
    net = district()
    index = NetworkIndex.build(net)
    lb = index.facts(net.devices["kf-lb-1"]).edge_policy
    zones = {z.name: z.interfaces for z in lb.zones}
    assert zones == {
        "Local": (),
        "Trust": ("GigabitEthernet1/0/1",),
        "DMZ": (),
        "Untrust": ("GigabitEthernet1/0/3", "GigabitEthernet1/0/4"),
        "Management": ("GigabitEthernet1/0/0",),
    }
    flows = {(r.name, r.source_zone, r.destination_zone, r.service) for r in lb.rules}
    assert flows == {
        ("noc-to-management", "Management", "Local", "noc-management"),
        ("management-to-noc", "Local", "Management", "noc-services"),
        ("internet-to-vpn-portal-vpn-1", "Untrust", "Local", "tcp-443"),
        ("vpn-portal-vpn-1-members", "Local", "Trust", "tcp-443"),
        ("isp-link-probes", "Local", "Untrust", "icmp-echo"),
        ("internet-zone-to-internet", "Trust", "Untrust", None),
    }
    internet = next(r for r in lb.rules if r.name == "internet-zone-to-internet")
    assert internet.source_addresses == (net.zones["internet"].site_pool,)
    members = next(r for r in lb.rules if r.name == "vpn-portal-vpn-1-members")
    assert members.destination_addresses == (IPv4Network("10.8.15.36/32"),)

    vpn = index.facts(net.devices["kf-vpn-1"]).edge_policy
    vpn_zones = {z.name: z.interfaces for z in vpn.zones}
    assert vpn_zones["VPN-public"] == ("SSLVPN-AC1",)
    assert vpn_zones["DMZ"] == ("GigabitEthernet1/0/1",)  # the firewall pair's DMZ: the portal
    assert vpn_zones["Trust-public"] == ("GigabitEthernet1/0/2",)  # the leg into the public zone
    into_dmz = [
        (r.name, r.source_zone, r.service) for r in vpn.rules if "DMZ" in (r.source_zone, r.destination_zone)
    ]
    assert into_dmz == [("remote-users-to-sslvpn-gateway", "DMZ", "tcp-443")]
    [access] = vpn.sslvpn
    pool = net.devices["kf-vpn-1"].user_pools["public"]
    assert access.address.network == pool and access.address.ip == pool.network_address + 1
    assert (access.first, access.last) == (pool.network_address + 2, pool.broadcast_address - 1)
    users = next(r for r in vpn.rules if r.source_zone == "VPN-public")
    assert (users.destination_zone, users.source_addresses, users.destination_addresses) == (
        "Trust-public",
        (pool,),
        (net.zones["public"].site_pool,),
    )
    for policy in (lb, vpn):  # every pass rule bounded by zones and an address
        assert all(r.source_zone and r.destination_zone for r in policy.rules)
        assert all(r.source_addresses or r.destination_addresses for r in policy.rules)
