"""The internet edge in the twin: the firewall and DC pairs fail over for real, seen over SNMP.

Boots only the edge (firewall pair, IPS, load balancer, VPN gateway, DC server pair) provisioned,
once for the module, under the shared lab lock (run with ``flock /tmp/govnet-lab.lock``), and
always tears it down. VRRP state is read from keepalived's SNMP subagent through each namespace's
snmpd (VRRPv3-MIB vrrpv3OperationsStatus), never from keepalived's files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govnet.lab.credentials import read_credentials
from govnet.lab.down import lab_down
from govnet.lab.faults import heal, kill_daemon, link_down
from govnet.lab.keepalived import HaPairStatus, ha_pairs
from govnet.lab.netns import root_links
from govnet.lab.up import lab_up

from .lab_helpers import INVENTORY, Lab, in_netns, require_lab, wait_for

pytestmark = pytest.mark.integration

EDGE_TWIN = ["kf-fw-1", "kf-fw-2", "kf-ips-1", "kf-lb-1", "kf-vpn-1", "kf-srv-1", "kf-srv-2"]
FIREWALL_VRIDS = {1, 2, 3}
DC_VRID = 10
FAILOVER_S = 10.0
QUIET: dict[str, Any] = {"echo": lambda _m: None}


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    require_lab()
    workdir = tmp_path_factory.mktemp("edge")
    try:
        state = lab_up(INVENTORY, workdir, provisioned=True, devices=EDGE_TWIN, **QUIET)
        yield Lab(workdir, state, state.lab_topology(), read_credentials(workdir))
    finally:
        lab_down(workdir, **QUIET)


def _pairs(lab: Lab) -> dict[int, HaPairStatus]:
    return {p.vrid: p for p in ha_pairs(lab.topology, lab.creds)}


def _masters(lab: Lab, vrids: set[int], want: str) -> bool:
    pairs = _pairs(lab)
    return all(pairs[v].master == want and pairs[v].health == "healthy" for v in vrids)


def _holds(lab: Lab, device: str, address: str) -> bool:
    out = in_netns(f"gn-{device}", ["ip", "-4", "-o", "addr", "show"]).stdout
    return f" {address}/" in out


def test_every_group_has_exactly_one_master_the_configured_active(edge: Lab) -> None:
    wanted = FIREWALL_VRIDS | {DC_VRID}
    assert wait_for(
        lambda: set(_pairs(edge)) == wanted and all(p.health == "healthy" for p in _pairs(edge).values()),
        timeout=20,
    )
    pairs = _pairs(edge)
    for vrid, pair in pairs.items():
        masters = [m for m, s in pair.members.items() if s == "master"]
        assert masters == [pair.active], (vrid, pair)
        assert all(s == "backup" for m, s in pair.members.items() if m != pair.active), pair
    assert pairs[1].active == "kf-fw-1" and pairs[DC_VRID].active == "kf-srv-1"
    assert _holds(edge, "kf-fw-1", pairs[1].virtual_ip)
    assert not _holds(edge, "kf-fw-2", pairs[1].virtual_ip)


def test_killed_keepalived_moves_every_firewall_group_to_the_standby_and_heal_restores(edge: Lab) -> None:
    assert wait_for(lambda: _masters(edge, FIREWALL_VRIDS, "kf-fw-1"), timeout=20)
    kill_daemon(edge.workdir, "kf-fw-1", "keepalived", **QUIET)
    assert wait_for(lambda: _masters(edge, FIREWALL_VRIDS, "kf-fw-2"), timeout=FAILOVER_S, interval=0.5)
    vip = _pairs(edge)[1].virtual_ip
    assert _holds(edge, "kf-fw-2", vip) and not _holds(edge, "kf-fw-1", vip)
    heal(edge.workdir, **QUIET)
    assert wait_for(lambda: _masters(edge, FIREWALL_VRIDS, "kf-fw-1"), timeout=FAILOVER_S, interval=0.5)
    assert _pairs(edge)[DC_VRID].master == "kf-srv-1"


def test_upstream_link_down_on_the_active_firewall_fails_the_pair_over(edge: Lab) -> None:
    assert wait_for(lambda: _masters(edge, FIREWALL_VRIDS, "kf-fw-1"), timeout=20)
    link_down(edge.workdir, "kf-fw-1", "kf-lb-1", **QUIET)
    assert wait_for(lambda: _masters(edge, FIREWALL_VRIDS, "kf-fw-2"), timeout=FAILOVER_S, interval=0.5)
    states = _pairs(edge)[2].members
    assert states["kf-fw-1"] != "master"
    heal(edge.workdir, **QUIET)
    assert wait_for(lambda: _masters(edge, FIREWALL_VRIDS, "kf-fw-1"), timeout=FAILOVER_S, interval=0.5)


def test_dc_pair_service_address_moves_to_the_standby_server_and_back(edge: Lab) -> None:
    assert wait_for(lambda: _masters(edge, {DC_VRID}, "kf-srv-1"), timeout=20)
    kill_daemon(edge.workdir, "kf-srv-1", "keepalived", **QUIET)
    assert wait_for(lambda: _masters(edge, {DC_VRID}, "kf-srv-2"), timeout=FAILOVER_S, interval=0.5)
    assert _holds(edge, "kf-srv-2", _pairs(edge)[DC_VRID].virtual_ip)
    heal(edge.workdir, **QUIET)
    assert wait_for(lambda: _masters(edge, {DC_VRID}, "kf-srv-1"), timeout=FAILOVER_S, interval=0.5)


def test_ips_and_load_balancer_forward_with_rendered_rulesets_toward_the_virtual_addresses(edge: Lab) -> None:
    assert "table inet govnet_ips" in in_netns("gn-kf-ips-1", ["nft", "list", "tables"]).stdout
    assert "table inet govnet_lb" in in_netns("gn-kf-lb-1", ["nft", "list", "tables"]).stdout
    assert "table inet govnet_fw" in in_netns("gn-kf-fw-2", ["nft", "list", "tables"]).stdout
    pairs = _pairs(edge)
    ips_routes = in_netns("gn-kf-ips-1", ["ip", "-4", "route", "show", "default"]).stdout
    assert f"via {pairs[1].virtual_ip}" in ips_routes
    lb_routes = in_netns("gn-kf-lb-1", ["ip", "-4", "route", "show", "10.64.0.0/11"]).stdout
    assert f"via {pairs[2].virtual_ip}" in lb_routes
    assert in_netns("gn-kf-ips-1", ["sysctl", "-n", "net.ipv4.ip_forward"]).stdout.strip() == "1"


def test_down_removes_the_segment_bridges(edge: Lab) -> None:
    """Last on purpose: tears the module's twin down (the fixture's down is then a no-op)."""
    made = {s.bridge for s in edge.topology.segments} | {
        p.host_veth for s in edge.topology.segments for p in s.ports
    }
    assert made and made <= root_links()
    assert lab_down(edge.workdir, **QUIET)
    assert not made & root_links()
    assert not list(Path(edge.workdir).glob("keepalived/*/keepalived.pid"))
