"""The vendor observers (``get_platform(p).observe``) on REAL captured output.

Every fixture under ``tests/fixtures/captures/<platform>/`` is a capture from ntc-templates' own
tests or an example from the vendor's command reference, its source on its first line (see
docs/verify.md). The assertions name the peers, neighbours, links and roles in those captures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govnet.platforms import get_platform
from govnet.platforms.base import Observed

CAPTURES = Path(__file__).resolve().parents[1] / "fixtures" / "captures"
VRP, V8, CW = "huawei_vrp", "huawei_vrpv8", "h3c_comware"
VENDOR = ("huawei_vrp", "huawei_vrpv8", "huawei_usg", "huawei_nip", "h3c_comware", "h3c_secpath")


def capture(platform: str, name: str) -> str:
    """A capture without its source line (which every capture has)."""
    head, _, body = (CAPTURES / platform / name).read_text(encoding="utf-8").partition("\n")
    assert head.startswith("# source: "), name
    return body


def seen(platform: str, command: str, text: str) -> Observed:
    return get_platform(platform).observe({command: text})


def test_every_capture_names_its_source() -> None:
    files = sorted(CAPTURES.rglob("*.raw"))
    assert len(files) >= 18
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# source: ") and len(first) > 30, path


# -- Huawei VRP5 / VRP8 ---------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["huawei_vrp", "huawei_vrpv8", "huawei_usg", "huawei_nip"])
def test_bgp_peers_established_and_not(platform: str) -> None:
    one_idle = seen(platform, "display bgp peer", capture(VRP, "display_bgp_peer.raw"))
    assert one_idle == Observed(bgp=frozenset({"10.2.5.6"}))  # 10.1.1.1 is Idle
    four = seen(platform, "display bgp peer", capture(VRP, "display_bgp_peer.4-established.raw"))
    assert four.bgp == {"192.168.1.11", "192.168.1.12", "192.168.1.13", "192.168.1.14"}


def test_vrp_interfaces_up_leave_out_down_standby_and_protocol_down() -> None:
    up = seen("huawei_vrp", "display interface brief", capture(VRP, "display_interface_brief.raw"))
    assert up.links == {"Dialer1", "GigabitEthernet0/0/2", "NULL0", "Vlanif1", "Vlanif100", "Wlan-Bss1",
                        "Wlan-Bss7", "Wlan-Radio0/0/0", "Wlan-Radio0/0/1"}
    # ^down (standby) GE0/0/1, down GE0/0/0, up/down GE0/0/4 and GE0/0/5(v): not up
    assert not {"GigabitEthernet0/0/1", "GigabitEthernet0/0/0", "GigabitEthernet0/0/4",
                "GigabitEthernet0/0/5", "Vlanif2"} & up.links


def test_vrp_trunk_members_keep_their_names_without_the_speed_marker() -> None:
    up = seen("huawei_vrpv8", "display interface brief", capture(VRP, "display_interface_brief.trunks.raw"))
    assert {"Eth-Trunk2", "GigabitEthernet8/1/16", "GigabitEthernet15/1/0", "GigabitEthernet16/0/1",
            "Eth-Trunk4.10", "Eth-Trunk5.100"} <= up.links
    assert "Eth-Trunk4" not in up.links and "Eth-Trunk5" not in up.links  # protocol down
    assert "Aux0/0/1" not in up.links and not any("(" in name for name in up.links)


def test_vrp_legend_lines_of_another_release_are_not_a_table() -> None:
    text = capture(VRP, "display_interface_brief.raw")
    more = "(p): port alarm down\n(ld): loop-detect trigger down\n"
    with_more = text.replace("(v): VirtualPort\n", "(v): VirtualPort\n" + more)
    assert with_more != text
    assert seen("huawei_vrpv8", "display interface brief", with_more).links == seen(
        "huawei_vrpv8", "display interface brief", text).links


@pytest.mark.parametrize("platform", ["huawei_vrp", "huawei_vrpv8", "huawei_usg"])
def test_ospf_peer_brief_neighbours_full(platform: str) -> None:
    text = capture(VRP, "display_ospf_peer_brief.raw")
    assert seen(platform, "display ospf peer brief", text).ospf == {"3.3.3.3", "2.2.2.2"}
    exstart = text.replace("3.3.3.3          Full", "3.3.3.3          ExStart")
    assert seen(platform, "display ospf peer brief", exstart).ospf == {"2.2.2.2"}


def test_ldp_sessions_operational() -> None:
    vrp5 = seen("huawei_vrp", "display mpls ldp session", capture(VRP, "display_mpls_ldp_session.raw"))
    assert vrp5 == Observed(ldp=frozenset({"2.2.2.2", "3.3.3.3"}))
    ce = seen("huawei_vrpv8", "display mpls ldp session", capture(V8, "display_mpls_ldp_session.raw"))
    assert ce.ldp == {"10.2.2.9", "10.3.3.9"}
    deleting = capture(VRP, "display_mpls_ldp_session.raw").replace(" 3.3.3.3:0", "*3.3.3.3:0")
    initialized = deleting.replace("2.2.2.2:0          Operational", "2.2.2.2:0          Initialized")
    assert seen("huawei_vrp", "display mpls ldp session", deleting).ldp == {"2.2.2.2"}
    assert seen("huawei_vrp", "display mpls ldp session", initialized).ldp == frozenset()


def test_vpnv4_table_and_vpn_instance_blocks() -> None:
    vpnv4 = capture(V8, "display_bgp_vpnv4_multicast_all_peer.raw")
    assert seen("huawei_vrpv8", "display bgp vpnv4 all peer", vpnv4).bgp == {"10.1.1.2", "192.168.3.58"}
    block = capture(V8, "display_bgp_flow_vpnv6_vpn-instance_peer.raw")
    assert seen("huawei_vrpv8", "display bgp vpnv4 all peer", block).bgp == frozenset()  # the CE peer is Idle


def test_vrrp_brief_roles() -> None:
    roles = seen("huawei_vrp", "display vrrp brief", capture(VRP, "display_vrrp_brief.raw"))
    assert roles.vrrp == {"Vlanif10/10 master", "Vlanif20/20 master",
                          "Vlanif30/30 backup", "Vlanif40/40 backup"}


@pytest.mark.parametrize("platform", ["huawei_usg", "huawei_nip"])
def test_hrp_role(platform: str) -> None:
    text = capture("huawei_usg", "display_hrp_state.raw")
    assert seen(platform, "display hrp state", text) == Observed(vrrp=frozenset({"hrp active"}))
    standby = text.replace("Role: active, peer: standby", "Role: standby, peer: active")
    assert seen(platform, "display hrp state", standby).vrrp == {"hrp standby"}


# -- H3C Comware 7 / SecPath ----------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["h3c_comware", "h3c_secpath"])
def test_comware_bgp_connect_is_not_established(platform: str) -> None:
    found = seen(platform, "display bgp peer ipv4", capture(CW, "display_bgp_peer_ipv4.raw"))
    assert found.bgp == {"12.123.123.189", "2.114.82.42", "2.114.82.46"}  # .34 and .38 in Connect


def test_comware_vpnv4_peers_read_as_the_ipv4_table() -> None:
    text = capture(CW, "display_bgp_peer_ipv4.raw")
    found = seen("h3c_comware", "display bgp peer vpnv4", text)
    assert found.bgp == {"12.123.123.189", "2.114.82.42", "2.114.82.46"}


@pytest.mark.parametrize("platform", ["h3c_comware", "h3c_secpath"])
def test_comware_interfaces_adm_and_down_are_not_up(platform: str) -> None:
    up = seen(platform, "display interface brief", capture(CW, "display_interface_brief.raw"))
    assert up.links == {"Aux0", "E-Ch2/0:0", "GE0/1", "InLoop0", "NULL0", "REG0", "Vlan1", "GE3/0"}
    assert not {"GE0/0", "GE0/2", "GE3/1", "GE3/7"} & up.links  # ADM, ADM, DOWN, DOWN
    mgmt = seen(platform, "display interface brief", capture(CW, "display_interface_brief.mgmt-adm.raw"))
    assert mgmt.links == {"NULL0", "Vlan1081", "BAGG10", "BAGG11"}  # M-GE0/0/0 is ADM


def test_comware_short_names_match_the_model_through_the_aliases() -> None:
    comware = get_platform("h3c_comware")
    assert comware.interface_key("GE0/1") == comware.interface_key("GigabitEthernet0/1")


@pytest.mark.parametrize("platform", ["h3c_comware", "h3c_secpath"])
def test_comware_ospf_peers_in_two_areas_and_point_to_point(platform: str) -> None:
    areas = seen(platform, "display ospf peer", capture(CW, "display_ospf_peer.raw"))
    assert areas.ospf == {"10.1.1.2", "10.1.1.3", "10.1.1.11"}
    p2p = seen(platform, "display ospf peer", capture(CW, "display_ospf_peer.p2p.raw"))
    assert p2p.ospf == {"12.12.12.12", "111.111.111.111", "112.112.112.112"}
    loading = capture(CW, "display_ospf_peer.p2p.raw").replace(
        "10         Full/ -           GE0/2", "10         Loading/ -        GE0/2")
    assert seen(platform, "display ospf peer", loading).ospf == {"12.12.12.12", "112.112.112.112"}


def test_comware_ldp_and_vrrp() -> None:
    ldp = seen("h3c_comware", "display mpls ldp peer", capture(CW, "display_mpls_ldp_peer.raw"))
    assert ldp == Observed(ldp=frozenset({"2.2.2.9"}))
    vrrp = seen("h3c_secpath", "display vrrp", capture(CW, "display_vrrp.raw"))
    assert vrrp == Observed(vrrp=frozenset({"Vlan1/1 master"}))


# -- what every observer shares ---------------------------------------------------------------------


@pytest.mark.parametrize("platform", VENDOR)
def test_a_command_missing_from_the_outputs_contributes_nothing(platform: str) -> None:
    assert get_platform(platform).observe({}) == Observed()
    assert get_platform(platform).observe({"display something else": "x"}) == Observed()


@pytest.mark.parametrize("platform", VENDOR)
def test_a_notice_instead_of_a_table_is_nothing_up(platform: str) -> None:
    outputs = {c: "Info: The feature is not enabled.\n" for c in get_platform(platform).verify_commands}
    assert get_platform(platform).observe(outputs) == Observed()


@pytest.mark.parametrize("platform", VENDOR)
def test_an_unknown_table_line_is_an_error_naming_the_command(platform: str) -> None:
    command = get_platform(platform).verify_commands[1]  # the OSPF command
    with pytest.raises(ValueError, match=f"^'{command}': unexpected reply"):
        get_platform(platform).observe({command: "something the templates never saw\n"})


def test_all_commands_together_union_their_findings() -> None:
    outputs = {
        "display interface brief": capture(VRP, "display_interface_brief.raw"),
        "display ospf peer brief": capture(VRP, "display_ospf_peer_brief.raw"),
        "display bgp peer": capture(VRP, "display_bgp_peer.raw"),
        "display mpls ldp session": capture(VRP, "display_mpls_ldp_session.raw"),
        "display vrrp brief": capture(VRP, "display_vrrp_brief.raw"),
    }
    found = get_platform("huawei_vrp").observe(outputs)
    assert (found.ospf, found.bgp) == ({"3.3.3.3", "2.2.2.2"}, {"10.2.5.6"})
    assert found.ldp == {"2.2.2.2", "3.3.3.3"}
    assert len(found.links) == 9 and len(found.vrrp) == 4 and found.tables == frozenset()
