"""Exact-output tables for remediation's helpers (written against mutmut's surviving mutants)."""

from __future__ import annotations

import pytest

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


VRP, CE, USG, H3C = "huawei_vrp", "huawei_vrpv8", "huawei_usg", "h3c_comware"


@pytest.mark.parametrize(
    ("platform", "path", "text", "unsafe"),
    [
        (VRP, (), "undo stelnet server enable", True),
        (CE, (), "undo stelnet server enable", True),
        (CE, (), "undo stelnet ipv4 server enable", True),
        (VRP, (), "undo stelnet ipv4 server enable", False),
        (H3C, (), "undo ssh server enable", True),
        (VRP, (), "undo ssh server enable", False),
        (H3C, (), "undo stelnet server enable", False),
        (VRP, (), "stelnet server enable", False),
        (VRP, (), "undo user-interface vty 0 4", True),
        (H3C, (), "undo line vty 0 63", True),
        (H3C, (), "undo user-interface vty 0 4", False),
        (VRP, (), "undo interface M0", True),
        (VRP, (), "undo interface M01", False),
        (VRP, (), "undo ssh user ops", True),
        (H3C, (), "undo ssh user ops", True),
        (VRP, (), "undo ssh user ops2", False),
        (H3C, (), "undo local-user ops", True),
        (VRP, (), "undo local-user ops", False),
        (VRP, (), "undo ntp", False),
        (VRP, ("interface M0",), "shutdown", True),
        (H3C, ("interface M0",), "shutdown", True),
        (VRP, ("interface M0",), "undo ip address 1.1.1.1 24", True),
        (H3C, ("interface M0",), "undo ip address 1.1.1.1 24", True),
        (USG, ("interface M0",), "undo service-manage ssh permit", True),
        (USG, ("interface M0",), "undo service-manage enable", True),
        (H3C, ("interface M0",), "undo service-manage ssh permit", False),
        (VRP, ("interface M0",), "undo description", False),
        (VRP, ("interface M0",), "description x", False),
        (VRP, ("user-interface vty 0 4",), "undo protocol inbound ssh", True),
        (VRP, ("user-interface vty 0 4",), "undo authentication-mode aaa", True),
        (H3C, ("line vty 0 63",), "undo authentication-mode scheme", True),
        (H3C, ("line vty 0 63",), "undo protocol inbound ssh", True),
        (VRP, ("line vty 0 63",), "undo authentication-mode scheme", False),
        (VRP, ("user-interface vty 0 4",), "protocol inbound all", False),
        (VRP, ("user-interface vty 0 4",), "undo idle-timeout", False),
        (VRP, ("interface G1",), "shutdown", False),
        (VRP, ("aaa",), "undo local-user ops password", True),
        (VRP, ("aaa",), "undo local-user other password", False),
        (USG, ("aaa", "manager-user ops"), "undo level 15", True),
        (USG, ("aaa",), "undo manager-user ops", True),
        (VRP, ("aaa", "manager-user ops"), "undo level 15", False),
        (USG, ("aaa", "manager-user x"), "undo level 15", False),
        (VRP, ("aaa",), "local-user ops password", False),
        (H3C, ("local-user ops class manage",), "undo service-type ssh", True),
        (H3C, ("local-user bob class manage",), "undo service-type ssh", False),
        (USG, ("manager-user ops",), "undo level 15", True),
    ],
)
def test_unsafe(platform: str, path: tuple[str, ...], text: str, unsafe: bool) -> None:
    assert _unsafe(_cli(platform), path, text, GUARD) is unsafe


def test_without_a_mgmt_interface_only_services_and_users_are_guarded() -> None:
    guard = SessionGuard()
    assert _unsafe(_cli(VRP), ("interface M0",), "shutdown", guard) is False
    assert _unsafe(_cli(VRP), (), "undo interface M0", guard) is False
    assert _unsafe(_cli(H3C), (), "undo ssh server enable", guard) is True
    assert _unsafe(_cli(VRP), (), "undo stelnet server enable", guard) is True


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
