"""The Linux edge driver's pure parts: ruleset normalisation, sections, route lines, the diff,
the edge agent's payload checks and keepalived's state dump; which devices deploy pushes to."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from govnet.credentials import Credentials
from govnet.deploy.drivers.linux_edge import normalise_ruleset, running_sections, section_commands, unified
from govnet.deploy.intended import intended_configs, pushed, select
from govnet.deploy.verify import expectations
from govnet.inventory import load_network
from govnet.lab.edge_agent import (
    AgentError,
    EdgeSpec,
    _check_keepalived,
    _check_ruleset,
    _keepalived_pid,
    answer,
    parse_route,
    parse_vrrp_dump,
)
from govnet.model import Network
from govnet.platforms import get_platform
from govnet.platforms.linux import route_line
from govnet.render.linux_edge import (
    edge_config,
    join_sections,
    keepalived_config,
    ruleset_tables,
    split_sections,
)

INVENTORY = Path(__file__).resolve().parents[3] / "inventory"

LISTED = """table inet govnet_fw {
\tchain forward {
\t\ttype filter hook forward priority filter; policy drop;
\t\tcounter packets 12 bytes 3400 drop comment "default drop"\x20\x20
\t}
}
table inet govnet_fault {
\tchain loss_in {
\t\tiifname "ge0" numgen random mod 100 < 5 counter packets 1 bytes 2 drop
\t}
}
table inet aaa_by_hand {
\tchain c {
\t}
}
"""


@pytest.fixture(scope="module")
def network() -> Network:
    return load_network(INVENTORY)


def test_normalise_drops_counters_and_the_fault_table_and_sorts_tables() -> None:
    text = normalise_ruleset(LISTED)
    assert "packets" not in text and "govnet_fault" not in text
    assert 'counter drop comment "default drop"\n' in text  # trailing blanks gone too
    assert text.index("aaa_by_hand") < text.index("govnet_fw")
    assert normalise_ruleset(text) == text
    assert normalise_ruleset("") == ""


def test_route_lines_from_ip_json_match_the_rendered_form() -> None:
    assert route_line({"dst": "default", "gateway": "10.8.15.1"}) == "0.0.0.0/0 via 10.8.15.1"
    assert route_line({"dst": "10.1.1.1", "gateway": "10.0.0.1"}) == "10.1.1.1/32 via 10.0.0.1"
    ecmp = {"dst": "10.64.0.0/11", "nexthops": [{"gateway": "10.8.0.201"}, {"gateway": "10.8.0.97"}]}
    assert route_line(ecmp) == "10.64.0.0/11 nexthop via 10.8.0.97 nexthop via 10.8.0.201"
    assert parse_route(route_line(ecmp)) == (
        "10.64.0.0/11",
        ["nexthop", "via", "10.8.0.97", "nexthop", "via", "10.8.0.201"],
    )
    with pytest.raises(ValueError):
        parse_route("10.0.0.0/8 dev eth0")
    with pytest.raises(ValueError):
        parse_route("10.0.0.0/8 via 10.0.0.1; reboot")


def test_sections_round_trip_and_unknown_sections_are_refused() -> None:
    parts = {"nftables": "table inet t {\n}\n", "routes": "0.0.0.0/0 via 10.0.0.1\n"}
    assert split_sections("# header\n" + join_sections(parts)) == parts
    with pytest.raises(ValueError, match="unknown or repeated"):
        split_sections("#@ shell\nrm -rf /\n")
    with pytest.raises(ValueError, match="unknown or repeated"):
        split_sections("#@ routes\n#@ routes\n")


def test_diff_commands_name_each_change_in_apply_order() -> None:
    running = running_sections(
        {
            "nftables": LISTED,
            "keepalived": "old\n",
            "routes": ["0.0.0.0/0 via 10.0.0.1", "10.9.0.0/16 via 10.0.0.9"],
        }
    )
    intended = {
        "nftables": normalise_ruleset(LISTED.replace("aaa_by_hand", "zzz")),
        "keepalived": "new\n",
        "routes": "0.0.0.0/0 via 10.0.0.2\n",
    }
    assert section_commands(running, intended, merge=False) == [
        "ip route del 10.9.0.0/16 proto static",
        "ip route replace 0.0.0.0/0 proto static via 10.0.0.2",
        "nft -f - (replace the ruleset: inet govnet_fw, inet zzz)",
        "keepalived.conf replace; kill -HUP keepalived",
    ]
    assert section_commands(running, intended, merge=True)[0].startswith("ip route replace")
    same = dict(running)
    assert section_commands(running, same, merge=False) == [] and unified("d", running, same) == ""
    text = unified("kf-fw-1", running, intended)
    assert text.startswith("--- kf-fw-1 running\n+++ kf-fw-1 intended\n")
    assert "-table inet aaa_by_hand {" in text and "+table inet zzz {" in text


def test_hand_added_rule_shows_in_the_diff() -> None:
    intended = {"nftables": normalise_ruleset(LISTED)}
    by_hand = LISTED.replace('comment "default drop"', 'comment "default drop"\n\t\ttcp dport 23 accept')
    running = running_sections({"nftables": by_hand, "routes": []})
    assert section_commands(running, intended, merge=False)
    assert "-\t\ttcp dport 23 accept" in unified("kf-fw-1", running, intended)


def test_agent_refuses_includes_scripts_and_bad_requests() -> None:
    with pytest.raises(AgentError, match="include"):
        _check_ruleset('include "/etc/shadow"\n')
    spec = EdgeSpec("kf-fw-1", "gn-kf-fw-1", "/nonexistent.sock", "/nonexistent/keepalived.conf", "")
    forbidden = (
        "vrrp_script chk {",
        "    notify_master /bin/sh",
        "include /etc/x",
        "@kf-fw-1 x",
        "    script_user root",
    )
    for line in forbidden:
        with pytest.raises(AgentError, match="not allowed"):
            _check_keepalived(spec, f"global_defs {{\n{line}\n}}\n")
    with pytest.raises(AgentError, match="runs no keepalived"):
        _check_keepalived(EdgeSpec("kf-ips-1", "gn-kf-ips-1", "/x.sock"), "global_defs {\n}\n")
    assert answer(spec, "reboot\n") == {"ok": False, "error": "unknown request 'reboot'"}
    assert answer(spec, "check\n#@ routes\n10.0.0.0/8 dev eth0\n")["error"].startswith("routes: not a route")


def test_keepalived_state_dump_parsed_per_group() -> None:
    dump = (
        " VRRP Instance = vrid1\n   VRRP Version = 2\n   State = MASTER\n"
        " Interface = ge1-0-1\n   State = UP, RUNNING\n VRRP Instance = vrid10\n   State = BACKUP\n"
    )
    assert parse_vrrp_dump(dump) == {"1": "MASTER", "10": "BACKUP"}
    assert parse_vrrp_dump("") == {}


def test_edge_config_carries_ruleset_keepalived_and_routes(network: Network) -> None:
    fw = split_sections(edge_config(network, "kf-fw-1"))
    assert set(fw) == {"nftables", "keepalived"}
    assert ruleset_tables(fw["nftables"]) == {"inet govnet_fw"}
    assert fw["keepalived"] == keepalived_config(network, "kf-fw-1")
    ips = split_sections(edge_config(network, "kf-ips-1"))
    assert set(ips) == {"nftables", "routes"} and "0.0.0.0/0 via 10.8.15.1\n" in ips["routes"]
    vpn = split_sections(edge_config(network, "kf-vpn-1"))
    assert vpn["nftables"] == ""  # the portal's replies out the DMZ leg; its users' zone in over the core leg
    assert vpn["routes"] == "0.0.0.0/0 via 10.8.15.33\n10.128.0.0/9 via 10.8.1.9\n"
    srv = split_sections(edge_config(network, "kf-srv-1"))
    assert set(srv) == {"nftables", "keepalived"} and "virtual_router_id 10" in srv["keepalived"]
    blank = keepalived_config(network, "kf-fw-1", instances=False)
    assert "vrrp_instance" not in blank and "enable_snmp_rfcv3" in blank
    vrid1 = fw["keepalived"].split("vrrp_instance vrid1")[1].split("vrrp_instance")[0]
    assert "track_interface {\n        ge1-0-2\n        ge1-0-3\n    }" in vrid1
    assert "        ge1-0-1\n    }" not in vrid1.split("track_interface")[1]  # never its own port


def test_deploy_pushes_to_the_twins_edge_only(network: Network) -> None:
    assert get_platform("nftables").driver == get_platform("linux").driver == "linux_edge:LinuxEdgeDriver"
    assert pushed(network, "kf-fw-1", lab=True) and pushed(network, "kf-srv-1", lab=True)
    assert not pushed(network, "kf-isogw-1", lab=True)  # the isolation gateway: its own UI
    assert not pushed(network, "kf-srv-1", lab=False)  # a real server is not govnet's to configure
    assert pushed(network, "kf-fw-1", lab=False)  # the USG, by its own driver
    assert select(network, ["role=server"], lab=False) == []
    configs = intended_configs(network, ["kf-core-1", "kf-fw-1"], lab=True, credentials=Credentials())
    assert configs["kf-fw-1"] == edge_config(network, "kf-fw-1")
    assert "router bgp" in configs["kf-core-1"]


def test_verify_expects_the_tables_and_vrrp_groups_of_the_intended_config(network: Network) -> None:
    fw = expectations(network, "kf-fw-1", lab=True)
    assert fw.tables == {"inet govnet_fw"} and fw.vrrp == {"1", "2", "3"}
    assert expectations(network, "kf-vpn-1", lab=True).tables == frozenset()
    assert expectations(network, "kf-fw-1", lab=False).tables == frozenset()


def test_provisioning_playbook_ends_with_the_edge_then_an_audit() -> None:
    from govnet.deploy.playbook import load_playbook

    book = load_playbook(INVENTORY.parent / "playbooks" / "provision-district.yaml")
    deploys = [(s.deploy.filter, s.deploy.batch_size) for s in book.steps if s.deploy is not None]
    assert deploys[3:] == [
        (["role=firewall"], 1),
        (["role=ips,load_balancer,vpn_gateway"], 4),
        (["role=server"], 1),
    ]
    assert [s.action for s in book.steps][-1] == "audit"


def test_keepalived_counts_as_running_only_while_alive_not_as_an_unreaped_zombie(tmp_path: Path) -> None:
    pidfile = tmp_path / "keepalived.pid"
    spec = EdgeSpec("kf-fw-1", "gn-kf-fw-1", "/x.sock", "/x/keepalived.conf", str(pidfile))
    assert _keepalived_pid(spec) is None  # no pidfile
    child = subprocess.Popen(["sleep", "30"])
    try:
        pidfile.write_text(f"{child.pid}\n")
        assert _keepalived_pid(spec) == child.pid
        child.kill()
        deadline = time.monotonic() + 5
        while Path(f"/proc/{child.pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z":
            assert time.monotonic() < deadline, "the killed child never became a zombie"
            time.sleep(0.01)
        assert _keepalived_pid(spec) is None  # killed, not yet reaped: keepalived is not running
    finally:
        child.kill()
        child.wait()
    assert _keepalived_pid(spec) is None  # reaped: the pid no longer exists
    pidfile.write_text("garbage\n")
    assert _keepalived_pid(spec) is None
