"""Config rules: each broken config triggers exactly its rule; the shipped configs check clean."""

from __future__ import annotations

import pytest
from spec_support import REPO, check, district, edit, edit_block, failing, port, rendered

from govnet.check import load_rules
from govnet.platforms.linux import kernel_ifname

CORE, AGG, H3C, ACC = "kf-core-1", "kf-agg-dongfenglu", "kf-agg-laodaohe", "kf-acc-dongfenglu-c01"
CONFIG_RULES = [r.id for r in load_rules().rules if r.kind == "config"]


def test_shipped_configs_check_clean() -> None:
    report = check()
    assert report.findings == [], [str(f) for f in report.findings[:5]]
    assert report.status_count("pass") > 1000


def test_lab_configs_check_clean() -> None:
    report = check(lab=True)
    assert report.findings == [], [str(f) for f in report.findings[:5]]


def test_every_device_in_scope_gets_a_result_per_config_rule() -> None:
    report = check(rules=CONFIG_RULES)
    everyone = set(district().devices)
    for rule in load_rules().rules:
        if rule.kind == "config" and "*" in rule.roles:
            assert {r.device for r in report.results if r.rule_id == rule.id} == everyone, rule.id


def test_rules_that_cannot_apply_say_not_applicable() -> None:
    report = check(lab=True, rules=["GN-CFG-101", "GN-CFG-105"])
    frr = [r for r in report.results if r.device == CORE]
    assert {r.status for r in frr} == {"not_applicable"}
    assert all("frr:" in r.reason for r in frr)
    appliance = [r for r in check(rules=["GN-CFG-101"]).results if r.device == "kf-ips-1"]
    assert appliance[0].status == "not_applicable" and "appliance renders no config" in appliance[0].reason


# (rule, device, old, new) -- one edit of one rendered config, triggering exactly that rule.
BROKEN = [
    ("GN-CFG-101", CORE, "stelnet server enable\n", ""),
    ("GN-CFG-101", H3C, "undo telnet server enable", "telnet server enable"),
    ("GN-CFG-101", ACC, " protocol inbound ssh", " protocol inbound all"),
    ("GN-CFG-102", ACC, " acl 2001 inbound\n", ""),
    ("GN-CFG-102", H3C, "ssh server acl 2001\n", ""),
    ("GN-CFG-103", CORE, "retry-time 3", "retry-time 5"),
    (
        "GN-CFG-103",
        H3C,
        "password-control login-attempt 3 exceed lock",
        "password-control login-attempt 6 exceed lock",
    ),
    ("GN-CFG-103", ACC, " local-aaa-user wrong-password retry-interval 5 retry-time 3 block-time 5\n", ""),
    ("GN-CFG-104", CORE, "idle-timeout 10 0", "idle-timeout 30 0"),
    ("GN-CFG-104", ACC, "idle-timeout 10 0", "idle-timeout 0 0"),
    ("GN-CFG-104", H3C, " idle-timeout 10 0\n", ""),
    ("GN-CFG-105", CORE, "snmp-agent sys-info version v3", "snmp-agent sys-info version v2c v3"),
    (
        "GN-CFG-105",
        ACC,
        "snmp-agent\n",
        "snmp-agent\nsnmp-agent community read cipher %^%#NOCread0123456789%^%#\n",
    ),
    ("GN-CFG-105", ACC, "privacy-mode aes128", "privacy-mode des56"),
    ("GN-CFG-105", CORE, "snmp-agent group v3 NOC privacy read-view", "snmp-agent group v3 NOC read-view"),
    ("GN-CFG-105", H3C, "snmp-agent group v3 NOC privacy", "snmp-agent group v3 NOC authentication"),
    ("GN-CFG-106", CORE, "ntp-service unicast-server 10.254.0.12\n", ""),
    ("GN-CFG-106", H3C, "ntp-service unicast-server 10.254.0.12", "ntp-service unicast-server 10.254.0.11"),
    ("GN-CFG-107", ACC, "info-center loghost 10.254.0.10\n", ""),
    ("GN-CFG-107", H3C, "info-center loghost 10.254.0.10\n", ""),
    (
        "GN-CFG-108",
        CORE,
        "password irreversible-cipher ${secret:GOVNET_SSH_PASSWORD}",
        "password simple Admin@123",
    ),
    ("GN-CFG-108", ACC, "cipher ${secret:GOVNET_SNMP_AUTH_KEY}", "cipher Huawei@123"),
    ("GN-CFG-108", H3C, "password hash ${secret:GOVNET_SSH_PASSWORD}", "password simple Admin@123"),
    ("GN-CFG-111", CORE, "  route-distinguisher 10.0.0.9:1\n", ""),
    ("GN-CFG-111", ACC, "  vpn-target 65010:2 import-extcommunity\n", ""),
    ("GN-CFG-111", H3C, " vpn-target 65010:11 both\n", " vpn-target 65010:11 export-extcommunity\n"),
    (
        "GN-CFG-112",
        CORE,
        " rule 5 permit source 10.254.0.0 0.0.0.255",
        " rule 5 permit source 10.0.0.0 0.255.255.255",
    ),
    ("GN-CFG-112", H3C, " rule 5 permit source 10.254.0.0 0.0.0.255", " rule 5 permit"),
    ("GN-CFG-112", ACC, " rule 10 deny", " rule 8 permit source 192.0.2.7 0\n rule 10 deny"),
]


@pytest.mark.parametrize(("rule_id", "device", "old", "new"), BROKEN, ids=lambda v: str(v)[:24])
def test_broken_config_triggers_exactly_its_rule(rule_id: str, device: str, old: str, new: str) -> None:
    configs = rendered()
    edit(configs, device, old, new)
    report = check(configs=configs)
    assert failing(report) == {rule_id}, [str(f) for f in report.findings]
    assert {f.device for f in report.findings} == {device}
    for finding in report.findings:
        in_config = finding.config_location or finding.location
        assert in_config.path == f"build/intended/{device}.cfg" and in_config.line >= 1
        if finding.config_location is not None:  # traced back to the template line that rendered it
            assert finding.location.path.startswith("templates/") and finding.location.line > 1
        assert finding.hint


def test_forbidden_line_is_located_on_its_line() -> None:
    configs = rendered()
    edit(configs, CORE, "undo telnet server enable", "undo telnet server enable\ntelnet server enable")
    [finding] = check(configs=configs, rules=["GN-CFG-101"]).findings
    lines = configs[CORE].text.splitlines()
    assert finding.config_location is None  # no template line renders "telnet server enable"
    assert lines[finding.location.line - 1] == "telnet server enable"


def test_finding_is_traced_to_its_template_line() -> None:
    configs = rendered()
    edit(configs, H3C, "idle-timeout 10 0", "idle-timeout 30 0")
    [finding] = check(configs=configs, rules=["GN-CFG-104"]).findings
    assert finding.config_location is not None
    assert configs[H3C].text.splitlines()[finding.config_location.line - 1].strip() == "idle-timeout 30 0"
    template = (REPO / finding.location.path).read_text().splitlines()[finding.location.line - 1]
    assert template.strip().startswith("idle-timeout {{")


def test_value_message_says_what_is_wrong() -> None:
    configs = rendered()
    edit(configs, CORE, "idle-timeout 10 0", "idle-timeout 0 0")
    [finding] = check(configs=configs, rules=["GN-CFG-104"]).findings
    assert "idle timeout is 0" in finding.message and "below 1" in finding.message


def test_gn_cfg_100_missing_config() -> None:
    configs = rendered()
    del configs[CORE]
    report = check(configs=configs)
    assert failing(report) == {"GN-CFG-100"}
    assert report.findings[0].location.path.endswith("kaifu.yaml")
    skipped = [r for r in report.results if r.device == CORE and r.rule_id == "GN-CFG-101"]
    assert skipped[0].status == "not_applicable"


def test_gn_cfg_100_unparseable_config() -> None:
    configs = rendered()
    edit(configs, ACC, "return", "interface LoopBack0\n ip address 10.0.0.129 255.255.255.255\nreturn")
    report = check(configs=configs)
    assert failing(report) == {"GN-CFG-100"}
    assert "duplicate section" in report.findings[0].message


def _drop_core_link_ospf(configs: dict, core_net: str) -> None:  # type: ignore[type-arg]
    edit(configs, CORE, f"  network {core_net} 0.0.0.3\n", "")
    edit(configs, AGG, f"  network {core_net} 0.0.0.3\n", "")


def test_gn_cfg_109_core_link_without_ospf() -> None:
    configs = rendered()
    _drop_core_link_ospf(configs, "10.8.0.36")
    report = check(configs=configs)
    assert failing(report) == {"GN-CFG-109"}
    assert {f.device for f in report.findings} == {CORE, AGG}
    assert "kf-core-1--kf-agg-dongfenglu" in report.findings[0].message


def test_gn_cfg_109_core_link_in_the_wrong_area() -> None:
    configs = rendered()
    for dev in (CORE, AGG):
        edit(configs, dev, "  network 10.8.0.36 0.0.0.3\n", "")
        edit(configs, dev, " area 0.0.0.0\n", " area 0.0.0.7\n  network 10.8.0.36 0.0.0.3\n area 0.0.0.0\n")
    report = check(configs=configs)
    assert failing(report) == {"GN-CFG-109"}
    assert "area 7" in report.findings[0].message


def test_gn_cfg_110_core_link_without_ldp() -> None:
    configs = rendered()
    edit_block(configs, CORE, f"interface {port(CORE, AGG)}", " mpls ldp\n", "")
    edit_block(configs, AGG, f"interface {port(AGG, CORE)}", " mpls ldp\n", "")
    report = check(configs=configs)
    assert failing(report) == {"GN-CFG-110"}
    assert "lacks LDP (mpls ldp)" in report.findings[0].message


def test_gn_cfg_110_h3c() -> None:
    configs = rendered()
    edit_block(configs, H3C, f"interface {port(H3C, CORE)}", " mpls ldp enable\n", "")
    edit_block(configs, CORE, f"interface {port(CORE, H3C)}", " mpls ldp\n", "")
    assert failing(check(configs=configs)) == {"GN-CFG-110"}


LAB_BROKEN = [
    ("GN-CFG-104", CORE, " exec-timeout 10 0", " exec-timeout 0 0"),
    ("GN-CFG-108", ACC, "service password-encryption\n", "service password-encryption\npassword zebra\n"),
    ("GN-CFG-111", AGG, "  rd vpn export 10.0.0.65:1\n", ""),
]


@pytest.mark.parametrize(("rule_id", "device", "old", "new"), LAB_BROKEN, ids=lambda v: str(v)[:24])
def test_broken_lab_config_triggers_exactly_its_rule(rule_id: str, device: str, old: str, new: str) -> None:
    configs = rendered(lab=True)
    edit(configs, device, old, new)
    report = check(configs=configs, lab=True)
    assert failing(report) == {rule_id}, [str(f) for f in report.findings]


def test_lab_core_link_without_ldp() -> None:
    configs = rendered(lab=True)
    for dev, peer in ((CORE, AGG), (AGG, CORE)):
        edit(configs, dev, f"  !\n  interface {kernel_ifname(port(dev, peer))}\n  exit\n", "")
    assert failing(check(configs=configs, lab=True)) == {"GN-CFG-110"}
