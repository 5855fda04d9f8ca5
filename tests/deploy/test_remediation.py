"""Remediation: intended vs running -> minimal, safe CLI lines and their rollback.

Round trips run the lines through the EMULATED devices' config trees (tests/emulation), which
apply VRP/Comware commands the way the vendors document them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from emulation import COMWARE, VRP, ConfigTree

from govnet.deploy.driver import DeployError
from govnet.deploy.remediation import (
    SessionGuard,
    _cli,
    _unsafe,
    _vlan_lists,
    flatten,
    format_vlans,
    match_secrets,
    merge_config,
    parse_vlans,
    remediate,
)
from govnet.platforms.printed import config_text

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
CORE = (GOLDEN / "huawei_vrp" / "core.cfg").read_text()
ACCESS = (GOLDEN / "huawei_vrp" / "access.cfg").read_text()
COMWARE_AGG = (GOLDEN / "h3c_comware" / "aggregation.cfg").read_text()

ACCESS_GUARD = SessionGuard(mgmt_interface="GigabitEthernet0/0/0", ssh_users=("netadmin",))

SWITCH = """\
#
sysname kf-agg-dongfenglu
#
vlan batch 10 100 211 300
#
interface Vlanif211
 ip address 192.168.0.1 255.255.255.252
#
interface GigabitEthernet1/0/25
 port link-type trunk
 port trunk allow-pass vlan 100 211 300
#
interface GigabitEthernet1/0/26
 port link-type access
 port default vlan 10
#
return
"""


def apply(running: str, commands: tuple[str, ...], dialect: str = "vrp") -> ConfigTree:
    """The config an emulated device holds after the lines are typed in system view."""
    tree = ConfigTree.parse(VRP if dialect == "vrp" else COMWARE, running)
    path: tuple[str, ...] = ()
    for line in commands:
        path = path[:-1] if line == "quit" else tree.apply(path, line)
    return tree


def test_no_drift_means_no_commands_whatever_the_separators_and_banners() -> None:
    printed = "!Software Version V200R019C10SPC500\n" + CORE.replace("\n#\n", "\n#\n#\n") + "return\n"
    plan = remediate(printed, CORE, "huawei_vrp")
    assert plan.empty
    assert plan.rollback == ()
    assert plan.unified == ""


def test_vlan_batch_changes_by_delta_and_never_undoes_the_whole_list() -> None:
    intended = SWITCH.replace("vlan batch 10 100 211 300", "vlan batch 10 100 211 400").replace(
        "allow-pass vlan 100 211 300", "allow-pass vlan 100 211 400"
    )
    plan = remediate(SWITCH, intended, "huawei_vrp")
    assert plan.commands == (
        "vlan batch 400",
        "interface GigabitEthernet1/0/25",
        "port trunk allow-pass vlan 400",
        "undo port trunk allow-pass vlan 300",
        "quit",
        "undo vlan batch 300",
    )
    assert not any(c.startswith("undo vlan batch 10 ") for c in plan.commands)
    assert apply(SWITCH, plan.commands).canonical() == ConfigTree.parse(VRP, intended).canonical()
    assert apply(intended, plan.rollback).canonical() == ConfigTree.parse(VRP, SWITCH).canonical()


def test_a_vlan_removed_from_the_batch_but_still_used_is_held_not_undone() -> None:
    intended = SWITCH.replace("vlan batch 10 100 211 300", "vlan batch 100 300")
    plan = remediate(SWITCH, intended, "huawei_vrp")
    assert plan.commands == ()
    assert plan.held == ("undo vlan batch 10 211 (still in use)",)


def test_hier_configs_own_negation_of_vlan_batch_is_what_govnet_replaces() -> None:
    from hier_config import Platform, WorkflowRemediation, get_hconfig

    intended = SWITCH.replace("vlan batch 10 100 211 300", "vlan batch 10 100 211 300 400")
    raw = WorkflowRemediation(
        get_hconfig(Platform.HUAWEI_VRP, config_text(SWITCH, "vrp")),
        get_hconfig(Platform.HUAWEI_VRP, config_text(intended, "vrp")),
    ).remediation_config.dump_simple()
    assert "undo vlan batch 10 100 211 300" in raw, "hier_config alone would drop VLANs in use"
    assert remediate(SWITCH, intended, "huawei_vrp").commands == ("vlan batch 400",)


def test_management_address_change_is_an_overwrite_without_a_gap() -> None:
    intended = ACCESS.replace("ip address 10.240.0.153 255.252.0.0", "ip address 10.240.1.153 255.252.0.0")
    plan = remediate(ACCESS, intended, "huawei_vrp", guard=ACCESS_GUARD)
    assert plan.commands == (
        "interface GigabitEthernet0/0/0",
        "ip address 10.240.1.153 255.252.0.0",
        "quit",
    )
    assert plan.held == ()


def test_lines_that_carry_the_ssh_session_are_held() -> None:
    intended = (
        ACCESS.replace("stelnet server enable\n", "")
        .replace("ssh user netadmin service-type stelnet\n", "")
        .replace(" protocol inbound ssh\n", "")
        .replace(" local-user netadmin service-type ssh\n", "")
        .replace("interface GigabitEthernet0/0/0\n description out-of-band management\n", "interface X\n")
    )
    plan = remediate(ACCESS, intended, "huawei_vrp", guard=ACCESS_GUARD)
    assert set(plan.held) == {
        "undo stelnet server enable",
        "undo ssh user netadmin service-type stelnet",
        "user-interface vty 0 4 undo protocol inbound ssh",
        "aaa undo local-user netadmin service-type ssh",
        "undo interface GigabitEthernet0/0/0",
    }
    assert not any(
        "stelnet" in c or "protocol inbound" in c or "GigabitEthernet0/0/0" in c for c in plan.commands
    )
    assert "interface X" in plan.commands


def test_a_realistic_core_change_round_trips_through_the_emulated_device() -> None:
    intended = (
        CORE.replace(
            "description to kf-agg-xinhe GigabitEthernet0/0/1 [kf-core-1--kf-agg-xinhe]",
            "description to kf-agg-xinhe GigabitEthernet0/0/1 (fibre moved)",
        )
        .replace(" peer 10.0.0.10 description kf-core-2\n", " peer 10.0.0.10 description kf-core-2 (CSS)\n")
        .replace("ip route-static 10.254.0.0 255.255.255.0 10.240.0.1 description NOC via management\n", "")
        .replace(
            "#\nmpls lsr-id", "#\ninterface LoopBack1\n ip address 10.0.1.9 255.255.255.255\n#\nmpls lsr-id"
        )
    )
    plan = remediate(CORE, intended, "huawei_vrp")
    assert "undo ip route-static 10.254.0.0 255.255.255.0 10.240.0.1" in " ".join(plan.commands)
    assert not any(c == "undo description" for c in plan.commands), "a new description overwrites"
    assert len(plan.commands) < 16, "minimal: only what changed"
    assert apply(CORE, plan.commands).canonical() == ConfigTree.parse(VRP, intended).canonical()
    assert apply(intended, plan.rollback).canonical() == ConfigTree.parse(VRP, CORE).canonical()
    assert "-ip route-static 10.254.0.0" in plan.unified


def test_a_comware_change_round_trips_with_its_own_negations() -> None:
    intended = COMWARE_AGG.replace(" mtu 1500\n ip address 10.8.0.126", " mtu 9000\n ip address 10.8.0.126")
    intended = intended.replace(
        "interface GigabitEthernet2/0/1.300\n", "interface GigabitEthernet2/0/1.400\n", 1
    ).replace("vlan-type dot1q vid 300\n", "vlan-type dot1q vid 400\n", 1)
    plan = remediate(COMWARE_AGG, intended, "h3c_comware")
    assert "undo interface GigabitEthernet2/0/1.300" in plan.commands
    assert "mtu 9000" in plan.commands
    assert (
        apply(COMWARE_AGG, plan.commands, "comware").canonical()
        == ConfigTree.parse(COMWARE, intended).canonical()
    )
    assert (
        apply(intended, plan.rollback, "comware").canonical()
        == ConfigTree.parse(COMWARE, COMWARE_AGG).canonical()
    )


def test_merge_overlays_values_and_adds_vlans() -> None:
    merged = merge_config(
        SWITCH, "vlan batch 500\ninterface Vlanif211\n ip address 192.168.9.1 255.255.255.0\n", "huawei_vrp"
    )
    assert "vlan batch 10 100 211 300 500\n" in merged
    assert " ip address 192.168.9.1 255.255.255.0\n" in merged
    assert "192.168.0.1" not in merged


def test_flatten_closes_nested_sections() -> None:
    lines = flatten("ip vpn-instance POLICE\n ipv4-family\n  route-distinguisher 10.0.0.9:11\n", "huawei_vrp")
    assert lines == (
        "ip vpn-instance POLICE",
        "ipv4-family",
        "route-distinguisher 10.0.0.9:11",
        "quit",
        "quit",
    )


def test_vlan_spelling_round_trips() -> None:
    assert format_vlans(parse_vlans("2 3 4 10 20 to 25 4094")) == "2 to 4 10 20 to 25 4094"


def test_a_config_hier_config_cannot_take_is_a_clear_error() -> None:
    with pytest.raises(DeployError, match="merge config does not parse as huawei_vrp"):
        merge_config(SWITCH, "aaa\n local-user a\naaa\n local-user a\n", "huawei_vrp")


@pytest.mark.parametrize(
    "golden", ["huawei_vrp/core.cfg", "huawei_vrpv8/core.cfg", "h3c_comware/aggregation.cfg"]
)
def test_a_device_showing_cipher_text_where_the_golden_has_references_has_no_drift(golden: str) -> None:
    intended = (GOLDEN / golden).read_text()
    assert "${secret:" in intended
    running = re.sub(r"\$\{secret:[A-Z0-9_]+\}", "%^%#A1b2C3d4E5f6G7h8%^%#", intended)
    platform = golden.split("/")[0]
    assert remediate(running, intended, platform).empty
    changed = running.replace("%^%#A1b2C3d4E5f6G7h8%^%#", "%^%#other%^%#", 1)
    assert remediate(changed, intended, platform).empty, "a cipher is never compared"


USG = (GOLDEN / "huawei_usg" / "firewall.cfg").read_text()


def test_usg_manager_user_and_management_ssh_permit_are_held() -> None:
    manager = USG[USG.index(" manager-user netadmin\n") :].split("\n#", 1)[0]
    mgmt_interface = next(
        block.split("\n", 1)[0].removeprefix("interface ")
        for block in USG.split("#\n")
        if block.startswith("interface ") and "service-manage ssh permit" in block
    )
    intended = USG.replace(manager + "\n", "").replace(" service-manage ssh permit\n", "", 1)
    plan = remediate(USG, intended, "huawei_usg", SessionGuard(mgmt_interface, ("netadmin",)))
    assert "aaa undo manager-user netadmin" in plan.held
    why = "(it withdraws SSH from the management port)"
    assert f"interface {mgmt_interface} undo service-manage ssh permit {why}" in plan.held
    assert not any("manager-user" in c or "service-manage ssh" in c for c in plan.commands)


def test_comware_local_user_view_is_held() -> None:
    intended = COMWARE_AGG.replace(
        " service-type ssh\n authorization-attribute", " authorization-attribute", 1
    )
    guard = SessionGuard("M-GigabitEthernet0/0/0", ("netadmin",))
    plan = remediate(COMWARE_AGG, intended, "h3c_comware", guard)
    assert plan.held == ("local-user netadmin class manage undo service-type ssh",)
    assert plan.commands == ()


def test_a_new_secondary_address_does_not_hide_the_removal_of_the_old_primary() -> None:
    running = "interface Vlanif211\n ip address 192.168.0.1 255.255.255.252\n"
    intended = "interface Vlanif211\n ip address 192.168.9.1 255.255.255.0 sub\n"
    plan = remediate(running, intended, "huawei_vrp")
    assert "undo ip address 192.168.0.1 255.255.255.252" in plan.commands
    merged = merge_config(running, "interface Vlanif211\n ip address 192.168.9.1 255.255.255.0 sub\n",
                          "huawei_vrp")
    assert " ip address 192.168.0.1 255.255.255.252\n" in merged, "a secondary is added, not swapped in"


VRP8_CORE = (GOLDEN / "huawei_vrpv8" / "core.cfg").read_text()


def test_the_ce_ssh_service_line_is_held_on_vrp8_only() -> None:
    """CE prints ``stelnet ipv4 server enable``: its negation would cut the session there."""
    assert "stelnet ipv4 server enable\n" in VRP8_CORE
    intended = VRP8_CORE.replace("stelnet ipv4 server enable\n", "")
    plan = remediate(VRP8_CORE, intended, "huawei_vrpv8")
    assert plan.held == ("undo stelnet ipv4 server enable",) and plan.commands == ()
    assert remediate(VRP8_CORE, intended, "huawei_vrp").commands == ("undo stelnet ipv4 server enable",)


def test_a_platform_without_a_cli_dialect_is_a_clear_error() -> None:
    with pytest.raises(DeployError, match="platform frr has no CLI dialect"):
        remediate("hostname a\n", "hostname b\n", "frr")
    with pytest.raises(DeployError, match="platform nftables has no hier_config parser"):
        remediate("a\n", "b\n", "nftables")


def test_comware_prints_a_plaintext_secret_as_cipher_and_that_is_no_drift() -> None:
    intended = (GOLDEN / "h3c_comware" / "aggregation.cfg").read_text()
    pushed = re.findall(r" (simple|plain) \$\{secret:[A-Z0-9_]+\}", intended)
    assert {"simple", "plain"} <= set(pushed)  # local-user, HWTACACS, usm-user ... and LDP
    printed = re.sub(r" (?:simple|plain) \$\{secret:[A-Z0-9_]+\}", " cipher $c$3$Zm9vYmFyYmF6==", intended)
    assert remediate(printed, intended, "h3c_comware").empty
    # the rest of such a line is still compared: another HWTACACS server address is a change
    moved = re.sub(r"(primary authentication )(\d+\.\d+\.\d+\.\d+)", r"\g<1>192.0.2.77", printed, count=1)
    assert moved != printed
    assert remediate(moved, intended, "h3c_comware").commands
    # only where the platform prints it so: a VRP line pushed with simple is not matched by cipher
    vrp = " snmp-agent community read simple ${secret:C}\n"
    assert "snmp-agent community read simple ${secret:C}" in remediate(
        " snmp-agent community read cipher %^%#x%^%#\n", vrp, "huawei_vrp").commands


# -- the management path is never cut (govnet.deploy.management_hold) --------------------------

VRP8_GOLDEN = (GOLDEN / "huawei_vrpv8" / "core.cfg").read_text()
USG_GOLDEN = (GOLDEN / "huawei_usg" / "firewall.cfg").read_text()
GOLDENS = {"huawei_vrpv8": VRP8_GOLDEN, "huawei_usg": USG_GOLDEN, "h3c_comware": COMWARE_AGG}
PORTS = {
    "huawei_vrpv8": "MEth0/0/0",
    "huawei_usg": "GigabitEthernet0/0/0",
    "h3c_comware": "M-GigabitEthernet0/0/0",
}


def _dropping(platform: str, line: str, instead: str | None = None) -> tuple[str, str]:
    """The platform's golden config as running, and as intended without ``line`` (or with
    ``instead`` in its place)."""
    running = GOLDENS[platform]
    assert f"\n{line}\n" in running, line
    return running, running.replace(f"\n{line}\n", f"\n{instead}\n" if instead else "\n", 1)


def _plan(platform: str, running: str, intended: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    plan = remediate(running, intended, platform, SessionGuard(PORTS[platform], ("netadmin",)))
    return plan.commands, plan.held


MANAGEMENT_LINES = [
    ("huawei_vrpv8", "interface MEth0/0/0", " ip binding vpn-instance _management_vpn_",
     "unbinds the management port"),
    ("huawei_vrpv8", "acl number 2001",
     " rule 5 permit vpn-instance _management_vpn_ source 10.254.0.0 0.0.0.255",
     "admitting the NOC in VPN _management_vpn_"),
    ("huawei_vrpv8", "hwtacacs-server template NOC",
     " hwtacacs-server authentication 10.254.0.21 vpn-instance "
     "_management_vpn_", "removes the AAA server 10.254.0.21 reached through VPN _management_vpn_"),
    ("huawei_usg", "interface GigabitEthernet0/0/0", " ip binding vpn-instance default",
     "unbinds the management port"),
    ("huawei_usg", "interface GigabitEthernet0/0/0", " service-manage ssh permit", "withdraws SSH"),
    ("huawei_usg", "interface GigabitEthernet0/0/0", " service-manage snmp permit", "withdraws SNMP"),
    ("huawei_usg", "acl number 2001", " rule 5 permit vpn-instance default source 10.254.0.0 0.0.0.255",
     "admitting the NOC in VPN default"),
    ("huawei_usg", "", "info-center loghost 10.254.0.10 vpn-instance default", "syslog server 10.254.0.10"),
    ("huawei_usg", "", "ntp-service unicast-server 10.254.0.11 authentication-keyid 1 vpn-instance default",
     "NTP server 10.254.0.11"),
    ("huawei_usg", "", "snmp-agent target-host trap address udp-domain 10.254.0.10 vpn-instance default "
     "params securityname noc v3 privacy", "SNMP trap server 10.254.0.10"),
    ("h3c_comware", "acl basic 2001", " rule 5 permit source 10.254.0.0 0.0.0.255",
     "admitting the NOC in the public"),
]


@pytest.mark.parametrize(("platform", "section", "line", "why"), MANAGEMENT_LINES)
def test_a_management_line_the_intent_drops_is_held_not_sent(
    platform: str, section: str, line: str, why: str
) -> None:
    commands, held = _plan(platform, *_dropping(platform, line))
    negation = f"undo {line.strip()}"
    assert negation not in commands
    [entry] = [h for h in held if negation in h]
    assert entry.startswith(" ".join(x for x in (section, negation) if x) + " (it ")
    assert why in entry


def test_the_whole_guarding_acl_is_held() -> None:
    running = VRP8_GOLDEN
    block = ("acl number 2001\n description NOC management prefix\n"
             " rule 5 permit vpn-instance _management_vpn_ source 10.254.0.0 0.0.0.255\n rule 10 deny\n")
    assert block in running
    commands, held = _plan("huawei_vrpv8", running, running.replace(block, ""))
    assert "undo acl number 2001" not in commands
    assert any(h.startswith("undo acl number 2001 (it deletes ACL 2001, which guards") for h in held)


def test_a_noc_permit_is_not_overwritten_by_a_rule_of_the_same_number() -> None:
    noc_permit = " rule 5 permit vpn-instance _management_vpn_ source 10.254.0.0 0.0.0.255"
    running, intended = _dropping("huawei_vrpv8", noc_permit, " rule 5 permit source 10.254.0.0 0.0.0.255")
    commands, held = _plan("huawei_vrpv8", running, intended)
    assert "rule 5 permit source 10.254.0.0 0.0.0.255" not in commands
    public = "acl number 2001 rule 5 permit source 10.254.0.0 0.0.0.255 (it removes"
    assert any(h.startswith(public) and "overwrites it" in h for h in held)


def test_a_binding_added_to_the_management_port_is_held() -> None:
    running = COMWARE_AGG
    port = "interface M-GigabitEthernet0/0/0\n description out-of-band management\n"
    intended = running.replace(port, port + " ip binding vpn-instance MGMT\n")
    commands, held = _plan("h3c_comware", running, intended)
    assert not [c for c in commands if "binding" in c and "MGMT" in c]
    assert held == (
        "interface M-GigabitEthernet0/0/0 ip binding vpn-instance MGMT (it changes the VPN binding of the "
        "management port M-GigabitEthernet0/0/0 (that clears its address))",
    )


def test_service_manage_deny_on_the_management_port_is_held() -> None:
    running, intended = _dropping("huawei_usg", " service-manage ssh permit", " service-manage ssh deny")
    commands, held = _plan("huawei_usg", running, intended)
    assert not [c for c in commands if c.startswith(("service-manage", "undo service-manage"))]
    assert {h.split(" (")[0] for h in held} == {
        "interface GigabitEthernet0/0/0 undo service-manage ssh permit",
        "interface GigabitEthernet0/0/0 service-manage ssh deny",
    }


@pytest.mark.parametrize(
    ("platform", "line", "instead"),
    [
        # the same server in the same VPN, other options: the path stays
        ("huawei_usg", "info-center loghost 10.254.0.10 vpn-instance default",
         "info-center loghost 10.254.0.10 vpn-instance default facility local5"),
        # the NOC permit renumbered in its VPN: the path stays
        ("huawei_vrpv8", " rule 5 permit vpn-instance _management_vpn_ source 10.254.0.0 0.0.0.255",
         " rule 15 permit vpn-instance _management_vpn_ source 10.254.0.0 0.0.0.255"),
        # not a management line: a deny of the guarding ACL goes as any other line
        ("h3c_comware", " rule 10 deny", None),
    ],
)
def test_a_change_that_keeps_the_path_is_sent(platform: str, line: str, instead: str | None) -> None:
    commands, held = _plan(platform, *_dropping(platform, line, instead))
    assert f"undo {line.strip()}" in commands
    assert held == ()


# -- exact-output tables for the helpers (written against mutmut's surviving mutants) --------------


@pytest.mark.parametrize(
    ("spec", "vlans"),
    [
        ("", set()),
        ("7", {7}),
        ("1 to 3", {1, 2, 3}),
        ("5 to 5", {5}),
        ("1 2 to 4 9", {1, 2, 3, 4, 9}),
        ("10 20", {10, 20}),
        ("3 to 4 8 to 9", {3, 4, 8, 9}),
    ],
)
def test_parse_vlans(spec: str, vlans: set[int]) -> None:
    assert parse_vlans(spec) == vlans


@pytest.mark.parametrize(
    ("vlans", "spelled"),
    [
        (set(), ""),
        ({5}, "5"),
        ({5, 6}, "5 6"),
        ({5, 6, 7}, "5 to 7"),
        ({1, 2, 3, 4, 10, 11}, "1 to 4 10 11"),
        ({1, 3, 5}, "1 3 5"),
        ({9, 2, 3, 4}, "2 to 4 9"),
    ],
)
def test_format_vlans(vlans: set[int], spelled: str) -> None:
    assert format_vlans(vlans) == spelled


def test_flatten_comware_and_repeated_sections() -> None:
    text = "interface A\n mtu 1500\ninterface B\n shutdown\n"
    expected = ("interface A", "mtu 1500", "quit", "interface B", "shutdown", "quit")
    assert flatten(text, "h3c_comware") == expected


def test_a_bad_config_names_what_and_platform() -> None:
    with pytest.raises(DeployError, match=r"^the config does not parse as h3c_comware: "):
        flatten("aaa\n local-user a\naaa\n local-user a\n", "h3c_comware")
    with pytest.raises(DeployError, match=r"^running config does not parse as huawei_vrp: "):
        merge_config("aaa\n local-user a\naaa\n local-user a\n", "sysname x\n", "huawei_vrp")


@pytest.mark.parametrize(
    ("running", "snippet", "merged"),
    [
        ("sysname a\n", "sysname b\n", "sysname b\n"),
        ("sysname a\n", "ntp x\n", "sysname a\nntp x\n"),
        ("sysname a\n", "vlan batch 5\n", "sysname a\nvlan batch 5\n"),
        ("ntp x\n", "sysname b\n", "ntp x\nsysname b\n"),
        ("vlan batch 10 11 12\n", "vlan batch 10 11 12\n", "vlan batch 10 11 12\n"),
        ("vlan batch 10 11\n", "vlan batch 12 30\n", "vlan batch 10 to 12 30\n"),
        (
            "interface G1\n port trunk allow-pass vlan 5\n",
            "interface G1\n port trunk allow-pass vlan 6\n",
            "interface G1\n port trunk allow-pass vlan 5 6\n",
        ),
        (
            "interface G1\n ip address 1.1.1.1 255.0.0.0\n",
            "interface G1\n ip address 2.2.2.2 255.0.0.0 sub\n",
            "interface G1\n ip address 1.1.1.1 255.0.0.0\n ip address 2.2.2.2 255.0.0.0 sub\n",
        ),
        (
            "interface G1\n description a\n mtu 1500\n",
            "interface G1\n mtu 9000\n description a\n",
            "interface G1\n description a\n mtu 9000\n",
        ),
        ("vlan batch 10\n", "vlan batch 10\n", "vlan batch 10\n"),
        (
            "bgp 1\n ipv4-family vpnv4\n  peer 1.1.1.1 enable\n",
            "bgp 1\n ipv4-family vpnv4\n  peer 2.2.2.2 enable\n",
            "bgp 1\n ipv4-family vpnv4\n  peer 1.1.1.1 enable\n  peer 2.2.2.2 enable\n",
        ),
    ],
)
def test_merge_config(running: str, snippet: str, merged: str) -> None:
    assert merge_config(running, snippet, "huawei_vrp") == merged


def test_vlan_lists_of_a_switch() -> None:
    text = (
        "vlan batch 10 20\n"
        "vlan batch 30\n"
        "vlan 40\n"
        "interface Vlanif50\n"
        "interface G1\n"
        " port trunk allow-pass vlan 60 61\n"
        " port trunk allow-pass vlan 62\n"
        " port trunk pvid vlan 63\n"
        "interface G2\n"
        " port default vlan 64\n"
        " port trunk permit vlan 65\n"
        "port trunk allow-pass vlan 99\n"
    )
    batch, trunks, used = _vlan_lists(text)
    assert batch == {10, 20, 30}
    assert trunks == {
        "interface G1": ("port trunk allow-pass vlan", {60, 61, 62}),
        "interface G2": ("port trunk permit vlan", {65}),
    }
    assert used == {40, 50, 60, 61, 62, 63, 64, 65}


GUARD = SessionGuard(mgmt_interface="M0", ssh_users=("ops",))


ON_VRP, ON_CE, ON_USG, ON_H3C = "huawei_vrp", "huawei_vrpv8", "huawei_usg", "h3c_comware"


@pytest.mark.parametrize(
    ("platform", "path", "text", "unsafe"),
    [
        (ON_VRP, (), "undo stelnet server enable", True),
        (ON_CE, (), "undo stelnet server enable", True),
        (ON_CE, (), "undo stelnet ipv4 server enable", True),
        (ON_VRP, (), "undo stelnet ipv4 server enable", False),
        (ON_H3C, (), "undo ssh server enable", True),
        (ON_VRP, (), "undo ssh server enable", False),
        (ON_H3C, (), "undo stelnet server enable", False),
        (ON_VRP, (), "stelnet server enable", False),
        (ON_VRP, (), "undo user-interface vty 0 4", True),
        (ON_H3C, (), "undo line vty 0 63", True),
        (ON_H3C, (), "undo user-interface vty 0 4", False),
        (ON_VRP, (), "undo interface M0", True),
        (ON_VRP, (), "undo interface M01", False),
        (ON_VRP, (), "undo ssh user ops", True),
        (ON_H3C, (), "undo ssh user ops", True),
        (ON_VRP, (), "undo ssh user ops2", False),
        (ON_H3C, (), "undo local-user ops", True),
        (ON_VRP, (), "undo local-user ops", False),
        (ON_VRP, (), "undo ntp", False),
        (ON_VRP, ("interface M0",), "shutdown", True),
        (ON_H3C, ("interface M0",), "shutdown", True),
        (ON_VRP, ("interface M0",), "undo ip address 1.1.1.1 24", True),
        (ON_H3C, ("interface M0",), "undo ip address 1.1.1.1 24", True),
        (ON_USG, ("interface M0",), "undo service-manage ssh permit", True),
        (ON_USG, ("interface M0",), "undo service-manage enable", True),
        (ON_H3C, ("interface M0",), "undo service-manage ssh permit", False),
        (ON_VRP, ("interface M0",), "undo description", False),
        (ON_VRP, ("interface M0",), "description x", False),
        (ON_VRP, ("user-interface vty 0 4",), "undo protocol inbound ssh", True),
        (ON_VRP, ("user-interface vty 0 4",), "undo authentication-mode aaa", True),
        (ON_H3C, ("line vty 0 63",), "undo authentication-mode scheme", True),
        (ON_H3C, ("line vty 0 63",), "undo protocol inbound ssh", True),
        (ON_VRP, ("line vty 0 63",), "undo authentication-mode scheme", False),
        (ON_VRP, ("user-interface vty 0 4",), "protocol inbound all", False),
        (ON_VRP, ("user-interface vty 0 4",), "undo idle-timeout", False),
        (ON_VRP, ("interface G1",), "shutdown", False),
        (ON_VRP, ("aaa",), "undo local-user ops password", True),
        (ON_VRP, ("aaa",), "undo local-user other password", False),
        (ON_USG, ("aaa", "manager-user ops"), "undo level 15", True),
        (ON_USG, ("aaa",), "undo manager-user ops", True),
        (ON_VRP, ("aaa", "manager-user ops"), "undo level 15", False),
        (ON_USG, ("aaa", "manager-user x"), "undo level 15", False),
        (ON_VRP, ("aaa",), "local-user ops password", False),
        (ON_H3C, ("local-user ops class manage",), "undo service-type ssh", True),
        (ON_H3C, ("local-user bob class manage",), "undo service-type ssh", False),
        (ON_USG, ("manager-user ops",), "undo level 15", True),
    ],
)
def test_unsafe(platform: str, path: tuple[str, ...], text: str, unsafe: bool) -> None:
    assert _unsafe(_cli(platform), path, text, GUARD) is unsafe


def test_without_a_mgmt_interface_only_services_and_users_are_guarded() -> None:
    guard = SessionGuard()
    assert _unsafe(_cli(ON_VRP), ("interface M0",), "shutdown", guard) is False
    assert _unsafe(_cli(ON_VRP), (), "undo interface M0", guard) is False
    assert _unsafe(_cli(ON_H3C), (), "undo ssh server enable", guard) is True
    assert _unsafe(_cli(ON_VRP), (), "undo stelnet server enable", guard) is True


def test_trunk_lists_change_by_delta_both_ways() -> None:
    running = "vlan batch 5 6\ninterface G1\n port trunk allow-pass vlan 5\ninterface G2\n mtu 1500\n"
    intended = "vlan batch 5 6\ninterface G1\n port trunk allow-pass vlan 6\ninterface G2\n mtu 1500\n"
    plan = remediate(running, intended, "huawei_vrp")
    assert plan.commands == (
        "interface G1",
        "port trunk allow-pass vlan 6",
        "undo port trunk allow-pass vlan 5",
        "quit",
    )
    assert plan.rollback == (
        "interface G1",
        "port trunk allow-pass vlan 5",
        "undo port trunk allow-pass vlan 6",
        "quit",
    )
    assert plan.held == ()


def test_a_trunk_list_on_a_new_and_on_a_removed_interface() -> None:
    running = "vlan batch 5\ninterface G1\n port trunk permit vlan 5\n"
    intended = "vlan batch 5\ninterface G2\n port trunk permit vlan 5\n"
    plan = remediate(running, intended, "h3c_comware")
    assert plan.commands == ("undo interface G1", "interface G2", "port trunk permit vlan 5", "quit")
    assert plan.rollback == ("undo interface G2", "interface G1", "port trunk permit vlan 5", "quit")


def test_a_trunk_list_removed_entirely_is_undone_with_the_running_command() -> None:
    running = "vlan batch 5\ninterface G1\n port trunk permit vlan 5\n mtu 1500\n"
    intended = "vlan batch 5\ninterface G1\n mtu 1500\n"
    plan = remediate(running, intended, "h3c_comware")
    assert plan.commands == ("interface G1", "undo port trunk permit vlan 5", "quit")


def test_vlan_batch_added_and_removed_are_spelled_as_runs() -> None:
    plan = remediate("vlan batch 1 to 3 9\n", "vlan batch 4 to 6 9\n", "huawei_vrp")
    assert plan.commands == ("vlan batch 4 to 6", "undo vlan batch 1 to 3")
    assert plan.rollback == ("vlan batch 1 to 3", "undo vlan batch 4 to 6")
    assert plan.held == ()


def test_held_lines_carry_their_section_path_and_empty_sections_are_dropped() -> None:
    running = "user-interface vty 0 4\n protocol inbound ssh\nsysname a\n"
    intended = "user-interface vty 0 4\nsysname b\n"
    plan = remediate(running, intended, "huawei_vrp")
    assert plan.held == ("user-interface vty 0 4 undo protocol inbound ssh",)
    assert plan.commands == ("sysname b",)


def test_a_replaced_value_is_not_negated_but_a_removed_one_is() -> None:
    plan = remediate("interface G1\n description a\n mtu 1500\n", "interface G1\n description b\n",
                     "huawei_vrp")
    assert plan.commands == ("interface G1", "undo mtu 1500", "description b", "quit")


def test_match_secrets_exactly() -> None:
    intended = "a\n pw cipher ${secret:X} level ${secret:Y}\nb\n"
    assert match_secrets(intended, " pw cipher AA level BB\n") == "a\n pw cipher AA level BB\nb\n"
    assert match_secrets(intended, " pw cipher AA BB level CC\n") == intended, r"\S+ spans no blank"
    assert match_secrets(intended, "x pw cipher AA level BB\n") == intended, "anchored at the start"
    assert match_secrets(intended, " pw cipher AA level BB x\n") == intended, "anchored at the end"


def test_unified_diff_names_both_sides() -> None:
    plan = remediate("sysname a\n", "sysname b\n", "huawei_vrp")
    assert plan.unified == "--- running\n+++ intended\n@@ -1 +1 @@\n-sysname a\n+sysname b\n"
    assert not plan.empty


def test_parse_vlans_refuses_a_dangling_to() -> None:
    with pytest.raises(ValueError, match="'to'"):
        parse_vlans("5 to")


def test_a_trunk_list_before_any_section_is_keyed_by_the_empty_section() -> None:
    assert _vlan_lists(" port trunk allow-pass vlan 5\n")[1] == {"": ("port trunk allow-pass vlan", {5})}


def test_lines_after_a_vlan_batch_change_are_still_sent() -> None:
    plan = remediate("vlan batch 10\nsysname a\n", "vlan batch 10 20\nsysname b\n", "huawei_vrp")
    assert plan.commands == ("vlan batch 20", "sysname b")


def test_a_trunk_list_respelled_is_undone_with_the_running_spelling() -> None:
    running = "interface G1\n port trunk permit vlan 5\n"
    intended = "interface G1\n port trunk allow-pass vlan 6\n"
    plan = remediate(running, intended, "h3c_comware")
    assert plan.commands == (
        "interface G1",
        "port trunk allow-pass vlan 6",
        "undo port trunk permit vlan 5",
        "quit",
    )


BAD = "aaa\n local-user a\naaa\n local-user a\n"


def test_remediate_names_the_side_that_does_not_parse() -> None:
    with pytest.raises(DeployError, match=r"^running config does not parse as huawei_vrp: "):
        remediate(BAD, "sysname a\n", "huawei_vrp")
    with pytest.raises(DeployError, match=r"^intended config does not parse as huawei_vrp: "):
        remediate("sysname a\n", BAD, "huawei_vrp")


def test_a_rotated_secret_line_is_a_change_though_the_device_shows_it_set() -> None:
    intended = " snmp-agent usm-user v3 noc authentication-mode sha cipher ${secret:AUTH}\n sysname a\n"
    running = " snmp-agent usm-user v3 noc authentication-mode sha cipher %^%#old%^%#\n sysname a\n"
    assert remediate(running, intended, "huawei_vrp").empty
    plan = remediate(running, intended, "huawei_vrp", rotated=frozenset({"AUTH"}))
    assert plan.commands == ("snmp-agent usm-user v3 noc authentication-mode sha cipher ${secret:AUTH}",)
    assert remediate(running, intended, "huawei_vrp", rotated=frozenset({"OTHER"})).empty
