"""Table-driven rule tests on small hand-written configs, with the look-alikes that must not fire.

Each row puts one short config on one device of the shipped district (the rest of the district
has no config, so only that device is checked) and names the findings the rule must give:
several VTY blocks, the same NTP server twice, ``any`` and its look-alikes, an ACL bound but not
defined, VRP8 syntax, built-in VPN instances.
"""

from __future__ import annotations

import dataclasses

import pytest
from spec_support import district, edit, rendered

from govnet.check import IntendedConfig, run_checks

ACC, H3C, FW, CORE, AGG = (
    "kf-acc-dongfenglu-c01",
    "kf-agg-laodaohe",
    "kf-fw-1",
    "kf-core-1",
    "kf-agg-dongfenglu",
)
DEVICE = {"huawei_vrp": ACC, "h3c_comware": H3C, "huawei_usg": FW, "huawei_vrpv8": CORE}


def findings(rule_id: str, platform: str, text: str) -> list[str]:
    device = DEVICE[platform]
    config = IntendedConfig(device, platform, text, f"hand/{device}.cfg")
    report = run_checks(district(), {device: config}, [rule_id])
    assert {r.device for r in report.results if r.status != "not_applicable"} <= {device}
    return [f.message for f in report.findings]


VTY2 = "#\nuser-interface vty 0 4\n acl 2001 inbound\n idle-timeout 10 0\nuser-interface vty 16 20\n"
ACL = "#\nacl number 2001\n rule 5 permit source 10.254.0.0 0.0.0.255\n rule 10 deny\n#\n"

# (rule, platform, config, number of findings, text every finding contains)
TABLE = [
    # every VTY block is checked, not only the first
    (
        "GN-CFG-104",
        "huawei_vrp",
        VTY2 + " idle-timeout 0 0\n",
        1,
        "in 'user-interface vty 16 20': the idle timeout is 0",
    ),
    ("GN-CFG-104", "huawei_vrp", VTY2 + " idle-timeout 30 0\n", 1, "above 10"),
    ("GN-CFG-104", "huawei_vrp", VTY2 + " idle-timeout 5 0\n", 0, ""),
    ("GN-CFG-104", "huawei_vrp", VTY2, 0, ""),  # the second block at the default (10 minutes)
    (
        "GN-CFG-104",
        "h3c_comware",
        "#\nline vty 0 31\n idle-timeout 10 0\nline vty 32 63\n idle-timeout 0 0\n",
        1,
        "'line vty 32 63'",
    ),
    (
        "GN-CFG-102",
        "huawei_vrp",
        VTY2 + " idle-timeout 5 0\n",
        1,
        "'user-interface vty 16 20' has no management ACL",
    ),
    ("GN-CFG-102", "huawei_vrp", VTY2 + " acl 2001 inbound\n", 0, ""),
    ("GN-CFG-102", "huawei_vrp", VTY2 + "#\nssh server acl 2001\n", 0, ""),  # the SSH server ACL covers both
    # the same NTP server twice counts once
    (
        "GN-CFG-106",
        "huawei_vrp",
        "ntp-service unicast-server 10.254.0.11\nntp-service unicast-server 10.254.0.11\n",
        1,
        "only 1 of at least 2",
    ),
    (
        "GN-CFG-106",
        "huawei_vrp",
        "ntp-service unicast-server 10.254.0.11\n"
        "ntp-service unicast-server 10.254.0.11 authentication-keyid 1\n",
        1,
        "only 1 of at least 2",
    ),
    (
        "GN-CFG-106",
        "huawei_vrp",
        "ntp-service unicast-server 10.254.0.11\nntp-service unicast-server 10.254.0.12\n",
        0,
        "",
    ),
    (
        "GN-CFG-106",
        "huawei_vrpv8",
        "ntp unicast-server 10.254.0.11\nntp unicast-server 10.254.0.12 vpn-instance _management_vpn_\n",
        0,
        "",
    ),
    (
        "GN-CFG-106",
        "huawei_vrpv8",
        "ntp-service unicast-server 10.254.0.11\nntp-service unicast-server 10.254.0.12\n",
        1,
        "only 0",
    ),
    # management ACL: bound but not defined, 'any' and its look-alikes
    (
        "GN-CFG-112",
        "huawei_vrp",
        "#\nuser-interface vty 0 4\n acl 2001 inbound\n",
        1,
        "ACL 2001 is bound but not defined",
    ),
    ("GN-CFG-112", "huawei_vrp", "#\nssh server acl 2005\n" + ACL, 1, "ACL 2005 is bound but not defined"),
    (
        "GN-CFG-112",
        "huawei_vrp",
        "#\nssh server acl 2001\n" + ACL.replace(" rule 10 deny", " rule 8 permit source any\n rule 10 deny"),
        1,
        "admits any source",
    ),
    (
        "GN-CFG-112",
        "huawei_vrp",
        "#\nssh server acl 2001\n" + ACL.replace(" rule 10 deny", " rule 8 permit\n rule 10 deny"),
        1,
        "admits any source",
    ),
    (
        "GN-CFG-112",
        "huawei_vrp",
        "#\nssh server acl 2001\n"
        + ACL.replace(" rule 10 deny", " rule 8 permit source 0.0.0.0 255.255.255.255\n rule 10 deny"),
        1,
        "admits 0.0.0.0/0",
    ),
    (
        "GN-CFG-112",
        "huawei_vrp",
        "#\nssh server acl 2001\n" + ACL.replace(" rule 10 deny", " rule 8 deny source any\n rule 10 deny"),
        0,
        "",
    ),
    (  # a wildcard that is no address: nothing shows the rule stays inside (it crashed the check)
        "GN-CFG-112",
        "huawei_vrp",
        "#\nssh server acl 2001\n"
        + ACL.replace(" rule 10 deny", " rule 8 permit source 10.254.0.7 999.0.0.0\n rule 10 deny"),
        1,
        "admits any source",
    ),
    (
        "GN-CFG-112",
        "huawei_vrp",
        "#\nssh server acl 2001\n"
        + ACL.replace(" rule 10 deny", " rule 8 permit source 10.254.0.7 0\n rule 10 deny"),
        0,
        "",
    ),
    (
        "GN-CFG-112",
        "huawei_vrp",
        "#\nssh server acl 2001\n"
        + ACL.replace(
            " rule 10 deny", " rule 8 permit vpn-instance company source 10.254.0.0 0.0.0.255\n rule 10 deny"
        ),
        0,
        "",
    ),
    (
        "GN-CFG-112",
        "huawei_vrp",
        "#\nssh server acl 2001\n"
        + ACL.replace("NOC", "").replace(" rule 10 deny", " description permit any\n rule 10 deny"),
        0,
        "",
    ),
    ("GN-CFG-112", "huawei_vrp", ACL, 0, ""),  # defined but bound nowhere: nothing to restrict
    # SSH/telnet syntax per platform
    ("GN-CFG-101", "huawei_vrpv8", "stelnet ipv4 server enable\n", 0, ""),
    ("GN-CFG-101", "huawei_vrpv8", "stelnet server enable\ntelnet server disable\n", 0, ""),
    (
        "GN-CFG-101",
        "huawei_vrpv8",
        "stelnet ipv4 server enable\ntelnet ipv4 server enable\n",
        1,
        "telnet server enabled",
    ),
    ("GN-CFG-101", "huawei_vrp", "stelnet server enable\n", 1, "fix: undo telnet server enable"),
    ("GN-CFG-101", "h3c_comware", "ssh server enable\n", 0, ""),  # Comware 7: telnet off by default
    (
        "GN-CFG-101",
        "h3c_comware",
        "ssh server enable\ntelnet server enable\n",
        1,
        "fix: undo telnet server enable",
    ),
    # syslog host, with or without a VPN instance, in either order
    ("GN-CFG-107", "h3c_comware", "info-center loghost vpn-instance MGMT 10.254.0.10\n", 0, ""),
    ("GN-CFG-107", "huawei_vrpv8", "info-center loghost 10.254.0.10 vpn-instance _management_vpn_\n", 0, ""),
    ("GN-CFG-107", "huawei_vrp", "info-center loghost source MEth0/0/1\n", 1, "no syslog host"),
    # lockout: the VRP default, the USG form
    ("GN-CFG-103", "huawei_vrp", "aaa\n local-user a password irreversible-cipher x\n", 0, ""),
    (
        "GN-CFG-103",
        "huawei_vrp",
        "aaa\n local-aaa-user wrong-password retry-interval 5 retry-time 6 block-time 5\n",
        1,
        "is 6",
    ),
    ("GN-CFG-103", "huawei_usg", "aaa\n lock-authentication failed-count 3\n", 0, ""),
    (
        "GN-CFG-103",
        "huawei_usg",
        "aaa\n local-aaa-user wrong-password retry-interval 5 retry-time 3 block-time 5\n",
        1,
        "lock-authentication failed-count 3",
    ),
    # secrets: cipher lists are not secrets, clear values after 'cipher' are
    (
        "GN-CFG-108",
        "huawei_vrp",
        "ssh server cipher aes256_ctr aes128_ctr\nssh client cipher aes256_ctr\n",
        0,
        "",
    ),
    (
        "GN-CFG-108",
        "huawei_vrp",
        "snmp-agent usm-user v3 noc authentication-mode sha cipher Huawei@123\n",
        1,
        "clear text",
    ),
    (
        "GN-CFG-108",
        "huawei_vrp",
        "snmp-agent usm-user v3 noc authentication-mode sha cipher %^%#abcdefghijkl%^%#\n",
        0,
        "",
    ),
    (
        "GN-CFG-108",
        "huawei_vrp",
        "aaa\n local-aaa-user password policy administrator\n  password expire 90\n",
        0,
        "",
    ),
    (
        "GN-CFG-108",
        "huawei_vrp",
        "mpls ldp\n md5-password cipher 10.0.0.9 Secret123\n",
        1,
        "LDP key is stored in clear text",
    ),
    ("GN-CFG-108", "h3c_comware", "ssh2 algorithm cipher aes256-ctr aes128-ctr\n", 0, ""),
    # VPN instances: the built-in ones need no RD/RT
    ("GN-CFG-111", "huawei_usg", "ip vpn-instance default\n ipv4-family\n", 0, ""),
    ("GN-CFG-111", "huawei_vrpv8", "ip vpn-instance _management_vpn_\n ipv4-family\n", 0, ""),
    (
        "GN-CFG-111",
        "huawei_usg",
        "ip vpn-instance DMZ\n ipv4-family\n",
        1,
        "lacks a route-distinguisher, an export route target, an import route target",
    ),
    # every line through AAA
    (
        "GN-CFG-120",
        "huawei_vrp",
        "user-interface con 0\n authentication-mode aaa\n"
        "user-interface vty 0 4\n authentication-mode password\n",
        1,
        "logs in without AAA",
    ),
    (
        "GN-CFG-120",
        "huawei_vrp",
        "user-interface con 0\n authentication-mode aaa\nuser-interface vty 0 4\n authentication-mode aaa\n",
        0,
        "",
    ),
    (
        "GN-CFG-120",
        "h3c_comware",
        "line vty 0 63\n authentication-mode scheme\n",
        1,
        "the console logs in without a password",
    ),
    # SNMP: group ACL, no write view
    (
        "GN-CFG-121",
        "huawei_vrp",
        "snmp-agent group v3 NOC privacy read-view iso write-view iso acl 2001\n"
        "snmp-agent target-host trap address udp-domain 10.254.0.10 params securityname noc v3 privacy\n",
        1,
        "can write",
    ),
    (
        "GN-CFG-121",
        "huawei_vrp",
        "snmp-agent group v3 NOC privacy read-view iso acl 2001\n",
        1,
        "no SNMPv3 trap host with privacy",
    ),
    (
        "GN-CFG-121",
        "huawei_vrp",
        "snmp-agent group v3 NOC privacy read-view iso acl 2001\n"
        "snmp-agent target-host trap address udp-domain 10.254.0.10 "
        "params securityname noc v3 authentication\n",
        1,
        "no SNMPv3 trap host with privacy",
    ),
]


@pytest.mark.parametrize(("rule_id", "platform", "text", "count", "says"), TABLE, ids=lambda v: str(v)[:30])
def test_rule_on_a_hand_written_config(rule_id: str, platform: str, text: str, count: int, says: str) -> None:
    messages = findings(rule_id, platform, text)
    assert len(messages) == count, messages
    assert all(says in m for m in messages), messages


# ---------------------------------------------------------------- BGP sessions across two configs


def test_peer_as_is_compared_with_the_peer_routers_own_as() -> None:
    """An aggregation node in another AS, configured correctly on both sides: no finding."""
    configs = rendered()
    edit(configs, AGG, "bgp 65010\n", "bgp 65011\n")
    for core in (CORE, "kf-core-2"):
        edit(configs, core, " peer 10.0.0.65 as-number 65010", " peer 10.0.0.65 as-number 65011")
    report = run_checks(district(), configs, ["GN-X-204"])
    assert report.findings == [], [f.message for f in report.findings]


def test_peer_as_mismatch_blames_the_router_that_configured_it() -> None:
    configs = rendered()
    edit(configs, AGG, "bgp 65010\n", "bgp 65011\n")
    edit(configs, "kf-core-2", " peer 10.0.0.65 as-number 65010", " peer 10.0.0.65 as-number 65011")
    report = run_checks(district(), configs, ["GN-X-204"])  # core-1 still says 65010 for it
    expected = (
        "session with kf-agg-dongfenglu: peer 10.0.0.65 as-number 65010 but kf-agg-dongfenglu runs AS 65011"
    )
    assert [(f.device, f.message) for f in report.findings] == [(CORE, expected)]


def test_router_without_a_bgp_instance() -> None:
    configs = rendered()
    text = configs[AGG].text
    start = text.index("bgp 65010\n")
    end = text.index("\n#\n", start) + 3
    configs[AGG] = dataclasses.replace(configs[AGG], text=text[:start] + text[end:])
    report = run_checks(district(), configs, ["GN-X-204", "GN-CFG-115"])
    assert {f.device for f in report.findings} == {AGG}
    assert {f.message for f in report.findings} == {
        "session with kf-core-1: no BGP instance on kf-agg-dongfenglu",
        "session with kf-core-2: no BGP instance on kf-agg-dongfenglu",
    }


def test_session_configured_on_one_side_only_is_found_on_the_side_that_lacks_it() -> None:
    configs = rendered()
    for line in ("peer 10.0.0.9 as-number 65010", "peer 10.0.0.9 description kf-core-1",
                 "peer 10.0.0.9 connect-interface LoopBack0",
                 "peer 10.0.0.9 password cipher ${secret:GOVNET_BGP_PASSWORD}",
                 "undo peer 10.0.0.9 enable", "peer 10.0.0.9 enable"):  # fmt: skip
        edit(configs, AGG, f" {line}\n", "\n")
    report = run_checks(district(), configs, ["GN-X-204"])
    assert [(f.device, f.message) for f in report.findings] == [
        (AGG, "session with kf-core-1: kf-agg-dongfenglu has no peer 10.0.0.9 (kf-core-1's loopback)")
    ]
