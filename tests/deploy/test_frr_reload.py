"""The FRR reload plan (govnet.deploy.frr_reload): frr-reload.py's own compare over configs
parsed by the local ``vtysh -m``, on hand-written configs and on kf-core-1's running config as
captured from the real twin (``tests/fixtures/frr-show/``, FRR 8.4.4)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from govnet.deploy.driver import DeployError
from govnet.deploy.frr_reload import VTYSH_STYLE, ReloadPlan, _mark, as_shown, plan_reload
from govnet.platforms.printed import config_text

SHOWS = Path(__file__).resolve().parents[1] / "fixtures" / "frr-show"
REAL_RUNNING = (SHOWS / "kf-core-1.converged.running-config.txt").read_text(encoding="utf-8")

RUNNING = """Building configuration...

Current configuration:
!
frr version 8.4.4
frr defaults traditional
hostname r1
service integrated-vtysh-config
!
interface eth0
 ip address 10.0.0.1/30
 ip ospf area 0
exit
!
router bgp 65010
 no bgp default ipv4-unicast
 neighbor 10.0.0.2 remote-as 65010
 !
 address-family ipv4 unicast
  network 10.1.0.0/24
  neighbor 10.0.0.2 activate
 exit-address-family
exit
!
router ospf
 ospf router-id 10.0.0.1
exit
!
end
"""

TARGET = """frr defaults traditional
hostname r1
!
interface eth0
 ip address 10.0.0.1/30
exit
!
router bgp 65010
 neighbor 10.0.0.2 remote-as 65010
 !
 address-family ipv4 unicast
  network 10.2.0.0/24
  neighbor 10.0.0.2 activate
 exit-address-family
exit
!
"""


# -- plans on hand-written configs -------------------------------------------------------------


def test_plan_deletes_then_adds_in_their_contexts_with_no_forms() -> None:
    plan = plan_reload(RUNNING, TARGET)
    # frr-reload's network-statement normalisation leaves a trailing blank: kept as it sends it
    assert plan.deletes == (
        ("no router ospf",),  # a whole context: one `no` on the context line
        ("interface eth0", " no ip ospf area 0"),
        ("router bgp 65010", " bgp default ipv4-unicast"),  # removing a `no` line: the positive form
        ("router bgp 65010", " address-family ipv4 unicast", "  no network 10.1.0.0/24 "),
    )
    assert plan.adds == (("router bgp 65010", " address-family ipv4 unicast", "  network 10.2.0.0/24 "),)
    assert plan.commands() == [
        "no router ospf", "interface eth0", " no ip ospf area 0", "router bgp 65010",
        " bgp default ipv4-unicast", "router bgp 65010", " address-family ipv4 unicast",
        "  no network 10.1.0.0/24 ", "router bgp 65010", " address-family ipv4 unicast",
        "  network 10.2.0.0/24 ",
    ]
    assert not plan.empty


def test_plan_carries_both_configs_normalised_for_a_diff() -> None:
    """Contexts and lines sorted, no ``!``, no ``frr version`` or integrated-config line."""
    plan = plan_reload(RUNNING, TARGET)
    assert plan.running == (
        "frr defaults traditional\n"
        "hostname r1\n"
        "interface eth0\n"
        " ip address 10.0.0.1/30\n"
        " ip ospf area 0\n"
        "router bgp 65010\n"
        " neighbor 10.0.0.2 remote-as 65010\n"
        " no bgp default ipv4-unicast\n"
        "router bgp 65010\n"
        " address-family ipv4 unicast\n"
        "  neighbor 10.0.0.2 activate\n"
        "  network 10.1.0.0/24 \n"
        "router ospf\n"
        " ospf router-id 10.0.0.1\n"
    )
    assert plan.target == (
        "frr defaults traditional\n"
        "hostname r1\n"
        "interface eth0\n"
        " ip address 10.0.0.1/30\n"
        "router bgp 65010\n"
        " neighbor 10.0.0.2 remote-as 65010\n"
        "router bgp 65010\n"
        " address-family ipv4 unicast\n"
        "  neighbor 10.0.0.2 activate\n"
        "  network 10.2.0.0/24 \n"
    )


def test_normalised_config_lists_a_repeated_line_once_and_keeps_empty_contexts() -> None:
    running = "hostname r1\n!\ninterface lo\nexit\n!\ninterface eth1\n ip address 10.0.0.5/30\n" \
              " ip address 10.0.0.5/30\n shutdown\nexit\n!\nservice integrated-vtysh-config\n!\n" \
              "frr version 8.4.4\n!\nagentx\n"
    plan = plan_reload(running, running)
    assert plan.empty and plan.deletes == () and plan.adds == ()
    assert plan.running == plan.target == (
        "agentx\nhostname r1\ninterface eth1\n ip address 10.0.0.5/30\n shutdown\ninterface lo\n")


def test_adding_a_no_line_and_a_new_context() -> None:
    target = RUNNING.replace(" no bgp default ipv4-unicast\n", " no bgp default ipv4-unicast\n"
                             " no bgp ebgp-requires-policy\n").replace(
        "router ospf\n", "ip prefix-list PL seq 5 permit 10.0.0.0/8\n!\nrouter ospf\n")
    plan = plan_reload(RUNNING, target)
    assert plan.deletes == ()
    assert plan.adds == (  # frr-reload's order: lines in existing contexts, then new contexts
        ("router bgp 65010", " no bgp ebgp-requires-policy"),
        ("ip prefix-list PL seq 5 permit 10.0.0.0/8",),
    )


def test_interface_vrf_and_line_vty_in_the_intended_config_are_no_drift() -> None:
    target = RUNNING.replace("interface eth0\n", "interface eth0 vrf PUBLIC\n") + \
        "line vty\n exec-timeout 10 0\nexit\n!\n"
    assert plan_reload(RUNNING, target).empty


# -- plans on the running config captured from the twin ----------------------------------------


def test_the_captured_running_config_against_itself_is_empty() -> None:
    plan = plan_reload(REAL_RUNNING, REAL_RUNNING)
    assert plan.empty and plan.running == plan.target
    assert plan.running.startswith(
        "agentx\nfrr defaults traditional\nhostname kf-core-1\ninterface ge2-0-1\n")
    assert "frr version" not in plan.running and "service integrated-vtysh-config" not in plan.running
    assert "Building configuration" not in plan.running


def test_edits_deep_in_the_captured_config_give_exactly_their_lines() -> None:
    target = (REAL_RUNNING.replace("  rt vpn both 65010:11\n", "  rt vpn both 65010:12\n")
              .replace(" ip ospf area 0\n ip ospf network point-to-point\nexit\n!\ninterface ge2-0-2\n",
                       " ip ospf network point-to-point\nexit\n!\ninterface ge2-0-2\n")
              .replace("  interface ge2-0-2\n  exit\n  !\n", "")
              .replace(" log-adjacency-changes\n", " log-adjacency-changes\n passive-interface default\n"))
    plan = plan_reload(REAL_RUNNING, target)
    assert plan.deletes == (
        ("mpls ldp", " address-family ipv4", "  no interface ge2-0-2"),
        ("interface ge2-0-1", " no ip ospf area 0"),
        ("router bgp 65010 vrf POLICE", " address-family ipv4 unicast", "  no rt vpn both 65010:11"),
    )
    assert plan.adds == (
        ("router bgp 65010 vrf POLICE", " address-family ipv4 unicast", "  rt vpn both 65010:12"),
        ("router ospf", " passive-interface default"),
    )
    removed = set(plan.running.splitlines()) - set(plan.target.splitlines())
    # the interface's ospf line recurs under other interfaces; the LDP interface is a context
    assert removed == {"  rt vpn both 65010:11", "  interface ge2-0-2"}


def test_header_lines_are_stripped_from_both_configs() -> None:
    assert config_text(RUNNING, VTYSH_STYLE).startswith("!\nfrr version 8.4.4\n")
    banner = "Building configuration...\n  Current configuration:  \n"
    assert config_text(banner + "hostname r1", VTYSH_STYLE) == "hostname r1\n"
    read = config_text(RUNNING, VTYSH_STYLE)
    assert plan_reload(RUNNING, "Building configuration...\n" + read).empty
    assert plan_reload("r1# show running-config\n" + RUNNING + "r1# ", read).empty, "the prompts too"


# -- as_shown ----------------------------------------------------------------------------------


def test_as_shown_drops_line_vty_with_its_body_and_the_vrf_of_interfaces() -> None:
    config = ("\n hostname-ish indented first line\nline vty  \n exec-timeout 10 0\n\nexit\n"
              "interface eth0 vrf PUBLIC\n ip address 10.0.0.1/30\nexit\n!\nline vty\nexit\n"
              "router bgp 65010 vrf PUBLIC\n bgp router-id 10.0.0.9\n")
    assert as_shown(config) == (
        "\n hostname-ish indented first line\n"
        "interface eth0\n ip address 10.0.0.1/30\nexit\n!\n"
        "router bgp 65010 vrf PUBLIC\n bgp router-id 10.0.0.9\n"
    )


def test_as_shown_keeps_lines_that_only_look_like_the_skipped_ones() -> None:
    config = "interface eth0 vrf PUBLIC extra\n description line vty\n!\nline vty 0 4\n EXIT\n"
    assert as_shown(config) == config


# -- the local vtysh -m ------------------------------------------------------------------------


def test_mark_returns_what_vtysh_marked() -> None:
    config = ("router bgp 1\n neighbor 10.0.0.2 remote-as 1\n address-family ipv4 unicast\n"
              "  network 10.0.0.0/8\n")
    assert _mark(config) == config + "\nend\n"


def test_mark_refuses_a_config_vtysh_cannot_parse_naming_the_line() -> None:
    with pytest.raises(DeployError) as exc:
        _mark("interface eth0\n bogus command here\n")
    assert str(exc.value) == (
        "vtysh -m could not parse the config: line 2: % Unknown command:  bogus command here")


def test_mark_error_keeps_300_characters_of_vtysh_words() -> None:
    with pytest.raises(DeployError) as exc:
        _mark("bogus " + "x" * 400 + "\n")
    words = "line 1: % Unknown command: bogus " + "x" * 400
    assert str(exc.value) == "vtysh -m could not parse the config: " + words[:300]


def test_mark_without_vtysh_says_to_install_frr(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no vtysh
    with pytest.raises(DeployError) as exc:
        _mark("hostname r1\n")
    assert str(exc.value) == "vtysh not found: install frr (the local vtysh parses FRR configs)"
    assert exc.value.__cause__ is None and exc.value.__suppress_context__


def test_mark_is_bounded_so_a_wedged_vtysh_cannot_hang_a_deploy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real vtysh runs; the spy only records how it was started."""
    seen: list[dict[str, Any]] = []
    real_run = subprocess.run

    def spy(argv: list[str], **kwargs: Any) -> Any:
        seen.append({"argv": argv, **kwargs})
        return real_run(argv, **kwargs)

    monkeypatch.setattr("govnet.deploy.frr_reload.subprocess.run", spy)
    assert _mark("hostname r1\n") == "hostname r1\n\nend\n"
    assert seen == [{"argv": ["vtysh", "-m", "-f", "-"], "input": "hostname r1\n", "capture_output": True,
                     "text": True, "encoding": "utf-8", "timeout": 30, "check": False}]


def test_reload_plan_of_nothing_is_empty() -> None:
    assert ReloadPlan((), ()).empty and ReloadPlan((), ()).commands() == []
    assert not ReloadPlan((), (("hostname r2",),)).empty
