"""Config rules on small hand-written configs: exact line and message of each finding (mutation tests).

One config on one device of the shipped district (the rest has no config, so only that device is
checked): the core-link OSPF/LDP checks on an aggregation node's two uplinks, and a count bound
with a maximum (no shipped rule has one) from a private rule file.
"""

from __future__ import annotations

from importlib import resources

import yaml
from spec_support import district

from govnet.check import IntendedConfig, run_checks
from govnet.check.rules import RuleSet, parse_rules

AGG = "kf-agg-dongfenglu"  # huawei_vrp; uplinks GigabitEthernet0/0/1 (to kf-core-1) and 0/0/2 (kf-core-2)
UP1 = "kf-core-1--kf-agg-dongfenglu"
UP2 = "kf-core-2--kf-agg-dongfenglu"

UPLINKS = """#
interface GigabitEthernet0/0/1
 ip address 10.8.0.38 255.255.255.252
 mpls
 mpls ldp
#
interface GigabitEthernet0/0/2
 ip address 10.8.0.42 255.255.255.252
 mpls
 mpls ldp
#
interface GigabitEthernet1/0/1
 description to an access site: not a core link
#
ospf 1
 area 0.0.0.0
  network 10.8.0.36 0.0.0.3
  network 10.8.0.40 0.0.0.3
#
"""


def found(
    rule: str, text: str, spec: RuleSet | None = None, device: str = AGG, platform: str = "huawei_vrp"
) -> list[tuple[int, str]]:
    """(config line, message) of every finding of one rule on one device's config."""
    config = IntendedConfig(device, platform, text, f"hand/{device}.cfg")
    report = run_checks(district(), {device: config}, [rule], spec=spec)
    assert {r.device for r in report.results if r.status != "not_applicable"} <= {device}
    assert {f.device for f in report.findings} <= {device}
    return [((f.config_location or f.location).line, f.message) for f in report.findings]


def test_uplinks_with_ospf_and_ldp_pass() -> None:
    assert found("GN-CFG-109", UPLINKS) == []
    assert found("GN-CFG-110", UPLINKS) == []


def test_gn_cfg_109_uplink_outside_every_network_statement() -> None:
    text = UPLINKS.replace("  network 10.8.0.40 0.0.0.3\n", "")
    assert found("GN-CFG-109", text) == [(7, f"core link {UP2}: GigabitEthernet0/0/2 does not run OSPF")]


def test_gn_cfg_109_uplink_in_the_wrong_area_points_at_the_network_line() -> None:
    text = UPLINKS.replace("  network 10.8.0.40 0.0.0.3\n", " area 0.0.0.1\n  network 10.8.0.40 0.0.0.3\n")
    assert found("GN-CFG-109", text) == [
        (19, f"core link {UP2}: GigabitEthernet0/0/2 is in OSPF area 1, the link is in area 0")
    ]


def test_gn_cfg_109_and_110_uplink_interface_missing() -> None:
    text = UPLINKS.replace("interface GigabitEthernet0/0/1\n", "interface GigabitEthernet0/0/9\n")
    message = f"core link {UP1}: interface GigabitEthernet0/0/1 is not configured"
    assert found("GN-CFG-109", text) == [(1, message)]
    assert found("GN-CFG-110", text) == [(1, message)]


def test_gn_cfg_110_names_the_missing_ldp_lines_at_the_interface() -> None:
    text = UPLINKS.replace(
        " mpls\n mpls ldp\n#\ninterface GigabitEthernet1/0/1", "#\ninterface GigabitEthernet1/0/1"
    )
    assert found("GN-CFG-110", text) == [
        (7, f"core link {UP2}: GigabitEthernet0/0/2 lacks LDP (mpls; mpls ldp)")
    ]


def _spec_with_ntp_bound(**bound: int) -> RuleSet:
    data = yaml.safe_load(resources.files("govnet").joinpath("data/spec/rules.yaml").read_text())
    [rule] = [r for r in data["rules"] if r["id"] == "GN-CFG-106"]
    for check in rule["match"]["huawei_vrp"]:
        check["bound"] = bound
    return parse_rules(yaml.safe_dump(data), "test-rules.yaml")


NTP3 = (
    "#\nntp-service unicast-server 10.254.0.11\nntp-service unicast-server 10.254.0.12\n"
    "ntp-service unicast-server 10.254.0.13\n"
)


def test_count_above_its_maximum_points_at_the_last_server() -> None:
    spec = _spec_with_ntp_bound(min=1, max=2)
    fix = "; fix: ntp-service unicast-server <ip> authentication-keyid 1"
    assert found("GN-CFG-106", NTP3, spec) == [(4, f"3, more than 2 distinct NTP servers{fix}")]


def test_count_at_its_maximum_passes() -> None:
    assert found("GN-CFG-106", NTP3, _spec_with_ntp_bound(min=1, max=3)) == []


def test_count_with_nothing_found_points_at_line_1() -> None:
    fix = "; fix: ntp-service unicast-server <ip> authentication-keyid 1"
    assert found("GN-CFG-106", "#\nsysname x\n", _spec_with_ntp_bound(min=1, max=3)) == [
        (1, f"only 0 of at least 1 distinct NTP servers{fix}")
    ]


def _spec_with_link_kinds(rule_id: str, kinds: list[str] | None) -> RuleSet:
    data = yaml.safe_load(resources.files("govnet").joinpath("data/spec/rules.yaml").read_text())
    [rule] = [r for r in data["rules"] if r["id"] == rule_id]
    if kinds is None:
        del rule["params"]
    else:
        rule["params"] = {"link_kinds": kinds}
    return parse_rules(yaml.safe_dump(data), "test-rules.yaml")


def test_link_kinds_param_chooses_the_links_checked() -> None:
    text = UPLINKS.replace("  network 10.8.0.40 0.0.0.3\n", "")
    for rule in ("GN-CFG-109", "GN-CFG-110"):
        assert found(rule, "#\n", _spec_with_link_kinds(rule, ["core-core"])) == []
    assert found("GN-CFG-109", text, _spec_with_link_kinds("GN-CFG-109", ["core-aggregation"])) == [
        (7, f"core link {UP2}: GigabitEthernet0/0/2 does not run OSPF")
    ]


def test_link_kinds_default_to_core_core_and_core_aggregation() -> None:
    net = district()
    expected = sorted(
        lk.id for lk in net.links_of("kf-core-1") if lk.kind in ("core-core", "core-aggregation")
    )
    assert "kf-core-1--kf-core-2" in expected and len(expected) == 14
    for rule in ("GN-CFG-109", "GN-CFG-110"):
        spec = _spec_with_link_kinds(rule, None)
        findings = found(rule, "#\n", spec, device="kf-core-1", platform="huawei_vrpv8")
        assert sorted(m.split(":")[0].removeprefix("core link ") for _, m in findings) == expected
        assert all(line == 1 and m.endswith(" is not configured") for line, m in findings)


# ---------------------------------------------------------------- the fix, filled in like the message

VTY_WITHOUT_ACL = "#\nuser-interface vty 0 4\n authentication-mode aaa\n protocol inbound ssh\n#\n"


def test_fix_names_the_block_that_lacks_the_line() -> None:
    [(line, message)] = found("GN-CFG-102", VTY_WITHOUT_ACL)
    assert line == 2
    assert message == (
        "'user-interface vty 0 4' has no management ACL (nor has the SSH server); "
        "fix: user-interface vty 0 4 / acl 2001 inbound"
    )


OSPF_100_UNAUTHENTICATED = "#\nospf 100 router-id 10.0.0.9\n area 0.0.0.0\n  network 10.8.0.36 0.0.0.3\n#\n"


def test_fix_takes_the_process_of_the_area_it_names() -> None:
    [(line, message)] = found("GN-CFG-114", OSPF_100_UNAUTHENTICATED)
    assert line == 3
    assert message == (
        "OSPF 'area 0.0.0.0' is not authenticated; "
        "fix: ospf 100 / area 0.0.0.0 / authentication-mode hmac-sha256 1 cipher <key>"
    )


def test_fix_of_a_forbidden_line_quotes_the_line() -> None:
    text = "#\nsnmp-agent community read cipher %^%#x%^%#\n#\n"
    messages = [m for _, m in found("GN-CFG-105", text) if "community" in m]
    assert messages == [
        "an SNMP community is configured ('snmp-agent community read cipher %^%#x%^%#'); "
        "fix: undo snmp-agent community read cipher %^%#x%^%#"
    ]
